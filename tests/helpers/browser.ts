import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium through playwright-core (no bundled browser download).
 * Each test opens its own context, so cookies and storage never leak between tests.
 */

const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored; screenshots land here for people (and reviewers) to look at. */
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** Below mocha's e2e timeout, so a stuck wait fails with Playwright's message, not mocha's. */
const WAIT_MS = 10_000;

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** `console.error` calls and browser-logged errors (failed loads, CSP refusals, …). */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections in the page. */
  pageErrors: string[];
  /** `securitypolicyviolation` events: what was blocked, by which directive. */
  cspViolations: string[];
  /** All of the above in one list, for `expect(watched.problems()).to.deep.equal([])`. */
  problems(): string[];
  /** Closes the page and its context. */
  close(): Promise<void>;
}

// Runs in the page before any of its own scripts; the init script is injected by the browser
// itself, so the page's Content-Security-Policy does not block it.
const REPORT_CSP_VIOLATIONS = `
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__conveneCspViolation(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline') +
      (event.sourceFile ? ' at ' + event.sourceFile + ':' + event.lineNumber : ''));
  });
`;

/** A fresh context and page that records everything that would show up red in the dev tools. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop, ...options });
  context.setDefaultTimeout(WAIT_MS);
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  await context.exposeBinding('__conveneCspViolation', (_source, description: string) => {
    cspViolations.push(description);
  });
  await context.addInitScript(REPORT_CSP_VIOLATIONS);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  return {
    page,
    context,
    consoleErrors,
    pageErrors,
    cspViolations,
    problems: () => [...consoleErrors, ...pageErrors, ...cspViolations],
    close: () => context.close(),
  };
}

/** Waits until `locator` is the focused element. */
export async function waitForFocus(locator: Locator): Promise<void> {
  await locator.and(locator.page().locator(':focus')).waitFor();
}

/** Full-page screenshot into test-results/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
