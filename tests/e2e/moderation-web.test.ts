import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember } from '../factories/members.ts';
import { RESULTS_DIR, VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

const key = () => randomBytes(4).toString('hex');

/**
 * The review queue a page at a time, paper comments as reportable content, and library revisions
 * whose text moderators withheld — through the web app, at desktop and phone width.
 */
describe('moderation in the web app: queue pages, comments, withheld revisions (browser)', () => {
  const suite = browserSuite({ postingBurst: 200 });
  const { open, signIn, live, apiAs } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });
  // Each test counts the whole queue: leave it empty for the next.
  afterEach(() => models.ModerationQueue.deleteMany({}));

  async function channel(kind: 'discussion' | 'papers' | 'library'): Promise<string> {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    return String((await models.Channel.create({ spaceId: space!._id, name: `${kind}-web-${key()}`, kind }))._id);
  }

  it('pages through the queue with "Load more", keeps live reports, and says what the daily limit withholds', async () => {
    const channelId = await channel('discussion');
    const author = await makeMember(models, { sector: 'industry' });
    const reporter = await makeMember(models, { sector: 'academia' });
    const moderator = await makeMember(models, { roles: ['moderator'], sector: 'civil_society' });
    const authorApi = await apiAs(author);
    const post = async (text: string) => {
      const sent = await authorApi.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: randomBytes(8).toString('hex') });
      expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
      return String(sent.body.id);
    };
    // 56 reported messages (more than a page of 50): one reported as terrorist content, the rest
    // waiting one minute apart, so the order is known. Made directly: reports are limited per hour.
    const ids: string[] = [];
    for (let index = 0; index < 56; index++) ids.push(await post(`Queued message number ${index}`));
    const start = Date.now() - 3_600_000;
    await models.ModerationQueue.insertMany(
      ids.map((id, index) => ({
        _id: `message:${id}`,
        type: 'message',
        itemId: id,
        authorId: String(author._id),
        reasons: index === 0 ? { terrorist_content: 1 } : { off_topic: 1 },
        reporters: 1,
        firstReportAt: new Date(start + index * 60_000),
        lastReportAt: new Date(start + index * 60_000),
        state: 'open',
      })),
    );
    // The moderator has a daily limit of 0: the terrorist-content item is withheld, and said so.
    const moderatorApi = await apiAs(moderator);
    expect((await moderatorApi.request('PUT', '/api/moderation/wellbeing', { dailyLimit: 0 })).status).to.equal(200);

    const watched = await open();
    const { page: M } = watched;
    await signIn(M, moderator);
    await M.goto(`${server.url}/moderation`);
    await live(M);
    const entries = M.getByTestId('queue-entry');
    await M.getByTestId('queue-shown').filter({ hasText: '50 items listed; more wait.' }).waitFor();
    expect(await entries.count()).to.equal(50);
    expect(await M.getByTestId('withheld').innerText()).to.equal('1 item reported as terrorist content is not offered in the pages listed so far: you reached your daily limit.');
    const more = M.getByTestId('queue-more');
    expect(await more.innerText()).to.equal('Load more');
    await more.scrollIntoViewIfNeeded();
    await M.screenshot({ path: `${RESULTS_DIR}moderation-queue-more-desktop.png` });

    await more.click();
    await M.getByTestId('queue-shown').filter({ hasText: '55 items listed.' }).waitFor();
    expect(await entries.count()).to.equal(55);
    expect(await more.count(), 'no button on the last page').to.equal(0);
    expect(await M.getByTestId('withheld').innerText()).to.equal('1 item reported as terrorist content is not offered: you reached your daily limit.');
    // Keyboard users go on at the first item the page added (the 51st).
    await entries.nth(50).and(M.locator(':focus')).waitFor();
    expect(await entries.nth(50).innerText()).to.contain('Off-topic or spam (1)');
    await M.getByRole('status').filter({ hasText: '55 items listed, all of them.' }).waitFor();

    // A new report arrives live and takes its place in the order (one reporter, newest: last).
    const fresh = await post('A message reported while the queue is open');
    expect((await (await apiAs(reporter)).post('/api/moderation/reports', { type: 'message', id: fresh, reason: 'harassment', note: '' })).status).to.equal(201);
    await M.getByTestId('queue-shown').filter({ hasText: '56 items listed.' }).waitFor();
    expect(await entries.last().innerText()).to.contain('Harassment (1)');
    await M.getByRole('status').filter({ hasText: 'New report: Harassment (1)' }).waitFor();

    // Opening one on the second page and acting on it keeps the list as long as it was (less the resolved one).
    await entries.nth(52).click();
    await M.getByTestId('review-item').filter({ hasText: 'Queued message number 53' }).waitFor();
    const action = M.getByTestId('action-form');
    await action.getByRole('radio', { name: 'Dismiss the reports' }).check();
    await action.getByRole('button', { name: 'Apply' }).click();
    await M.getByTestId('queue-shown').filter({ hasText: '55 items listed.' }).waitFor();
    expect(await entries.filter({ hasText: 'Harassment (1)' }).count()).to.equal(1);
    await screenshot(M, 'moderation-queue-pages-desktop');
    await M.setViewportSize(VIEWPORTS.phone);
    await M.getByTestId('withheld').scrollIntoViewIfNeeded();
    await M.screenshot({ path: `${RESULTS_DIR}moderation-queue-top-phone.png` });
    await M.getByTestId('queue-shown').scrollIntoViewIfNeeded();
    await M.screenshot({ path: `${RESULTS_DIR}moderation-queue-end-phone.png` });
    expect(watched.problems()).to.deep.equal([]);
  });

  it('reports a comment on a paper (not one\'s own); the queue labels it "Comment on a paper" and links to it; members see its marker', async () => {
    const papers = await channel('papers');
    const writer = await makeMember(models, { name: 'Wanda Writer', sector: 'academia' });
    const commenter = await makeMember(models, { name: 'Cal Commenter', sector: 'industry' });
    const reporter = await makeMember(models, { name: 'Rory Reporter', sector: 'civil_society' });
    const moderator = await makeMember(models, { name: 'Mo Steward', roles: ['moderator'], sector: 'civil_society' });
    const shared = await (await apiAs(writer)).post(`/api/channels/${papers}/papers`, { title: 'Recruitment funnels on gaming platforms', authors: ['A. Author'], abstract: 'A study.', tags: [] });
    expect(shared.status, JSON.stringify(shared.body)).to.equal(201);
    const paperPath = `/channels/${papers}/papers/${shared.body.id}`;
    const rude = await (await apiAs(commenter)).post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'The authors are **clowns** and should quit.' });
    expect(rude.status, JSON.stringify(rude.body)).to.equal(201);
    const commentId = String(rude.body.id);
    expect((await (await apiAs(reporter)).post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'Does this hold for video?' })).status).to.equal(201);

    // The moderator has the queue open before anything is reported.
    const modTab = await open();
    const M = modTab.page;
    await signIn(M, moderator);
    await M.goto(`${server.url}/moderation`);
    await live(M);

    // The reporter sees a Report button on the paper and on the other comment, none on their own.
    const readerTab = await open();
    const R = readerTab.page;
    await signIn(R, reporter);
    await R.goto(`${server.url}${paperPath}`);
    const theirs = R.locator(`#comment-${commentId}`);
    const mine = R.getByTestId('comment').filter({ hasText: 'Does this hold for video?' });
    await theirs.waitFor();
    expect(await mine.getByTestId('report-button').count()).to.equal(0);
    expect(await R.getByTestId('report-button').count(), 'the paper and the other comment').to.equal(2);
    const button = theirs.getByTestId('report-button');
    expect(await button.getAttribute('aria-expanded')).to.equal('false');
    expect(await theirs.getByRole('button', { name: /^Report the comment by Cal Commenter, / }).count()).to.equal(1);
    await button.click();
    const form = theirs.getByTestId('report-form');
    await form.getByRole('radio', { name: 'Harassment' }).check();
    await form.getByLabel(/Note for the moderators/).fill('Insults the authors');
    await screenshot(R, 'moderation-comment-report-desktop');
    await form.getByRole('button', { name: 'Send report' }).click();
    await theirs.getByTestId('report-done').waitFor();
    const stored = await models.Report.findOne({ type: 'comment' }).lean();
    expect(stored!.itemId).to.equal(`${papers}:${commentId}`);

    // It arrives live in the queue, labelled; its "Open in place" points at the comment.
    const entry = M.getByTestId('queue-entry').filter({ has: M.getByTestId('queue-entry-type').filter({ hasText: /^Comment on a paper$/ }) });
    await entry.click();
    await M.getByTestId('review-item').filter({ hasText: 'clowns' }).waitFor();
    const meta = M.getByTestId('review-meta');
    expect(await meta.locator('.badge').innerText()).to.equal('Comment on a paper');
    const place = meta.getByRole('link', { name: /^Open in place/ });
    expect(await place.innerText()).to.match(/^Open in place/);
    expect(await place.getAttribute('href')).to.equal(`${paperPath}#comment-${commentId}`);
    const action = M.getByTestId('action-form');
    await action.getByRole('radio', { name: 'Put behind a content warning' }).check();
    await action.getByLabel('Reason (the author sees it)').selectOption('harassment');
    await action.getByRole('button', { name: 'Apply' }).click();
    await M.getByTestId('item-actions').filter({ hasText: 'Put behind a content warning' }).waitFor();
    await screenshot(M, 'moderation-comment-queue-desktop');
    await place.click();
    await M.waitForURL(`${server.url}${paperPath}#comment-${commentId}`);
    const target = M.locator(`#comment-${commentId}`);
    await target.and(M.locator(':focus')).waitFor();
    await target.getByTestId('comment-warning').waitFor();

    // The member finds the comment collapsed behind the warning until they choose to see it.
    await R.goto(`${server.url}${paperPath}`);
    const warning = theirs.getByTestId('comment-warning');
    await warning.filter({ hasText: 'Harassment' }).waitFor();
    expect(await R.getByText('clowns').count()).to.equal(0);
    await warning.getByRole('button', { name: /^Show content/ }).click();
    await theirs.getByTestId('comment-body').filter({ hasText: 'clowns' }).waitFor();
    await screenshot(R, 'moderation-comment-warning-desktop');
    const phone = await open({ viewport: VIEWPORTS.phone });
    await signIn(phone.page, commenter);
    await phone.page.goto(`${server.url}${paperPath}`);
    await phone.page.getByTestId('comment-warning').waitFor();
    expect(await phone.page.getByTestId('comment').filter({ hasText: 'Content warning' }).getByTestId('report-button').count(), 'nothing to report on one\'s own comment').to.equal(0);
    await screenshot(phone.page, 'moderation-comment-warning-phone');
    expect(modTab.problems()).to.deep.equal([]);
    expect(readerTab.problems()).to.deep.equal([]);
    expect(phone.problems()).to.deep.equal([]);
  });

  it('says "Text withheld by moderators" for library revisions whose text members may not read', async () => {
    const library = await channel('library');
    const moderator = await makeMember(models, { roles: ['moderator'], sector: 'civil_society' });
    const other = await makeMember(models, { roles: ['moderator'], sector: 'government' });
    const member = await makeMember(models, { sector: 'industry' });
    const moderatorApi = await apiAs(moderator);
    const created = await moderatorApi.post(`/api/channels/${library}/resources`, { title: 'Contact sheet', category: 'Contacts', body: 'Call Jane Roe on 0170 555 0101.' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const resourcePath = `/channels/${library}/resources/${created.body.id}`;
    const revised = await moderatorApi.request('PATCH', `/api/channels/${library}/resources/${created.body.id}`, { body: 'Call Jane Roe on 0170 555 0101 or e-mail jane@example.org.', note: 'Added the e-mail' });
    expect(revised.status, JSON.stringify(revised.body)).to.equal(200);
    // Another moderator edits out the personal data: members see the redacted current text only.
    const otherApi = await apiAs(other);
    const redacted = await otherApi.post('/api/moderation/actions', { type: 'library', id: `${library}:${created.body.id}`, kind: 'redact', reason: 'personal_data', note: '', redactedText: 'Call the duty desk.' });
    expect(redacted.status, JSON.stringify(redacted.body)).to.equal(201);

    const tab = await open();
    const U = tab.page;
    await signIn(U, member);
    await U.goto(`${server.url}${resourcePath}`);
    const history = U.getByRole('list', { name: 'Revision history' }).getByRole('listitem');
    await history.first().waitFor();
    expect(await history.count()).to.equal(2);
    for (let index = 0; index < 2; index++) await history.nth(index).locator('summary').click();
    const current = history.filter({ hasText: 'Revision 2' });
    await current.getByTestId('revision-redacted').waitFor();
    expect(await current.getByTestId('revision-body').innerText()).to.equal('Call the duty desk.');
    const earlier = history.filter({ hasText: 'Revision 1' });
    expect(await earlier.getByTestId('revision-withheld').innerText()).to.equal('Text withheld by moderators: Doxxing or personal data');
    expect(await U.locator('main').innerText()).to.not.include('Jane Roe');
    await screenshot(U, 'moderation-revisions-redacted-desktop');

    // Hidden: no version has text or title for members.
    const hidden = await otherApi.post('/api/moderation/actions', { type: 'library', id: `${library}:${created.body.id}`, kind: 'hide', reason: 'personal_data', note: '' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    const phone = await open({ viewport: VIEWPORTS.phone });
    await signIn(phone.page, member);
    await phone.page.goto(`${server.url}${resourcePath}`);
    await phone.page.getByTestId('resource-hidden').waitFor();
    const list = phone.page.getByRole('list', { name: 'Revision history' }).getByRole('listitem');
    const count = await list.count();
    expect(count, 'every version listed, none with text').to.equal(2);
    for (let index = 0; index < count; index++) await list.nth(index).locator('summary').click();
    expect(await phone.page.getByTestId('revision-withheld').count()).to.equal(count);
    expect(await phone.page.locator('main').innerText()).to.not.include('Jane Roe');
    await screenshot(phone.page, 'moderation-revisions-hidden-phone');
    expect(tab.problems()).to.deep.equal([]);
    expect(phone.problems()).to.deep.equal([]);
  });

  it('reads in Arabic (right to left) and Russian, with each language\'s plural forms', async () => {
    const channelId = await channel('discussion');
    const author = await makeMember(models, { sector: 'industry' });
    const moderator = await makeMember(models, { roles: ['moderator'], sector: 'civil_society' });
    const authorApi = await apiAs(author);
    const ids: string[] = [];
    for (const text of ['Translated queue one', 'Translated queue two', 'Translated queue three']) {
      const sent = await authorApi.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: randomBytes(8).toString('hex') });
      expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
      ids.push(String(sent.body.id));
    }
    // Two reporters on one, one on another, and a terrorist-content report the daily limit of 0 withholds.
    const start = Date.now() - 600_000;
    await models.ModerationQueue.insertMany(
      ids.map((id, index) => ({
        _id: `message:${id}`,
        type: 'message',
        itemId: id,
        authorId: String(author._id),
        reasons: [{ harassment: 2 }, { off_topic: 1 }, { terrorist_content: 1 }][index],
        reporters: [2, 1, 1][index],
        firstReportAt: new Date(start + index * 60_000),
        lastReportAt: new Date(start + index * 60_000),
        state: 'open',
      })),
    );
    const moderatorApi = await apiAs(moderator);
    expect((await moderatorApi.request('PUT', '/api/moderation/wellbeing', { dailyLimit: 0 })).status).to.equal(200);

    const expected = {
      ar: { dir: 'rtl', title: 'قائمة المراجعة', shown: 'في القائمة محتويان.', two: 'بلاغان', one: 'بلاغ واحد', withheld: 'لا يُعرض عليك محتوى واحد مُبلَّغ عنه بوصفه محتوى إرهابيًا: لقد بلغت حدك اليومي.' },
      ru: { dir: 'ltr', title: 'Очередь на проверку', shown: 'В списке 2 материала.', two: '2 жалобы', one: '1 жалоба', withheld: '1 материал с жалобой на террористический контент вам не показывается: вы достигли дневного лимита.' },
    } as const;
    for (const [language, want] of Object.entries(expected)) {
      for (const [viewport, name] of [[VIEWPORTS.desktop, 'desktop'], [VIEWPORTS.phone, 'phone']] as const) {
        const watched = await open({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
        const { page } = watched;
        await signIn(page, moderator);
        await page.context().addCookies([{ name: 'convene_locale', value: language, url: server.url }]);
        await page.goto(`${server.url}/moderation`);
        await page.getByRole('heading', { level: 1, name: want.title }).waitFor();
        expect(await page.locator('html').getAttribute('dir')).to.equal(want.dir);
        const shown = page.getByTestId('queue-shown');
        await shown.filter({ hasText: want.shown }).waitFor();
        const harassment = page.getByTestId('queue-entry').filter({ hasText: language === 'ar' ? 'مضايقة' : 'Преследование' });
        expect(await harassment.locator('.queue-count').innerText()).to.equal(want.two);
        const offTopic = page.getByTestId('queue-entry').filter({ hasText: language === 'ar' ? 'خارج الموضوع' : 'Не по теме' });
        expect(await offTopic.locator('.queue-count').innerText()).to.equal(want.one);
        expect(await page.getByTestId('withheld').innerText()).to.equal(want.withheld);
        await harassment.click();
        await page.getByTestId('review-item').filter({ hasText: 'Translated queue one' }).waitFor();
        // (A string: the tests are type-checked without the DOM's types.)
      const wide = await page.evaluate<string[]>(`(() => { const main = document.querySelector('main').getBoundingClientRect(); return [...document.querySelectorAll('main *')].filter((element) => { const box = element.getBoundingClientRect(); return box.width > 0 && (box.left < main.left - 1 || box.right > main.right + 1); }).map((element) => element.tagName + '.' + element.className); })()`);
      expect(wide, 'nothing in the page wider than it').to.deep.equal([]);
        await screenshot(page, `moderation-queue-${language}-${name}`);
        expect(watched.problems()).to.deep.equal([]);
      }
    }
  });
});

