import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { VIEWPORTS, launchBrowser, openPage, screenshot, waitForFocus, type WatchedPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The built file of socket.io-client, which the live connection fetches after the first render. */
function liveClientFile(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../frontend/dist/.vite/manifest.json', import.meta.url), 'utf8')) as Record<string, { file: string }>;
  const entry = manifest['../node_modules/socket.io-client/build/esm/index.js'];
  if (!entry) throw new Error('socket.io-client is not a chunk of its own in the build');
  return entry.file;
}

describe('app shell (browser)', () => {
  let server: TestServer;
  let browser: Browser;
  let watched: WatchedPage | undefined;

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  afterEach(async () => {
    await watched?.close();
    watched = undefined;
  });

  async function open(path: string, viewport: { width: number; height: number } = VIEWPORTS.desktop) {
    watched = await openPage(browser, { viewport });
    const response = await watched.page.goto(server.url + path);
    expect(response?.status(), `GET ${path}`).to.equal(200);
    return watched.page;
  }

  it('shows the header, navigation and main content, and connects live without errors', async () => {
    const page = await open('/');

    const header = page.getByRole('banner');
    expect(await header.getByRole('link', { name: 'Convene' }).isVisible()).to.equal(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).to.equal(true);
    expect(await page.getByRole('main').isVisible()).to.equal(true);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Welcome to Convene');
    // The phone-only menu button stays out of the way on a wide screen.
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).to.equal(false);

    const status = page.getByTestId('connection-status');
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
    // What a screen reader announces: the visually hidden prefix and the visible label.
    expect((await status.textContent())?.replace(/\s+/g, ' ').trim()).to.equal('Connection: Live');
    expect(await page.title()).to.equal('Home · Convene');

    await screenshot(page, 'shell-home-desktop');
    expect(watched!.problems()).to.deep.equal([]);
  });

  it('renders the first page before the live client arrives, connects when it does, and retries a failed fetch', async () => {
    watched = await openPage(browser);
    const page = watched.page;
    const file = liveClientFile();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let fetches = 0;
    await page.route(`**/${file}`, async (route) => {
      fetches += 1;
      if (fetches === 1) {
        await released;
        await route.abort('internetdisconnected');
      } else await route.continue();
    });
    await page.goto(`${server.url}/sign-in`);
    // The page is there, working, while its live client is still on the way.
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.getByTestId('connection-status').getAttribute('data-state')).to.equal('connecting');
    expect(fetches).to.equal(1);
    // The first fetch fails: the header says so, and the fetch is tried again until it arrives.
    release();
    await page.locator('[data-testid=connection-status][data-state=reconnecting]').waitFor();
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
    expect(fetches).to.equal(2);
    expect(watched.pageErrors).to.deep.equal([]);
  });

  it('routes on the client: sidebar links, deep links and unknown paths', async () => {
    const page = await open('/');
    // Survives only if the document is never reloaded.
    await page.evaluate('window.__sameDocument = true');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'System status' }).click();
    await page.waitForURL(`${server.url}/status`);
    const heading = page.getByRole('heading', { level: 1, name: 'System status' });
    await waitForFocus(heading);
    expect(await page.evaluate('window.__sameDocument')).to.equal(true);
    expect(await page.title()).to.equal('System status · Convene');
    expect(
      await page.getByRole('link', { name: 'System status' }).getAttribute('aria-current'),
      'the current page is marked in the sidebar',
    ).to.equal('page');

    const ready = page.getByTestId('ready-state');
    await ready.filter({ hasText: /^\s*Answering\s*$/ }).waitFor();
    expect((await ready.innerText()).trim()).to.equal('Answering');

    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Welcome to Convene' }).waitFor();
    expect(await page.evaluate('window.__sameDocument')).to.equal(true);

    // A deep link is served the app (history fallback) and lands on the right page.
    await page.goto(`${server.url}/status`);
    await page.getByRole('heading', { level: 1, name: 'System status' }).waitFor();
    await page.getByTestId('ready-state').filter({ hasText: 'Answering' }).waitFor();
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
    await screenshot(page, 'shell-status-desktop');

    const missing = await page.goto(`${server.url}/nowhere`);
    expect(missing?.status()).to.equal(200);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.title()).to.equal('Not found · Convene');

    expect(watched!.problems()).to.deep.equal([]);
  });

  it('lets keyboard users skip straight to the content', async () => {
    const page = await open('/');
    await page.getByRole('heading', { level: 1 }).waitFor();

    await page.keyboard.press('Tab');
    const skipLink = page.getByRole('link', { name: 'Skip to content' });
    await waitForFocus(skipLink);
    // Off-screen until focused; then it must be in view.
    const box = await skipLink.boundingBox();
    expect(box?.y, 'the focused skip link is inside the viewport').to.be.at.least(0);

    await page.keyboard.press('Enter');
    await waitForFocus(page.getByRole('main'));
    expect(page.url()).to.match(/\/#main$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Welcome to Convene');

    // From the skipped-to content the next Tab reaches the page's own controls, not the header.
    await page.goto(`${server.url}/status`);
    await page.getByRole('heading', { level: 1, name: 'System status' }).waitFor();
    await page.keyboard.press('Tab');
    await waitForFocus(skipLink);
    await page.keyboard.press('Enter');
    await waitForFocus(page.getByRole('main'));
    await page.keyboard.press('Tab');
    await waitForFocus(page.getByRole('button', { name: 'Check again' }));

    expect(watched!.problems()).to.deep.equal([]);
  });

  it('hides the sidebar behind the Menu button on a phone', async () => {
    const page = await open('/', VIEWPORTS.phone);
    const nav = page.getByRole('navigation', { name: 'Main', includeHidden: true });
    const menu = page.getByRole('button', { name: 'Menu' });
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();

    expect(await menu.isVisible()).to.equal(true);
    expect(await menu.getAttribute('aria-expanded')).to.equal('false');
    expect(await nav.isVisible()).to.equal(false);
    await screenshot(page, 'shell-home-phone');

    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).to.equal('true');
    await nav.waitFor({ state: 'visible' });
    await screenshot(page, 'shell-home-phone-menu-open');

    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).to.equal('false');
    await nav.waitFor({ state: 'hidden' });

    // Choosing a page closes the menu again.
    await menu.click();
    await nav.getByRole('link', { name: 'System status' }).click();
    await page.waitForURL(`${server.url}/status`);
    await nav.waitFor({ state: 'hidden' });
    expect(await menu.getAttribute('aria-expanded')).to.equal('false');
    await page.getByTestId('ready-state').filter({ hasText: 'Answering' }).waitFor();
    await screenshot(page, 'shell-status-phone');

    expect(watched!.problems()).to.deep.equal([]);
  });
});
