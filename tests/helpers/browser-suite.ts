import { expect } from 'chai';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { PASSWORD } from '../factories/members.ts';
import { ApiClient } from './client.ts';
import { VIEWPORTS, launchBrowser, openPage, type WatchedPage } from './browser.ts';
import { startTestServer, type TestServer } from './server.ts';

/** What a browser test file shares: one server, one browser, pages closed after each test. */
export interface BrowserSuite {
  readonly server: TestServer;
  readonly models: Models;
  readonly browser: Browser;
  /** The pages opened in the current test (to check none logged a problem). */
  readonly opened: readonly WatchedPage[];
  /** A fresh context and page (desktop unless told), closed after the test. */
  open(options?: BrowserContextOptions): Promise<WatchedPage>;
  /** Signs in through the sign-in page (optionally going on to `next`) and waits for the account box. */
  signIn(page: Page, who: string | { email: string }, next?: string): Promise<void>;
  /** Waits until the page's live connection is up. */
  live(page: Page): Promise<void>;
  /** An API client signed in as this member (for setting up what the test then looks at). */
  apiAs(who: { email: string }): Promise<ApiClient>;
}

/**
 * Registers the suite's hooks in the current `describe` (start a server and a browser before,
 * close pages after each test, close both after) and returns what its tests use.
 */
export function browserSuite(overrides: Parameters<typeof startTestServer>[0] = {}): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const opened: WatchedPage[] = [];

  before(async () => {
    server = await startTestServer(overrides);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    for (const watched of opened.splice(0)) await watched.close();
  });

  const started = () => {
    if (!server || !browser) throw new Error('The browser suite has not started (use it inside a test or hook).');
    return { server, browser };
  };

  return {
    get server() {
      return started().server;
    },
    get models() {
      return started().server.server.ctx.models;
    },
    get browser() {
      return started().browser;
    },
    opened,
    async open(options = { viewport: VIEWPORTS.desktop }) {
      const watched = await openPage(started().browser, options);
      opened.push(watched);
      return watched;
    },
    async signIn(page, who, next) {
      const email = typeof who === 'string' ? who : who.email;
      await page.goto(`${started().server.url}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('account').waitFor({ state: 'attached' });
    },
    live: (page) => page.locator('[data-testid=connection-status][data-state=connected]').waitFor(),
    async apiAs(who) {
      const client = new ApiClient(started().server.url);
      expect((await client.post('/api/auth/sign-in', { email: who.email, password: PASSWORD })).status).to.equal(200);
      return client;
    },
  };
}
