import { expect } from 'chai';
import { browserSuite } from '../helpers/browser-suite.ts';
import { screenshot, waitForFocus } from '../helpers/browser.ts';
import { PASSWORD, makeMember } from '../factories/members.ts';
import { linkToken, waitForMail } from '../helpers/mail.ts';

describe('mail in the web app (browser)', function () {
  const suite = browserSuite();

  it('forgot password end to end: the link read from the mail server sets a new password', async function () {
    const member = await makeMember(suite.models);
    const watched = await suite.open();
    const { page } = watched;
    await page.goto(`${suite.server.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('E-mail address').fill(member.email);
    await screenshot(page, 'mail-forgot-password-desktop');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByTestId('forgot-answer').waitFor();
    expect(await page.getByTestId('forgot-answer').innerText()).to.match(/if an account has this address/i);

    const [mail] = await waitForMail(suite.server.server, member.email);
    const { url, token } = linkToken(mail!);
    await page.goto(`${suite.server.url}${new URL(url).pathname}#token=${token}`);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    // The token leaves the address bar once read.
    expect(page.url()).to.equal(`${suite.server.url}/reset-password`);
    await page.getByLabel('New password').fill('quiet harbour lantern 9');
    await screenshot(page, 'mail-reset-password-desktop');
    await page.keyboard.press('Enter');
    await page.getByTestId('reset-done').waitFor();
    await screenshot(page, 'mail-reset-password-done-desktop');

    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await page.getByLabel('E-mail address').fill(member.email);
    await page.getByLabel('Password').fill('quiet harbour lantern 9');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('account').waitFor({ state: 'attached' });
    const mails = await waitForMail(suite.server.server, member.email, 2);
    expect(mails[1]!.subject).to.match(/password was changed/i);
    expect(watched.problems()).to.deep.equal([]);
  });

  it('changes the address from the profile: the link mailed to the new address switches it, keyboard only', async function () {
    const member = await makeMember(suite.models);
    const next = `moved-${Math.random().toString(36).slice(2, 10)}@ministry.example`;
    const watched = await suite.open();
    const { page } = watched;
    await suite.signIn(page, member, '/profile');
    await page.getByRole('heading', { level: 2, name: 'E-mail address' }).waitFor();
    await page.getByLabel('New e-mail address').fill(next);
    await page.getByLabel('Your password').fill('wrong password entirely');
    await page.keyboard.press('Enter');
    await page.getByText('Your address was not changed').waitFor();
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByTestId('email-change-status').filter({ hasText: 'A link is on its way' }).waitFor();
    await screenshot(page, 'mail-email-change-desktop');

    const [mail] = await waitForMail(suite.server.server, next);
    const { url, token } = linkToken(mail!);
    await page.goto(`${suite.server.url}${new URL(url).pathname}#token=${token}`);
    const use = page.getByRole('button', { name: 'Use this address' });
    await use.focus();
    await waitForFocus(use);
    await page.keyboard.press('Enter');
    await page.getByTestId('email-change-done').waitFor();
    await screenshot(page, 'mail-email-change-done-desktop');
    await page.goto(`${suite.server.url}/profile`);
    await page.getByRole('definition').filter({ hasText: next }).waitFor();
    // The wrong password was a 400 the page expected and showed.
    expect(watched.problems().filter((problem) => !/status of 400 \(Bad Request\) \(http:\/\/[^)]+\/api\/me\/email\)/.test(problem))).to.deep.equal([]);
  });

  it('shows admins the outbox, and sends a test mail from it', async function () {
    const admin = await makeMember(suite.models, { roles: ['admin', 'moderator'] });
    const watched = await suite.open();
    const { page } = watched;
    await suite.signIn(page, admin);
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('heading', { level: 1, name: 'Outbox' }).waitFor();
    await page.getByRole('button', { name: 'Send me a test mail' }).click();
    await page.getByRole('status').filter({ hasText: 'queued' }).waitFor();
    await waitForMail(suite.server.server, admin.email);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByTestId('outbox-recent').getByRole('row').filter({ hasText: admin.email }).filter({ hasText: 'Sent' }).waitFor();
    await screenshot(page, 'mail-outbox-desktop');
    expect(watched.problems()).to.deep.equal([]);
  });

  it('shows an unverified applicant the banner, and the mailed link confirms the address', async function () {
    const applicant = await makeMember(suite.models, { status: 'applicant', emailVerified: false });
    const watched = await suite.open();
    const { page } = watched;
    await suite.signIn(page, applicant);
    const banner = page.getByTestId('verify-banner');
    await banner.waitFor();
    await screenshot(page, 'mail-verify-banner-desktop');
    await banner.getByRole('button', { name: 'Send the link again' }).click();
    await banner.getByRole('status').waitFor();
    const [mail] = await waitForMail(suite.server.server, applicant.email);
    const { url, token } = linkToken(mail!);
    await page.goto(`${suite.server.url}${new URL(url).pathname}#token=${token}`);
    const confirm = page.getByRole('button', { name: 'Confirm my address' });
    await confirm.focus();
    await waitForFocus(confirm);
    await page.keyboard.press('Enter');
    await page.getByTestId('verify-done').waitFor();
    await screenshot(page, 'mail-verify-done-desktop');
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByTestId('verify-banner').count()).to.equal(0);
    // The start page asks for an application this applicant has not sent yet: a 404 it expects.
    expect(watched.problems().filter((problem) => !/status of 404 \(Not Found\) \(http:\/\/[^)]+\/api\/application\)/.test(problem))).to.deep.equal([]);
  });
});
