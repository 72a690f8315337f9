import { expect } from 'chai';
import { browserSuite } from '../helpers/browser-suite.ts';
import { VIEWPORTS, screenshot, waitForFocus } from '../helpers/browser.ts';
import { makeMember } from '../factories/members.ts';
import { unsubscribeUrl } from '../../backend/src/notifications/notification-mail.ts';

describe('notification e-mail settings and unsubscribe (browser)', function () {
  const suite = browserSuite();

  it('changes e-mail settings on the profile with the keyboard; critical alerts offer no summary', async function () {
    const member = await makeMember(suite.models);
    const watched = await suite.open();
    const { page } = watched;
    await suite.signIn(page, member, '/profile');
    await page.getByRole('heading', { level: 2, name: 'E-mail when you are away' }).waitFor();
    const mention = page.getByLabel('Someone mentions me');
    await mention.waitFor();
    expect(await mention.inputValue()).to.equal('immediate');
    const critical = page.getByLabel('Critical alerts I may see');
    expect(await critical.locator('option').allInnerTexts()).to.deep.equal(['At once, when I am away (default)', 'Off']);
    await mention.selectOption('off');
    await page.getByLabel('Someone replies to me').selectOption('daily');
    const save = page.getByRole('button', { name: 'Save e-mail settings' });
    await save.focus();
    await waitForFocus(save);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await screenshot(page, 'notification-email-profile-desktop');
    const client = await suite.apiAs(member);
    expect((await client.get('/api/me/notification-email')).body.prefs).to.include({ mention: 'off', reply: 'daily', answer: 'hourly' });
    expect(watched.problems()).to.deep.equal([]);

    const phone = await suite.open({ viewport: VIEWPORTS.phone });
    await suite.signIn(phone.page, member, '/profile');
    await phone.page.getByLabel('Someone mentions me').waitFor();
    await screenshot(phone.page, 'notification-email-profile-phone');
    expect(phone.problems()).to.deep.equal([]);
  });

  it('an unsubscribe link shows a confirm page, and its button turns that kind off without signing in', async function () {
    const member = await makeMember(suite.models);
    const watched = await suite.open();
    const { page } = watched;
    const link = new URL(unsubscribeUrl(suite.server.server.ctx, String(member._id), 'answer'));
    await page.goto(`${suite.server.url}${link.pathname}${link.search}`);
    await page.getByRole('heading', { level: 1, name: 'Stop these e-mails?' }).waitFor();
    expect(await page.locator('body').innerText()).to.contain('answers to your questions');
    await screenshot(page, 'notification-email-unsubscribe-confirm-desktop');
    const stop = page.getByRole('button', { name: 'Stop these e-mails' });
    await stop.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Done' }).waitFor();
    const prefs = await suite.models.MailPrefs.findById(String(member._id)).lean();
    expect(prefs?.prefs).to.deep.include({ answer: 'off' });
    expect(watched.problems()).to.deep.equal([]);
  });
});
