import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember } from '../factories/members.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

const key = () => randomBytes(4).toString('hex');

/**
 * Moderation beyond messages, through the UI: a member reports an anonymous question and a trend
 * alert; a moderator finds both in the queue (the question without its author's name), puts the
 * question behind a content warning and hides the alert; the member then finds the question
 * collapsed until they choose to see it, and the alert replaced by the reason.
 */
describe('moderation of questions and alerts (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, live, apiAs, opened } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  /** Fills and sends the report form under the item's Report button. */
  async function report(page: Page, reason: string, note: string) {
    const button = page.getByTestId('report-button');
    expect(await button.getAttribute('aria-expanded')).to.equal('false');
    await button.click();
    expect(await button.getAttribute('aria-expanded')).to.equal('true');
    const form = page.getByTestId('report-form');
    await form.getByRole('radio', { name: reason }).check();
    await form.getByLabel(/Note for the moderators/).fill(note);
    return form;
  }

  it('a member reports an anonymous question and an alert; a moderator warns and hides; the member sees both as decided', async () => {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `qa-mod-${key()}`, kind: 'qa' });
    const channelId = String(channel._id);
    const asker = await makeMember(models, { name: 'Ada Asker', sector: 'industry' });
    const liaison = await makeMember(models, { name: 'Lee Liaison', sector: 'government', roles: ['liaison'] });
    const reporter = await makeMember(models, { name: 'Rory Reader' });
    const moderator = await makeMember(models, { name: 'Mo Steward', roles: ['moderator'] });

    // The asker describes how they appear anonymously, then asks without their name.
    const askerApi = await apiAs(asker);
    expect((await askerApi.request('PUT', '/api/me/anonymous-profile', { description: 'video hosting, under 20 staff' })).status).to.equal(200);
    const asked = await askerApi.post(`/api/channels/${channelId}/questions`, {
      title: 'How do we review a leaked attack video?',
      body: 'The video shows the **attack itself**; we need to know what to keep as evidence.',
      tags: ['evidence'],
      anonymous: true,
    });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const questionPath = `/channels/${channelId}/questions/${asked.body.id}`;
    const liaisonApi = await apiAs(liaison);
    const published = await liaisonApi.post('/api/alerts', {
      title: `Rumoured platform outage ${key()}`,
      summary: 'Every file-sharing service will be **switched off** tomorrow.',
      severity: 'low',
      marking: 'TLP:GREEN',
      tags: { platforms: ['file-sharing'], tactics: [], regions: [] },
      indicators: [],
    });
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
    const alertPath = `/alerts/${published.body.id}`;

    // The moderator has the queue open before anything is reported.
    const { page: M } = await open();
    await signIn(M, moderator);
    await M.goto(`${server.url}/moderation`);
    await live(M);
    await M.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();

    // The member reports the question: one Report button, none on their own items.
    const { page: R } = await open();
    await signIn(R, reporter);
    await R.goto(`${server.url}${questionPath}`);
    await live(R);
    await R.getByTestId('question-body').filter({ hasText: 'attack itself' }).waitFor();
    const questionForm = await report(R, 'Terrorist or violent extremist content shared without a warning', 'Describes the attack video in detail');
    await screenshot(R, 'moderation-content-report-question-desktop');
    await questionForm.getByRole('button', { name: 'Send report' }).click();
    await R.getByTestId('report-done').waitFor();

    // …and the alert.
    await R.goto(`${server.url}${alertPath}`);
    await R.getByTestId('alert-body').filter({ hasText: 'switched off' }).waitFor();
    const alertForm = await report(R, 'Misinformation', 'No source for this');
    await alertForm.getByRole('button', { name: 'Send report' }).click();
    await R.getByTestId('report-done').waitFor();
    // Closing the form gives focus back to its button.
    await R.getByTestId('report-form').getByRole('button', { name: 'Close' }).click();
    await R.getByTestId('report-button').and(R.locator(':focus')).waitFor();

    // Both arrive in the queue, labelled by type. The question names no author.
    const questionEntry = M.getByTestId('queue-entry').filter({ has: M.getByTestId('queue-entry-type').filter({ hasText: /^Question$/ }) });
    const alertEntry = M.getByTestId('queue-entry').filter({ has: M.getByTestId('queue-entry-type').filter({ hasText: /^Trend alert$/ }) });
    await questionEntry.waitFor();
    await alertEntry.waitFor();
    await questionEntry.click();
    await M.getByTestId('concealed').waitFor();
    await M.getByTestId('reveal').click();
    await M.getByTestId('review-item').filter({ hasText: 'attack itself' }).waitFor();
    const meta = M.getByTestId('review-meta');
    await meta.filter({ hasText: 'By an anonymous member' }).waitFor();
    expect(await meta.innerText()).to.not.include('Ada Asker');
    expect(await M.getByRole('heading', { level: 2, name: 'How do we review a leaked attack video?' }).count()).to.equal(1);
    expect(await meta.getByRole('link', { name: /Open in place/ }).getAttribute('href')).to.equal(questionPath);
    let action = M.getByTestId('action-form');
    await action.getByRole('radio', { name: 'Put behind a content warning' }).check();
    await action.getByLabel('Reason (the author sees it)').selectOption('terrorist_content');
    await screenshot(M, 'moderation-content-queue-desktop');
    await action.getByRole('button', { name: 'Apply' }).click();
    await M.getByRole('status').filter({ hasText: 'Put behind a content warning' }).waitFor();
    await M.getByTestId('item-actions').filter({ hasText: 'Put behind a content warning' }).waitFor();

    await alertEntry.click();
    await M.getByTestId('review-item').filter({ hasText: 'switched off' }).waitFor();
    action = M.getByTestId('action-form');
    await action.getByRole('radio', { name: 'Hide the item' }).check();
    await action.getByLabel('Reason (the author sees it)').selectOption('misinformation');
    await action.getByRole('button', { name: 'Apply' }).click();
    await M.getByRole('status').filter({ hasText: 'Hidden: Misinformation' }).waitFor();
    // The detail reloads with the action listed; then "Open in place" leads to the alert, which
    // moderators still read, labelled.
    await M.getByTestId('item-actions').filter({ hasText: 'Hidden' }).waitFor();
    await M.getByTestId('review-meta').getByRole('link', { name: /Open in place/ }).click();
    await M.getByTestId('alert-moderation').filter({ hasText: 'Hidden from members' }).waitFor();
    expect(M.url()).to.equal(`${server.url}${alertPath}`);
    await M.getByTestId('alert-body').filter({ hasText: 'switched off' }).waitFor();
    expect(await M.getByTestId('report-button').count(), 'nothing to report on a hidden item').to.equal(0);

    // The member sees the alert replaced by the reason, live.
    await R.getByTestId('alert-hidden').filter({ hasText: 'Hidden by moderators: Misinformation' }).waitFor();
    expect(await R.getByText('switched off').count()).to.equal(0);
    expect(await R.getByTestId('report-button').count()).to.equal(0);

    // The question is collapsed for them until they choose to see it; then it reads as written.
    await R.goto(`${server.url}${questionPath}`);
    const warning = R.getByTestId('question-warning');
    await warning.filter({ hasText: 'Terrorist or violent extremist content' }).waitFor();
    expect(await R.getByText('attack itself').count()).to.equal(0);
    const show = warning.getByRole('button', { name: /^Show content/ });
    expect(await show.getAttribute('aria-expanded')).to.equal('false');
    await screenshot(R, 'moderation-content-warning-desktop');
    await show.click();
    await R.getByTestId('question-body').filter({ hasText: 'attack itself' }).waitFor();
    expect(await warning.getByRole('button', { name: /^Hide content/ }).getAttribute('aria-expanded')).to.equal('true');

    // On a phone: the same, and the asker has nothing to report on their own question.
    const { page: P } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(P, reporter);
    await P.goto(`${server.url}${questionPath}`);
    await P.getByTestId('question-warning').waitFor();
    await screenshot(P, 'moderation-content-warning-phone');
    await P.goto(`${server.url}${alertPath}`);
    await P.getByTestId('alert-hidden').waitFor();
    await screenshot(P, 'moderation-content-hidden-alert-phone');
    // Lists say so too, in words.
    await P.goto(`${server.url}/alerts`);
    // (Its title is withheld there too: the card is found by its link.)
    const hiddenCard = P.getByTestId('alert-card').filter({ has: P.locator(`a[href="${alertPath}"]`) });
    await hiddenCard.getByTestId('moderation-badge').filter({ hasText: 'Hidden by moderators' }).waitFor();
    expect(await hiddenCard.innerText()).to.not.include(published.body.title);
    await P.goto(`${server.url}/channels/${channelId}`);
    await P.locator('.kn-item').filter({ hasText: 'leaked attack video' }).getByTestId('moderation-badge').filter({ hasText: 'Content warning' }).waitFor();
    const { page: A } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(A, asker);
    await A.goto(`${server.url}${questionPath}`);
    await A.getByTestId('question-warning').waitFor();
    expect(await A.getByTestId('report-button').count()).to.equal(0);

    for (const watched of opened) expect(watched.problems()).to.deep.equal([]);
  });

  it('reports an answer, a paper and a library resource with the right ids, and shows each as moderators decided', async () => {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const made = async (kind: 'qa' | 'papers' | 'library') => String((await models.Channel.create({ spaceId: space!._id, name: `${kind}-mod-${key()}`, kind }))._id);
    const [qa, papers, library] = [await made('qa'), await made('papers'), await made('library')];
    const writer = await makeMember(models, { name: 'Wes Writer' });
    const reader = await makeMember(models, { name: 'Rae Reader' });
    const moderator = await makeMember(models, { name: 'Max Minder', roles: ['moderator'] });
    // Another moderator writes the library resource: moderators do not act on their own content.
    const librarian = await makeMember(models, { name: 'Lib Rarian', roles: ['moderator'] });
    const writerApi = await apiAs(writer);
    const moderatorApi = await apiAs(moderator);
    const asked = await writerApi.post(`/api/channels/${qa}/questions`, { title: 'Who keeps a list of hash-sharing contacts?', body: 'Asking for a small platform.', tags: [], anonymous: false });
    const answered = await writerApi.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Write to Jo Doe at jo.doe@example.org.', anonymous: false });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
    const shared = await writerApi.post(`/api/channels/${papers}/papers`, { title: 'Recruitment on gaming platforms', authors: ['A. Author'], year: 2024, abstract: 'A study of **recruitment** funnels.', venue: 'Preprint', tags: [] });
    expect(shared.status, JSON.stringify(shared.body)).to.equal(201);
    const written = await (await apiAs(librarian)).post(`/api/channels/${library}/resources`, { title: 'Crisis protocol', category: 'Protocols', body: 'Step one: **preserve** the footage.' });
    expect(written.status, JSON.stringify(written.body)).to.equal(201);

    // The reader reports each through its own Report button.
    const { page: R } = await open();
    await signIn(R, reader);
    const sendReport = async (scope: ReturnType<Page['locator']>, reason: string) => {
      await scope.getByTestId('report-button').click();
      await scope.getByTestId('report-form').getByRole('radio', { name: reason }).check();
      await scope.getByTestId('report-form').getByRole('button', { name: 'Send report' }).click();
      await scope.getByTestId('report-done').waitFor();
    };
    await R.goto(`${server.url}/channels/${qa}/questions/${asked.body.id}`);
    await sendReport(R.getByTestId('answer'), 'Doxxing or personal data');
    await R.goto(`${server.url}/channels/${papers}/papers/${shared.body.id}`);
    await sendReport(R.locator('article'), 'Off-topic or spam');
    await R.goto(`${server.url}/channels/${library}/resources/${written.body.id}`);
    await sendReport(R.locator('article'), 'Other');
    const reporterId = String(reader._id);
    for (const [type, id, reason] of [
      ['answer', `${qa}:${answered.body.id}`, 'personal_data'],
      ['paper', `${papers}:${shared.body.id}`, 'off_topic'],
      ['library', `${library}:${written.body.id}`, 'other'],
    ]) {
      const stored = await models.Report.findById(`${type}:${id}:${reporterId}`).lean();
      expect(stored, `${type} report`).to.include({ type, itemId: id, reason });
    }

    // Moderators decide: the answer redacted, the paper hidden, the resource behind a warning.
    const act = async (type: string, id: string, kind: string, reason: string, extra: Record<string, string> = {}) =>
      expect((await moderatorApi.post('/api/moderation/actions', { type, id, kind, reason, note: '', ...extra })).status).to.equal(201);
    await act('answer', `${qa}:${answered.body.id}`, 'redact', 'personal_data', { redactedText: 'Write to the hash-sharing desk.' });
    await act('paper', `${papers}:${shared.body.id}`, 'hide', 'off_topic');
    await act('library', `${library}:${written.body.id}`, 'warning', 'other');

    // The moderator's queue links to the answer in place, which scrolls to it.
    const { page: M } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(M, moderator);
    await M.goto(`${server.url}/moderation`);
    await M.getByRole('button', { name: 'Resolved' }).click();
    await M.getByTestId('queue-entry').filter({ has: M.getByTestId('queue-entry-type').filter({ hasText: /^Answer$/ }) }).click();
    await M.getByTestId('review-meta').getByRole('link', { name: /Open in place/ }).click();
    const focused = M.locator(`#answer-${answered.body.id}`);
    await focused.and(M.locator(':focus')).waitFor();
    await focused.getByTestId('answer-moderation').filter({ hasText: 'Personal data edited out for members' }).waitFor();
    await focused.getByTestId('answer-body').filter({ hasText: 'jo.doe@example.org' }).waitFor();
    await screenshot(M, 'moderation-content-answer-moderator-phone');

    // The member reads what moderators left: the redacted answer, the reason for the paper, the resource collapsed.
    await R.goto(`${server.url}/channels/${qa}/questions/${asked.body.id}`);
    await R.getByTestId('answer-redacted').filter({ hasText: 'Personal data edited out by moderators' }).waitFor();
    await R.getByTestId('answer-body').filter({ hasText: 'hash-sharing desk' }).waitFor();
    expect(await R.getByText('jo.doe@example.org').count()).to.equal(0);
    await screenshot(R, 'moderation-content-redacted-desktop');
    await R.goto(`${server.url}/channels/${papers}/papers/${shared.body.id}`);
    await R.getByTestId('paper-hidden').filter({ hasText: 'Hidden by moderators: Off-topic or spam' }).waitFor();
    expect(await R.getByText('recruitment funnels').count()).to.equal(0);
    expect(await R.getByTestId('report-button').count()).to.equal(0);
    // The discussion is closed while it is hidden: no comment form, a sentence instead.
    await R.getByTestId('replies-closed').filter({ hasText: 'takes no comments while moderators hide it' }).waitFor();
    expect(await R.getByRole('button', { name: /comment/i }).count()).to.equal(0);
    await R.goto(`${server.url}/channels/${library}/resources/${written.body.id}`);
    const warning = R.getByTestId('resource-warning');
    await warning.waitFor();
    expect(await R.getByText('preserve').count()).to.equal(0);
    // Its revision history is behind the same warning: opened, the version stays collapsed.
    const version = R.getByRole('list', { name: 'Revision history' }).getByRole('listitem').filter({ hasText: 'Revision 1' });
    await version.locator('summary').click();
    await version.getByTestId('revision-warning').waitFor();
    expect(await R.getByText('preserve').count()).to.equal(0);
    await screenshot(R, 'moderation-content-resource-desktop');
    // Keyboard: the button opens it.
    await warning.getByRole('button', { name: /^Show content/ }).focus();
    await R.keyboard.press('Enter');
    await R.getByTestId('resource-body').filter({ hasText: 'preserve the footage' }).waitFor();

    for (const watched of opened) expect(watched.problems()).to.deep.equal([]);
  });
});
