import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { prepareFirstAdminToken } from '../../backend/src/setup/setup.actions.ts';
import { PASSWORD, makeMember, makeOrganisation, signedIn } from '../factories/members.ts';
import { ApiClient } from '../helpers/client.ts';
import { VIEWPORTS, launchBrowser, openPage, screenshot, waitForFocus, type WatchedPage } from '../helpers/browser.ts';
import { freePort, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { linkToken, waitForMail } from '../helpers/mail.ts';

/**
 * Chromium logs every 4xx answer to a fetch as a console error. These are the ones the app asks
 * for on purpose ("have I applied yet?" is a 404 until one has); anything else is a problem.
 */
const EXPECTED_CONSOLE: RegExp[] = [/status of 404 \(Not Found\) \(http:\/\/[^)]+\/api\/application\)/];

/** Problems in the page other than the expected ones, and other than `refused` (requests the test makes fail on purpose). */
function unexpected(watched: WatchedPage, refused: { status: number; path: string }[] = []): string[] {
  const allowed = [...EXPECTED_CONSOLE, ...refused.map(({ status, path }) => new RegExp(`status of ${status} \\([A-Za-z ]+\\) \\(http://[^)]+${path}\\)`))];
  return watched.problems().filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
}

describe('membership (browser)', () => {
  let server: TestServer;
  let models: Models;
  let browser: Browser;
  const opened: WatchedPage[] = [];

  before(async () => {
    server = await startTestServer();
    models = server.server.ctx.models;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    for (const watched of opened.splice(0)) await watched.close();
  });

  async function open(path: string, viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<WatchedPage> {
    const watched = await openPage(browser, { viewport });
    opened.push(watched);
    const response = await watched.page.goto(server.url + path);
    expect(response?.status(), `GET ${path}`).to.equal(200);
    return watched;
  }

  const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Main' });
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });
  const live = (page: Page) => page.locator('[data-testid=connection-status][data-state=connected]').waitFor();

  async function signIn(page: Page, email: string, password = PASSWORD) {
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('account').waitFor({ state: 'attached' });
  }

  /** The sign-out button sits in the sidebar, behind the Menu button on a phone. */
  async function signOut(page: Page) {
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor();
  }

  it('an applicant applies, a moderator asks, approves, and the new member sees the member area', async () => {
    const org = await makeOrganisation(models, { name: 'Ministry of Examples', sector: 'government', domains: ['ministry.example'] });
    const moderator = await makeMember(models, { roles: ['moderator'], name: 'Mona Moderator' });

    // --- The applicant: create an account (a weak password is refused next to its field) ---
    const applicant = await open('/');
    const a = applicant.page;
    await live(a);
    await sidebar(a).getByRole('link', { name: 'Apply' }).click();
    await waitForFocus(heading(a, 'Apply for membership'));
    await screenshot(a, 'membership-apply-account-desktop');

    await a.getByLabel('Full name').fill('Ada Applicant');
    await a.getByLabel('Work e-mail address').fill('ada@ministry.example');
    await a.getByLabel('Password', { exact: true }).fill('password1234');
    await a.getByRole('button', { name: 'Create account and continue' }).click();
    const passwordError = a.locator('#apply-password-error');
    await passwordError.waitFor();
    expect(await passwordError.innerText()).to.match(/common/i);
    expect(await a.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).to.equal('true');
    await waitForFocus(a.getByTestId('error-summary'));
    await screenshot(a, 'membership-apply-account-error-desktop');

    await a.getByLabel('Password', { exact: true }).fill('glacier orbit lantern 7');
    await a.getByRole('button', { name: 'Create account and continue' }).click();

    // --- Step 2: the application; a too-short reason is refused next to its field ---
    const form = a.getByTestId('application-form');
    await form.waitFor();
    await form.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Ministry of Examples' });
    expect(await a.getByTestId('derived-sector').innerText()).to.contain('Government');
    await form.getByLabel('Job title').fill('Policy adviser');
    await form.getByLabel('Why you need access').fill('Too short.');
    await form.getByLabel('Referee’s name').fill('Rita Referee');
    await form.getByLabel('Referee’s e-mail address').fill('rita@ministry.example');
    await form.getByLabel('Referee’s organisation').fill('Ministry of Examples');
    await screenshot(a, 'membership-apply-application-desktop');
    await form.getByRole('button', { name: 'Save application' }).click();
    const reasonError = a.locator('#application-reason-error');
    await reasonError.waitFor();
    expect(await form.getByLabel('Why you need access').getAttribute('aria-invalid')).to.equal('true');
    await screenshot(a, 'membership-apply-application-error-desktop');
    await form.getByLabel('Why you need access').fill('I coordinate our response to terrorist content online and need to work with platforms.');
    await form.getByRole('button', { name: 'Save application' }).click();

    // Not yet verified: the application is kept as a draft, out of the moderators' queue.
    await a.waitForURL(`${server.url}/application`);
    await a.getByTestId('application-status-label').filter({ hasText: 'Saved, not yet sent' }).waitFor();
    await a.getByTestId('application-draft-note').waitFor();
    await a.getByRole('heading', { level: 2, name: 'What you saved' }).waitFor();
    expect(await sidebar(a).getByRole('link', { name: 'My application' }).isVisible()).to.equal(true);
    expect(await sidebar(a).getByRole('link', { name: 'Directory' }).count()).to.equal(0);
    await screenshot(a, 'membership-application-draft-desktop');

    // The applicant confirms their address with the link the sign-up mailed (read from Mailpit):
    // the moderators' domain signal counts only a verified address.
    const [verifyMail] = await waitForMail(server.server, 'ada@ministry.example');
    const verifyLink = linkToken(verifyMail!);
    await a.goto(`${server.url}${new URL(verifyLink.url).pathname}#token=${verifyLink.token}`);
    await a.getByRole('button', { name: 'Confirm my address' }).click();
    await a.getByTestId('verify-done').waitFor();

    // An applicant cannot open member pages.
    await a.goto(`${server.url}/directory`);
    await heading(a, 'Not available to you').waitFor();
    await a.goto(`${server.url}/application`);
    // Verified now: the draft can be sent.
    await a.getByRole('button', { name: 'Change your application' }).click();
    await a.getByTestId('application-form').getByRole('button', { name: 'Send application' }).click();
    await a.getByTestId('application-status-label').filter({ hasText: 'Waiting for review' }).waitFor();
    await live(a);

    // --- The moderator, in a second browser context: sees the signals, asks a question ---
    const mod = await open('/vetting');
    const m = mod.page;
    await heading(m, 'Sign in').waitFor(); // a visitor is sent to sign in first…
    expect(new URL(m.url()).searchParams.get('next')).to.equal('/vetting');
    await m.getByLabel('E-mail address').fill(moderator.email);
    await m.getByLabel('Password').fill(PASSWORD);
    await m.getByRole('button', { name: 'Sign in' }).click();
    await heading(m, 'Vetting').waitFor(); // …and comes back afterwards.
    expect(await sidebar(m).getByRole('link', { name: 'Audit log' }).isVisible()).to.equal(true);

    const entry = m.getByTestId('vetting-entry').filter({ hasText: 'Ada Applicant' });
    await entry.waitFor();
    const signals = entry.getByRole('list', { name: 'Signals' });
    const signalText = (await signals.textContent())!.replace(/\s+/g, ' ');
    expect(signalText).to.contain('E-mail domain ministry.example matches the organisation');
    expect(signalText).to.contain('No other account with this name');
    await screenshot(m, 'membership-vetting-desktop');

    await entry.getByRole('button', { name: 'Ask a question…' }).click();
    await entry.getByLabel('Question').fill('Which unit do you work in?');
    await entry.getByRole('button', { name: 'Send question' }).click();
    await entry.getByText('Question sent.').waitFor();
    await entry.getByText('Question from a moderator').waitFor();

    // --- The applicant is told live, and answers ---
    await a.getByTestId('application-status-label').filter({ hasText: 'Question from a moderator' }).waitFor();
    expect(await a.getByTestId('thread').innerText()).to.contain('Which unit do you work in?');
    await screenshot(a, 'membership-application-question-desktop');

    // The bell counts it; the notification centre lists it, and following its link marks it read.
    const bell = a.getByTestId('notification-bell');
    await bell.and(a.locator('[aria-label="Notifications, 1 unread"]')).waitFor();
    await bell.click();
    await heading(a, 'Notifications').waitFor();
    const notification = a.getByTestId('notification').filter({ hasText: 'A moderator has a question' });
    await notification.waitFor();
    await screenshot(a, 'membership-notifications-desktop');
    await notification.getByRole('link').click();
    await a.waitForURL(`${server.url}/application`);
    await bell.and(a.locator('[aria-label="Notifications, none unread"]')).waitFor();
    await a.getByLabel('Your answer').fill('The online harms unit.');
    await a.getByRole('button', { name: 'Send answer' }).click();
    await a.getByTestId('application-status-label').filter({ hasText: 'Waiting for review' }).waitFor();

    // --- The moderator approves ---
    await m.getByRole('button', { name: 'Refresh' }).click();
    await entry.getByText('The online harms unit.').waitFor();
    await entry.getByRole('button', { name: 'Approve…' }).click();
    await entry.getByRole('button', { name: 'Approve Ada Applicant' }).click();
    await entry.getByText('Approved. Ada Applicant is now a member.').waitFor();
    // The form is gone; keyboard focus stays on the card rather than falling to the page.
    await waitForFocus(entry.getByRole('heading', { name: 'Ada Applicant' }));
    await screenshot(m, 'membership-vetting-approved-desktop');
    expect(unexpected(mod)).to.deep.equal([]);

    // --- The open page of the new member follows at once: reloaded session, member area ---
    await sidebar(a).getByRole('link', { name: 'Directory' }).waitFor();
    await a.getByTestId('application-status-label').filter({ hasText: 'Approved' }).waitFor();
    await live(a);

    // --- Signing out and in again lands in the member area ---
    await signOut(a);
    await a.getByTestId('session-notice').filter({ hasText: 'You have signed out.' }).waitFor();
    expect(await sidebar(a).getByRole('link', { name: 'Directory' }).count()).to.equal(0);
    await signIn(a, 'ada@ministry.example', 'glacier orbit lantern 7');
    await heading(a, 'Welcome, Ada Applicant').waitFor();
    await sidebar(a).getByRole('link', { name: 'Directory' }).click();
    await heading(a, 'Directory').waitFor();
    await a.getByTestId('directory-entry').filter({ hasText: 'Ada Applicant' }).waitFor();
    expect(await a.getByTestId('directory-entry').filter({ hasText: 'Ada Applicant' }).innerText()).to.contain(org.name);
    await screenshot(a, 'membership-directory-desktop');
    const refused = [
      { status: 400, path: '/api/auth/sign-up' },
      { status: 400, path: '/api/application/draft' },
    ];
    expect(unexpected(applicant, refused)).to.deep.equal([]);
  });

  it('a suspended member’s open page loses its connection and is sent to the sign-in page', async () => {
    const member = await makeMember(models, { name: 'Sam Suspended' });
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });

    const watched = await open('/sign-in', VIEWPORTS.phone);
    const page = watched.page;
    await page.getByLabel('E-mail address').fill(member.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Welcome, Sam Suspended').waitFor();
    await page.goto(`${server.url}/directory`);
    await heading(page, 'Directory').waitFor();
    await live(page);

    // Every state the connection indicator passes through from here on.
    // (A string: this file is compiled without the DOM library.)
    await page.evaluate(`
      window.__states = [];
      const status = document.querySelector('[data-testid=connection-status]');
      new MutationObserver(() => window.__states.push(status.getAttribute('data-state'))).observe(status, { attributes: true, attributeFilter: ['data-state'] });
    `);

    const res = await moderator.post(`/api/admin/members/${member._id}/suspend`, { reason: 'Shared a members-only alert publicly' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);

    await page.waitForURL(`${server.url}/sign-in`);
    const notice = page.getByTestId('session-notice');
    await notice.waitFor();
    expect(await notice.innerText()).to.contain('Your account has been suspended');
    // The page dropped its connection, then came back as a visitor.
    await live(page);
    const states = (await page.evaluate('window.__states')) as string[];
    expect(states.some((state) => state !== 'connected'), `states seen: ${states.join(', ')}`).to.equal(true);
    expect(await page.getByTestId('account').count()).to.equal(0);
    await screenshot(page, 'membership-suspended-sign-in-phone');

    // Member pages are closed to it now, and signing in again is refused with a clear message.
    await page.goto(`${server.url}/directory`);
    await heading(page, 'Sign in').waitFor();
    await page.getByLabel('E-mail address').fill(member.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('error-summary').getByText(/suspended/i).waitFor();
    // A read the page had in flight when the suspension landed is answered 401 (the page then
    // drops it): that race is real and harmless, so only 401s on reads are allowed besides the refusal.
    expect(unexpected(watched, [{ status: 403, path: '/api/auth/sign-in' }, { status: 401, path: '/api/(spaces|notifications|members|directory)[^)]*' }])).to.deep.equal([]);
  });

  it('sets up the first admin, and every screen reads well on a desktop and a phone', async function () {
    this.timeout(240_000);
    const token = (await prepareFirstAdminToken(server.server.ctx))!;
    expect(token).to.be.a('string');

    // First-admin setup (seen on a phone first).
    const setupPhone = await open('/setup', VIEWPORTS.phone);
    await setupPhone.page.getByLabel('Setup token').waitFor();
    await screenshot(setupPhone.page, 'membership-setup-phone');
    const setup = await open(`/setup?token=${encodeURIComponent(token)}`);
    let page = setup.page;
    await heading(page, 'Set up Convene').waitFor();
    expect(new URL(page.url()).search, 'the token leaves the address bar').to.equal('');
    await page.getByLabel('Your full name').fill('Alex Admin');
    await page.getByLabel('Your e-mail address').fill('alex@convene-ops.example');
    await page.getByLabel('Password').fill('vellum kettle harbour 88');
    await page.getByLabel('Organisation name').fill('Convene Operations');
    await page.getByLabel('Sector').selectOption('civil_society');
    await page.getByLabel('Web domain').fill('convene-ops.example');
    await screenshot(page, 'membership-setup-desktop');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await heading(page, 'Welcome, Alex Admin').waitFor();
    await sidebar(page).getByRole('link', { name: 'People' }).waitFor();
    expect(unexpected(setup)).to.deep.equal([]);

    // Some data worth looking at.
    await makeOrganisation(models, { name: 'Small Platform Ltd', sector: 'industry', domains: ['smallplatform.example'], verified: false });
    const liaison = await makeMember(models, { name: 'Lee Liaison', roles: ['liaison'], sector: 'government' });
    await makeMember(models, { name: 'Casey Civil', sector: 'civil_society' });
    await models.Member.updateOne({ _id: liaison._id }, { $set: { jobTitle: 'Head of online threats' } });
    const newcomer = new ApiClient(server.url);
    const signUp = await newcomer.post('/api/auth/sign-up', { email: 'pat@smallplatform.example', password: 'meadow copper signal 3', name: 'Pat Proposer' });
    expect(signUp.status, JSON.stringify(signUp.body)).to.equal(201);
    // Submitting needs a verified address (the link itself is covered in tests/api/mail.test.ts).
    await models.Member.updateOne({ email: 'pat@smallplatform.example' }, { $set: { emailVerifiedAt: new Date() } });
    const put = await newcomer.request('PUT', '/api/application', {
      proposedOrganisation: { name: 'Tiny Video Co', domain: 'tinyvideo.example' },
      sector: 'industry',
      jobTitle: 'Trust and safety lead',
      reason: 'We are a five-person video start-up and need to learn how to spot terrorist content.',
      referee: { name: 'Rob Referee', email: 'rob@bigplatform.example', organisation: 'Big Platform' },
    });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);

    const screens: { path: string; title: string; ready: (page: Page) => Promise<unknown> }[] = [
      { path: '/', title: 'Welcome, Alex Admin', ready: async () => undefined },
      { path: '/vetting', title: 'Vetting', ready: (p) => p.getByTestId('vetting-entry').first().waitFor() },
      { path: '/organisations', title: 'Organisations', ready: (p) => p.getByTestId('organisation').first().waitFor() },
      { path: '/people', title: 'People', ready: (p) => p.getByTestId('person').first().waitFor() },
      { path: '/audit', title: 'Audit log', ready: (p) => p.getByTestId('audit-row').first().waitFor() },
      { path: '/directory', title: 'Directory', ready: (p) => p.getByTestId('directory-entry').first().waitFor() },
      { path: '/profile', title: 'Profile', ready: async () => undefined },
      { path: '/notifications', title: 'Notifications', ready: async () => undefined },
    ];
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const watched = await open('/', viewport);
      page = watched.page;
      await signIn(page, 'alex@convene-ops.example', 'vellum kettle harbour 88');
      for (const screen of screens) {
        await page.goto(server.url + screen.path);
        await heading(page, screen.title).waitFor();
        await screen.ready(page);
        await live(page);
        await screenshot(page, `membership-screen${screen.path === '/' ? '-home' : screen.path.replace('/', '-')}-${name}`);
      }
      // Approving a proposed organisation offers to create it or to use an existing one.
      await page.goto(`${server.url}/vetting`);
      const proposal = page.getByTestId('vetting-entry').filter({ hasText: 'Pat Proposer' });
      await proposal.getByRole('button', { name: 'Approve…' }).click();
      await proposal.getByRole('option', { name: 'Create “Tiny Video Co”' }).waitFor({ state: 'attached' });
      await screenshot(page, `membership-vetting-approve-proposed-${name}`);

      // An admin grants and removes roles.
      await page.goto(`${server.url}/people`);
      const casey = page.getByTestId('person').filter({ hasText: 'Casey Civil' });
      await casey.getByRole('checkbox', { name: 'Liaison' }).check();
      await casey.getByText('Casey Civil is now a liaison.').waitFor();
      await casey.getByRole('checkbox', { name: 'Liaison' }).uncheck();
      await casey.getByText('Casey Civil is no longer a liaison.').waitFor();

      // The organisation editor and the suspend form, open.
      await page.goto(`${server.url}/organisations`);
      await page.getByRole('button', { name: 'Add an organisation' }).click();
      await page.getByRole('button', { name: 'Add organisation' }).click();
      await page.getByTestId('error-summary').waitFor();
      await screenshot(page, `membership-organisation-form-error-${name}`);
      await page.goto(`${server.url}/people`);
      await page.getByRole('button', { name: 'Suspend… Casey Civil' }).click();
      await page.getByRole('button', { name: 'Suspend', exact: true }).click();
      await page.getByText(/Give a reason/).waitFor();
      await screenshot(page, `membership-people-suspend-${name}`);
      await signOut(page);
      await screenshot(page, `membership-sign-in-${name}`);
      await page.goto(`${server.url}/sign-in?error=email_in_use`);
      await page.getByTestId('provider-error').waitFor();
      await screenshot(page, `membership-sign-in-provider-error-${name}`);
      await page.goto(`${server.url}/apply`);
      await heading(page, 'Apply for membership').waitFor();
      await screenshot(page, `membership-apply-${name}`);
      expect(unexpected(watched)).to.deep.equal([]);
    }

    // The applicant with a proposed organisation, on a phone.
    const phone = await open('/sign-in', VIEWPORTS.phone);
    await signIn(phone.page, 'pat@smallplatform.example', 'meadow copper signal 3');
    await phone.page.getByTestId('application-status-label').waitFor();
    await screenshot(phone.page, 'membership-application-pending-phone');
    await phone.page.getByRole('button', { name: 'Change your application' }).click();
    await phone.page.getByLabel('Name of the organisation').waitFor();
    await screenshot(phone.page, 'membership-application-edit-phone');
    expect(unexpected(phone)).to.deep.equal([]);
  });
});

