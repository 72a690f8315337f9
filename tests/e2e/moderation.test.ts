import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import { PASSWORD, makeMember } from '../factories/members.ts';
import { ApiClient } from '../helpers/client.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/**
 * The whole path through the UI: a member reports a message, a moderator (whose queue is open)
 * sees it arrive and hides it with a reason, the author sees the reason and appeals, another
 * moderator overturns, and the message is back.
 */
describe('moderation (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, live, opened } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  it('a member reports, a moderator hides with a reason, the author sees it and appeals, another moderator restores', async () => {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `e2e-mod-${randomBytes(3).toString('hex')}` });
    const channelId = String(channel._id);
    const author = await makeMember(models, { name: 'Alex Author' });
    const reporter = await makeMember(models, { name: 'Rita Reporter' });
    const first = await makeMember(models, { name: 'Mona Moderator', roles: ['moderator'] });
    const second = await makeMember(models, { name: 'Omar Otherjudge', roles: ['moderator'] });
    const authorApi = new ApiClient(server.url);
    await authorApi.post('/api/auth/sign-in', { email: author.email, password: PASSWORD });
    await authorApi.post(`/api/channels/${channelId}/messages`, { text: 'An unkind remark about a colleague', idempotencyKey: randomBytes(8).toString('hex') });

    // The first moderator has the queue open before anything is reported.
    const { page: M } = await open();
    await signIn(M, first);
    await M.goto(`${server.url}/moderation`);
    await live(M);
    await M.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();

    // The member reports through the message's Report action.
    const { page: R } = await open();
    await signIn(R, reporter);
    await R.goto(`${server.url}/channels/${channelId}`);
    const reported = R.getByTestId('message').filter({ hasText: 'An unkind remark' });
    await reported.click();
    await reported.getByRole('button', { name: /^Report/ }).click();
    const form = R.getByTestId('report-form');
    await form.getByRole('radio', { name: 'Harassment' }).check();
    await form.getByLabel(/Note for the moderators/).fill('Targets a named colleague');
    await screenshot(R, 'moderation-report-desktop');
    await form.getByRole('button', { name: 'Send report' }).click();
    await R.getByTestId('report-done').waitFor();

    // It arrives in the moderator's queue without a reload; they hide it with a reason.
    const entry = M.getByTestId('queue-entry').filter({ hasText: 'Harassment' });
    await entry.waitFor();
    await entry.click();
    await M.getByTestId('review-item').filter({ hasText: 'An unkind remark' }).waitFor();
    const action = M.getByTestId('action-form');
    await action.getByRole('radio', { name: 'Hide the item' }).check();
    await action.getByLabel('Reason (the author sees it)').selectOption('harassment');
    await action.getByLabel(/Note to the author/).fill('Please discuss ideas, not colleagues.');
    await screenshot(M, 'moderation-queue-desktop');
    await action.getByRole('button', { name: 'Apply' }).click();
    await M.getByRole('status').filter({ hasText: 'Hidden: Harassment' }).waitFor();

    // The reporter's channel shows the reason in place of the message, live.
    await R.getByTestId('message-hidden').filter({ hasText: 'Hidden by moderators: Harassment' }).waitFor();
    expect(await R.getByText('An unkind remark').count()).to.equal(0);

    // The author sees the reason and appeals, on a phone.
    const { page: A } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(A, author);
    await A.goto(`${server.url}/moderation/mine`);
    const mine = A.getByTestId('my-action').first();
    await mine.getByTestId('my-action-reason').filter({ hasText: 'Harassment' }).waitFor();
    await mine.getByText('Please discuss ideas, not colleagues.').waitFor();
    await mine.getByLabel(/Appeal this decision/).fill('It was a criticism of published work, not of the person.');
    await screenshot(A, 'moderation-appeal-phone');
    await mine.getByRole('button', { name: 'Send appeal' }).click();
    await A.getByText('Appeal waiting for a moderator').waitFor();
    expect(await A.getByTestId('appeal-form').count()).to.equal(0);

    // Another moderator overturns it: the message is back.
    const { page: O } = await open();
    await signIn(O, second);
    await O.goto(`${server.url}/moderation`);
    const appeal = O.getByTestId('appeals').getByRole('listitem').filter({ hasText: 'criticism of published work' });
    await appeal.waitFor();
    await appeal.getByLabel(/Note to the author/).fill('Agreed on review.');
    await appeal.getByRole('button', { name: 'Overturn and restore' }).click();
    await O.getByRole('status').filter({ hasText: 'the action was reversed' }).waitFor();
    // The moderator who acted cannot decide it (nothing to press in their list).
    await M.reload();
    await M.getByText('No appeals are waiting.').waitFor();

    await R.getByTestId('message-body').filter({ hasText: 'An unkind remark about a colleague' }).waitFor();
    await A.reload();
    await A.getByTestId('appeal-decision').filter({ hasText: 'Decision reversed on appeal' }).waitFor();
    await screenshot(A, 'moderation-decision-phone');
    const { page: T } = await open({ viewport: VIEWPORTS.phone });
    await signIn(T, reporter);
    await T.goto(`${server.url}/transparency`);
    await T.getByTestId('transparency-month').first().waitFor();
    await screenshot(T, 'moderation-transparency-phone');
    for (const watched of opened) expect(watched.cspViolations).to.deep.equal([]);
  });

  it('shows channel controls live: a notice, read-only for members, and content behind a warning until chosen', async () => {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `e2e-ctl-${randomBytes(3).toString('hex')}` });
    const channelId = String(channel._id);
    const author = await makeMember(models, { name: 'Wren Writer' });
    const member = await makeMember(models, { name: 'Rowan Reader' });
    const moderator = await makeMember(models, { name: 'Kai Keeper', roles: ['moderator'] });
    const authorApi = new ApiClient(server.url);
    await authorApi.post('/api/auth/sign-in', { email: author.email, password: PASSWORD });
    const sent = await authorApi.post(`/api/channels/${channelId}/messages`, { text: 'Screenshot of the attack manifesto, for analysis', idempotencyKey: randomBytes(8).toString('hex') });
    const moderatorApi = new ApiClient(server.url);
    await moderatorApi.post('/api/auth/sign-in', { email: moderator.email, password: PASSWORD });
    expect((await moderatorApi.post('/api/moderation/actions', { type: 'message', id: sent.body.id, kind: 'warning', reason: 'terrorist_content' })).status).to.equal(201);

    const { page: R } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(R, member);
    await R.goto(`${server.url}/channels/${channelId}`);
    await live(R);
    const warned = R.getByTestId('message-warning');
    await warned.waitFor();
    expect(await R.getByText('attack manifesto').count()).to.equal(0);

    const { page: M } = await open();
    await signIn(M, moderator);
    await M.goto(`${server.url}/channels/${channelId}`);
    await M.getByRole('button', { name: 'Channel controls' }).click();
    const controls = M.getByTestId('channel-controls');
    await controls.getByLabel('Read-only: only moderators can post').check();
    await controls.getByLabel('New pinned notice (Markdown)').fill('This channel is **paused** while we review reports.');
    await controls.getByRole('button', { name: 'Save controls' }).click();
    await controls.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await screenshot(M, 'moderation-controls-desktop');

    // The member's page follows without a reload: the notice, the read-only state, the composer closed.
    await R.getByTestId('channel-notice').filter({ hasText: 'paused' }).waitFor();
    await R.getByText('Moderators have made this channel read-only for now.').first().waitFor();
    await warned.getByRole('button', { name: /^Show content/ }).click();
    await R.getByTestId('message-body').filter({ hasText: 'attack manifesto' }).waitFor();
    await screenshot(R, 'moderation-channel-phone');
    for (const watched of opened) expect(watched.cspViolations).to.deep.equal([]);
  });

  it('opens terrorist-content reports concealed until the moderator chooses to look', async () => {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `e2e-tc-${randomBytes(3).toString('hex')}` });
    const author = await makeMember(models);
    const reporter = await makeMember(models);
    const moderator = await makeMember(models, { name: 'Vera Vigil', roles: ['moderator'] });
    const authorApi = new ApiClient(server.url);
    await authorApi.post('/api/auth/sign-in', { email: author.email, password: PASSWORD });
    const sent = await authorApi.post(`/api/channels/${String(channel._id)}/messages`, { text: 'Glorifying the attackers, with their slogan', idempotencyKey: randomBytes(8).toString('hex') });
    const reporterApi = new ApiClient(server.url);
    await reporterApi.post('/api/auth/sign-in', { email: reporter.email, password: PASSWORD });
    expect((await reporterApi.post('/api/moderation/reports', { type: 'message', id: sent.body.id, reason: 'terrorist_content' })).status).to.equal(201);

    const { page: M } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(M, moderator);
    await M.goto(`${server.url}/moderation`);
    await M.getByTestId('queue-entry').filter({ hasText: 'Terrorist content reported' }).first().click();
    await M.getByTestId('concealed').waitFor();
    expect(await M.getByText('Glorifying the attackers').count()).to.equal(0);
    await screenshot(M, 'moderation-concealed-phone');
    await M.getByTestId('reveal').click();
    await M.getByTestId('review-item').filter({ hasText: 'Glorifying the attackers' }).waitFor();
  });
});
