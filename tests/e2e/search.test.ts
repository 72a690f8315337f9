import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { PASSWORD, makeMember, signedIn } from '../factories/members.ts';
import { VIEWPORTS, launchBrowser, openPage, screenshot, waitForFocus, type WatchedPage } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const word = () => `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

describe('search (browser)', () => {
  let server: TestServer;
  let models: Models;
  let browser: Browser;
  const opened: WatchedPage[] = [];

  before(async () => {
    server = await startTestServer({ postingBurst: 500 });
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

  async function open(options: BrowserContextOptions = { viewport: VIEWPORTS.desktop }): Promise<WatchedPage> {
    const watched = await openPage(browser, options);
    opened.push(watched);
    return watched;
  }

  async function signIn(page: Page, email: string) {
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('account').waitFor({ state: 'attached' });
  }

  async function general(slug: string): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    return String((await models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean())!._id);
  }

  it('finds a message from the header box (/ focuses it), highlights the words and opens the message', async () => {
    const unique = word();
    const plenary = await general('plenary');
    const { client } = await signedIn(server.url, models, { sector: 'industry' });
    const sent = await client.post(`/api/channels/${plenary}/messages`, { text: `New **${unique}** accounts were reposting the manifesto excerpt.`, idempotencyKey: randomBytes(8).toString('hex') });
    expect(sent.status).to.equal(201);
    for (let index = 0; index < 3; index++) {
      await client.post(`/api/channels/${plenary}/messages`, { text: `Filler message ${index} about something else.`, idempotencyKey: randomBytes(8).toString('hex') });
    }
    await server.server.ctx.search.idle();

    const reader = await makeMember(models, { sector: 'government' });
    const watched = await open();
    const { page } = watched;
    await signIn(page, reader.email);
    const box = page.getByRole('searchbox', { name: 'Search Convene' });
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await waitForFocus(box);
    await page.keyboard.type(`${unique} account`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const hit = page.getByTestId('search-hit');
    await hit.first().waitFor();
    expect(await hit.count()).to.equal(1);
    expect(await page.getByTestId('search-count').innerText()).to.equal('1 result');
    expect(await hit.locator('mark').allInnerTexts()).to.deep.equal([unique, 'accounts']);
    expect(await hit.getByText('Message', { exact: true }).count()).to.equal(1);
    await screenshot(page, 'search-results-desktop');

    await hit.getByRole('link', { name: '#general · Plenary' }).click();
    await page.waitForURL(new RegExp(`/channels/${plenary}#${sent.body.seq}$`));
    const target = page.locator(`#message-${sent.body.seq}`);
    await target.waitFor();
    expect(await target.innerText()).to.contain(unique);
    expect(watched.problems()).to.deep.equal([]);
  });

  it('says when nothing is found, keeps the filters in the address and works on a phone', async () => {
    const unique = word();
    const reader = await makeMember(models, { sector: 'government' });
    const industry = await general('industry');
    const { client } = await signedIn(server.url, models, { sector: 'industry' });
    await client.post(`/api/channels/${industry}/messages`, { text: `${unique} for industry only`, idempotencyKey: randomBytes(8).toString('hex') });
    await server.server.ctx.search.idle();

    const watched = await open({ viewport: VIEWPORTS.phone });
    const { page } = watched;
    await signIn(page, reader.email);
    await page.goto(`${server.url}/search?q=${unique}`);
    await page.getByTestId('search-empty').waitFor();
    expect(await page.getByTestId('search-empty').innerText()).to.contain(`Nothing found for “${unique}”`);
    await page.getByLabel('Type').selectOption('member');
    await page.getByRole('button', { name: 'Search', exact: true }).last().click();
    await page.waitForURL(/type=member/);
    await page.getByRole('button', { name: 'Clear filters' }).waitFor();
    await screenshot(page, 'search-empty-phone');
    expect(watched.problems()).to.deep.equal([]);
  });
});
