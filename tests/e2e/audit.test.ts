import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { makeMember } from '../factories/members.ts';
import { screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';

/** The audit log as an admin outside a space reads it: events there say they happened, not where or what. */
describe('audit log in the web app (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, apiAs } = suite;

  it('shows an event on an item in a space the admin may not enter as withheld, without its target', async function () {
    const { models } = suite;
    const space = await models.Space.findOne({ slug: 'government' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `gov-${randomBytes(4).toString('hex')}`, kind: 'discussion' });
    const official = await makeMember(models, { sector: 'government' });
    const moderator = await makeMember(models, { sector: 'government', roles: ['moderator'] });
    const admin = await makeMember(models, { sector: 'industry', roles: ['admin'] });
    const sent = await (await apiAs(official)).post(`/api/channels/${String(channel._id)}/messages`, { text: 'Internal.', idempotencyKey: randomBytes(8).toString('hex') });
    expect(sent.status).to.equal(201);
    const acted = await (await apiAs(moderator)).post('/api/moderation/actions', { type: 'message', id: sent.body.id, kind: 'warn', reason: 'off_topic', note: '' });
    expect(acted.status).to.equal(201);

    const { page } = await open();
    await signIn(page, admin, '/audit');
    const row = page.getByTestId('audit-row').filter({ hasText: 'moderation.action' }).first();
    await row.waitFor();
    expect(await row.innerText()).to.contain('Withheld: an item in a place you may not read');
    expect(await page.locator('main').innerText()).to.not.contain(String(channel._id));
    await screenshot(page, 'audit-withheld-desktop');
  });
});