describe('signing in with an identity provider (browser)', () => {
  let provider: TestOidcProvider;
  let server: TestServer;
  let browser: Browser;
  let appUrl: string;
  let watched: WatchedPage | undefined;

  before(async () => {
    appUrl = `http://127.0.0.1:${await freePort()}`;
    provider = await startOidcProvider({ redirectUris: [`${appUrl}/api/auth/oidc/ministry/callback`] });
    server = await startTestServer({ port: Number(new URL(appUrl).port), publicUrl: appUrl, oidcProviders: [provider.providerConfig('ministry', { name: 'Ministry ID' })] });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  afterEach(async () => {
    await watched?.close();
    watched = undefined;
  });

  /** Only our own pages: the provider's development login pages are not ours to judge. */
  const ours = (w: WatchedPage) => w.problems().filter((problem) => problem.includes(appUrl) || !problem.includes('http'));

  /** Goes through the provider's development login and consent pages. */
  async function atProvider(page: Page, login: string) {
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any');
    await page.locator('button[type=submit]').click();
    await page.locator('button[type=submit]').click(); // consent
    await page.waitForURL((url) => url.origin === appUrl);
  }

  it('offers a button per provider; a first sign-in registers an applicant, a clash is explained', async () => {
    provider.accounts.set('grace', { email: 'grace@ministry.example', email_verified: true, name: 'Grace Hopper' });
    watched = await openPage(browser, { viewport: VIEWPORTS.phone });
    const page = watched.page;
    await page.goto(`${appUrl}/sign-in`);
    const button = page.getByRole('link', { name: 'Sign in with Ministry ID' });
    await button.waitFor();
    expect(await button.getAttribute('rel')).to.equal('external');
    expect(await button.getAttribute('href')).to.equal('/api/auth/oidc/ministry/start');
    await screenshot(page, 'membership-sign-in-providers-phone');

    await button.click();
    await atProvider(page, 'grace');
    await page.getByRole('heading', { level: 1, name: 'Welcome, Grace Hopper' }).waitFor();
    await page.getByRole('link', { name: 'See your application' }).click();
    await page.getByRole('heading', { level: 1, name: 'My application' }).waitFor();
    await page.getByRole('link', { name: 'Fill in your application' }).waitFor();
    expect(ours(watched).filter((problem) => !EXPECTED_CONSOLE.some((pattern) => pattern.test(problem)))).to.deep.equal([]);
    await watched.close();

    // Someone whose provider account carries the address of an existing password account.
    const taken = await makeMember(server.server.ctx.models, { email: 'taken@ministry.example' });
    provider.accounts.set('clash', { email: taken.email, email_verified: true, name: 'Someone Else' });
    watched = await openPage(browser, { viewport: VIEWPORTS.desktop });
    await watched.page.goto(`${appUrl}/sign-in`);
    await watched.page.getByRole('link', { name: 'Sign in with Ministry ID' }).click();
    await atProvider(watched.page, 'clash');
    await watched.page.waitForURL(`${appUrl}/sign-in?error=email_in_use`);
    const message = watched.page.getByTestId('provider-error');
    expect(await message.innerText()).to.contain('Sign in with your password instead');
    await screenshot(watched.page, 'membership-sign-in-provider-clash-desktop');
    expect(ours(watched)).to.deep.equal([]);
  });
});
