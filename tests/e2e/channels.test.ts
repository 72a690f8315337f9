import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { PASSWORD, makeMember, signedIn } from '../factories/members.ts';
import { ApiClient } from '../helpers/client.ts';
import { VIEWPORTS, screenshot, waitForFocus, type WatchedPage } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/** Problems in the page other than answers the test provokes on purpose (`refused`: status and path). */
function unexpected(watched: WatchedPage, refused: { status: number; path: string }[] = []): string[] {
  const allowed = refused.map(({ status, path }) => new RegExp(`status of ${status} \\([A-Za-z ]+\\) \\(http://[^)]+${path}\\)`));
  return watched.problems().filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
}

describe('channels (browser)', () => {
  const suite = browserSuite({ postingBurst: 500 });
  const { open, signIn, live } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  async function channelId(spaceSlug: string, name: string): Promise<string> {
    const space = await models.Space.findOne({ slug: spaceSlug }).lean();
    const channel = await models.Channel.findOne({ spaceId: space!._id, name }).lean();
    return String(channel!._id);
  }

  async function makeChannel(spaceSlug: string, name: string, topic = ''): Promise<string> {
    const space = await models.Space.findOne({ slug: spaceSlug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name, topic });
    return String(channel._id);
  }

  const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Main' });
  /** A space's channel list in the sidebar (its heading names it). */
  const spaceList = (page: Page, space: string) => sidebar(page).getByRole('list', { name: space, exact: true });
  const channelLink = (page: Page, space: string, channel: string) => spaceList(page, space).getByRole('link', { name: new RegExp(`^${channel}(,|$)`) });
  const log = (page: Page) => page.getByRole('log');
  const messages = (page: Page) => log(page).getByTestId('message');
  const message = (page: Page, text: string) => messages(page).filter({ has: page.getByTestId('message-body').filter({ hasText: text }) });
  const composer = (page: Page) => page.getByRole('textbox', { name: /^Message #/ });

  /** The text of every delivered message in the log, in order. */
  async function bodies(page: Page): Promise<string[]> {
    return (await log(page).getByTestId('message-body').allInnerTexts()).map((text) => text.trim());
  }

  async function seqs(page: Page): Promise<number[]> {
    return (await messages(page).evaluateAll((items: any[]) => items.map((item) => Number(item.dataset.seq)))) as number[];
  }

  /** Opens a channel from the sidebar and waits until its messages are loaded. */
  async function enter(page: Page, space: string, channel: string) {
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await channelLink(page, space, channel).click();
    await page.getByRole('heading', { level: 1, name: channel }).waitFor();
    await log(page).and(page.locator('[aria-busy=false]')).waitFor();
  }

  /** Hover first: the actions of a message show on hover (or keyboard focus). */
  async function act(page: Page, item: Locator, action: string) {
    await item.hover();
    await item.getByRole('button', { name: new RegExp(`^${action}\\b`) }).click();
  }

  it('two members talk live, catch up after going offline without duplicates, and send what they wrote offline', async () => {
    const alex = await makeMember(models, { sector: 'industry', name: 'Alex Industry' });
    const gina = await makeMember(models, { sector: 'government', name: 'Gina Government' });
    const randomId = await makeChannel('plenary', `random-${randomBytes(2).toString('hex')}`, 'Anything else');
    const randomName = (await models.Channel.findById(randomId).lean())!.name;
    const governmentGeneral = await channelId('government', 'general');

    const a = await open();
    const g = await open();
    const A = a.page;
    const G = g.page;
    await signIn(A, alex.email);
    await signIn(G, gina.email);
    await live(A);
    await live(G);

    // --- Sidebars: each sees the spaces their sector opens, nothing else ---
    await channelLink(A, 'Plenary', 'general').waitFor();
    await spaceList(A, 'Industry').waitFor();
    expect(await spaceList(A, 'Government').count(), 'an industry member does not see the Government space').to.equal(0);
    expect(await sidebar(A).getByRole('link', { name: /^general/ }).count()).to.equal(2); // Plenary, Industry
    await channelLink(G, 'Government', 'general').waitFor();
    expect(await spaceList(G, 'Industry').count()).to.equal(0);

    // --- Both open Plenary #general and see each other there ---
    await enter(A, 'Plenary', 'general');
    await enter(G, 'Plenary', 'general');
    await A.waitForFunction(`document.title === '#general · Plenary · Convene'`);
    await A.getByTestId('presence').filter({ hasText: 'Gina Government' }).waitFor();
    await G.getByTestId('presence').filter({ hasText: 'Alex Industry' }).waitFor();

    // --- Alex writes, with an @mention picked from the suggestions; Gina sees him typing, then the message ---
    await composer(A).fill('Hello @gi');
    const suggestions = A.getByRole('listbox', { name: 'People to mention' });
    await suggestions.getByRole('option', { name: /Gina Government/ }).waitFor();
    await screenshot(A, 'channels-mention-desktop');
    expect(await suggestions.getByRole('option', { name: /Alex Industry/ }).count(), 'nobody mentions themselves').to.equal(0);
    await composer(A).press('Enter');
    expect(await composer(A).inputValue()).to.equal('Hello @Gina Government ');
    await composer(A).pressSequentially('welcome to the *plenary*');
    await G.getByTestId('typing-indicator').filter({ hasText: 'Alex Industry is typing…' }).waitFor();
    await screenshot(G, 'channels-typing-desktop');
    await composer(A).press('Enter');
    await message(G, 'welcome to the plenary').waitFor();
    expect(await composer(A).inputValue(), 'the composer is emptied after sending').to.equal('');
    // Markdown arrives rendered (and sanitised) by the server.
    expect(await message(G, 'welcome to the plenary').locator('em').innerText()).to.equal('plenary');
    expect(await message(G, 'welcome to the plenary').getByTestId('message-author').innerText()).to.equal('Alex Industry');
    await G.getByTestId('typing-indicator').filter({ hasText: /^$/ }).waitFor(); // the message ends the typing
    // The mention reached Gina as a notification.
    await G.getByTestId('notification-bell').and(G.locator('[aria-label="Notifications, 1 unread"]')).waitFor();

    // --- Gina replies in the thread; Shift+Enter makes a new line instead of sending ---
    await act(G, message(G, 'welcome to the plenary'), 'Reply');
    await G.getByTestId('replying-to').filter({ hasText: 'Replying to Alex Industry' }).waitFor();
    await waitForFocus(composer(G));
    await composer(G).pressSequentially('Thanks Alex!');
    await composer(G).press('Shift+Enter');
    await composer(G).pressSequentially('Glad to be here.');
    expect(await composer(G).inputValue()).to.equal('Thanks Alex!\nGlad to be here.');
    await composer(G).press('Enter');
    const replyOnA = message(A, 'Thanks Alex!');
    await replyOnA.waitFor();
    expect(await replyOnA.getByRole('link', { name: /Reply to you/ }).count()).to.equal(1);
    expect(await message(G, 'Thanks Alex!').getByRole('link', { name: /Reply to Alex Industry/ }).count()).to.equal(1);

    // --- A reaction shows for both; for its author it is pressed ---
    await act(A, replyOnA, 'React');
    const picker = A.getByRole('toolbar', { name: 'Choose a reaction' });
    await waitForFocus(picker.getByRole('button', { name: 'React with thumbs up' }));
    await screenshot(A, 'channels-reaction-picker-desktop');
    await picker.getByRole('button', { name: 'React with thumbs up' }).click();
    const mineOnA = replyOnA.getByRole('button', { name: 'thumbs up: 1 person, including you' });
    await mineOnA.waitFor();
    expect(await mineOnA.getAttribute('aria-pressed')).to.equal('true');
    const onG = message(G, 'Thanks Alex!').getByRole('button', { name: 'thumbs up: 1 person' });
    await onG.waitFor();
    expect(await onG.getAttribute('aria-pressed')).to.equal('false');
    await screenshot(A, 'channels-conversation-desktop');

    // --- Unread badges move live: Alex posts in another channel, Gina's sidebar counts it ---
    await enter(A, 'Plenary', randomName);
    await composer(A).fill('Over here too');
    await composer(A).press('Enter');
    await message(A, 'Over here too').waitFor();
    const randomOnG = channelLink(G, 'Plenary', randomName);
    await randomOnG.and(G.getByRole('link', { name: `${randomName}, 1 unread` })).waitFor();
    // Gina reads #general to the end, so it has no badge.
    expect(await channelLink(G, 'Plenary', 'general').getByTestId('unread-count').count()).to.equal(0);
    await enter(A, 'Plenary', 'general');

    // --- Gina goes offline; Alex sends three messages meanwhile ---
    const before = await bodies(G);
    await g.context.setOffline(true);
    await G.locator('[data-testid=connection-status][data-state=offline]').waitFor();
    await A.getByTestId('presence').filter({ hasText: 'Only you are here' }).waitFor();
    for (const text of ['Catch-up one', 'Catch-up two', 'Catch-up three']) {
      await composer(A).fill(text);
      await composer(A).press('Enter');
      await message(A, text).waitFor();
    }
    expect(await A.getByTestId('pending-message').count()).to.equal(0);

    // Gina writes while offline: the message waits, marked as not sent yet.
    await composer(G).fill('Written while offline');
    await composer(G).press('Enter');
    const queued = G.getByTestId('pending-message').filter({ hasText: 'Written while offline' });
    await queued.and(G.locator('[data-state=queued]')).waitFor();
    expect(await queued.innerText()).to.contain('Sending when you are back online…');
    expect(await bodies(G), 'nothing arrives while offline').to.deep.equal(before);
    await screenshot(G, 'channels-offline-desktop');

    // --- Back online: exactly the three missed messages, once and in order, then the queued one goes out ---
    await g.context.setOffline(false);
    await live(G);
    await message(G, 'Written while offline').waitFor();
    expect(await G.getByTestId('pending-message').count()).to.equal(0);
    const expected = [...before, 'Catch-up one', 'Catch-up two', 'Catch-up three', 'Written while offline'];
    expect(await bodies(G)).to.deep.equal(expected);
    const numbers = await seqs(G);
    expect(numbers, 'every number once, in order').to.deep.equal([...numbers].sort((x, y) => x - y));
    expect(new Set(numbers).size).to.equal(numbers.length);
    await message(A, 'Written while offline').waitFor();
    expect(await bodies(A)).to.deep.equal(expected);
    expect(await seqs(A)).to.deep.equal(numbers);

    // --- The keyboard: arrows move between messages, Tab reaches the actions of the one in focus ---
    await log(G).focus();
    await G.keyboard.press('ArrowUp');
    const last = message(G, 'Written while offline');
    await waitForFocus(last);
    await G.keyboard.press('ArrowUp');
    await waitForFocus(message(G, 'Catch-up three'));
    await G.keyboard.press('ArrowDown');
    await waitForFocus(last);
    await G.keyboard.press('Tab');
    await waitForFocus(last.getByRole('button', { name: /^React/ }));
    await G.keyboard.press('Tab');
    await G.keyboard.press('Tab');
    await waitForFocus(last.getByRole('button', { name: /^Edit/ }));
    await G.keyboard.press('Enter');
    await waitForFocus(G.getByRole('textbox', { name: 'Edit message' }));
    await G.keyboard.press('Escape');
    await waitForFocus(last.getByRole('button', { name: /^Edit/ }));
    // Past the focused message's actions, Tab leaves the list for the composer.
    await G.keyboard.press('Tab');
    await G.keyboard.press('Tab');
    await waitForFocus(composer(G));

    // --- Edit and delete: both see the marker and the placeholder ---
    await act(A, message(A, 'Catch-up two'), 'Edit');
    const editor = A.getByRole('textbox', { name: 'Edit message' });
    await waitForFocus(editor);
    await editor.fill('Catch-up two, corrected');
    await editor.press('Enter');
    await message(G, 'Catch-up two, corrected').getByTestId('message-edited').waitFor();
    // The earlier version stays visible to readers.
    await message(G, 'Catch-up two, corrected').getByTestId('message-edited').click();
    await message(G, 'Catch-up two, corrected').getByTestId('message-history').getByText('Catch-up two', { exact: true }).waitFor();
    await waitForFocus(message(A, 'Catch-up two, corrected').getByRole('button', { name: /^Edit/ }));
    await act(A, message(A, 'Catch-up one'), 'Delete');
    await message(A, 'Catch-up one').getByRole('button', { name: 'Delete', exact: true }).click();
    await G.locator(`[data-testid=message][data-seq="${numbers[before.length]}"]`).getByTestId('message-deleted').waitFor();
    expect(await message(G, 'Catch-up one').count()).to.equal(0);
    // Others' messages offer no Edit or Delete.
    await message(G, 'Catch-up three').hover();
    expect(await message(G, 'Catch-up three').getByRole('button', { name: /^(Edit|Delete)\b/ }).count()).to.equal(0);
    await screenshot(G, 'channels-after-catch-up-desktop');

    // --- Gina's sidebar: the unread #random opens and its badge goes ---
    await enter(G, 'Plenary', randomName);
    await message(G, 'Over here too').waitFor();
    await randomOnG.and(G.getByRole('link', { name: randomName, exact: true })).waitFor();

    // --- A government channel is not there for Alex, even by its address ---
    await A.goto(`${server.url}/channels/${governmentGeneral}`);
    await A.getByRole('heading', { level: 1, name: 'Channel not found' }).waitFor();

    expect(unexpected(a, [{ status: 404, path: `/api/channels/${governmentGeneral}` }, { status: 404, path: `/api/channels/${governmentGeneral}/messages\\?limit=50` }])).to.deep.equal([]);
    expect(unexpected(g)).to.deep.equal([]);
  });

  it('pages back through history keeping the view steady, follows links to a message, and works at phone width', async () => {
    const writer = await makeMember(models, { sector: 'academia', name: 'Rita Researcher' });
    const reader = await makeMember(models, { sector: 'civil_society', name: 'Cas Civil' });
    const name = `history-${randomBytes(2).toString('hex')}`;
    const id = await makeChannel('plenary', name, 'Long conversations');
    const client = new ApiClient(server.url);
    expect((await client.post('/api/auth/sign-in', { email: writer.email, password: PASSWORD })).status).to.equal(200);
    for (let n = 1; n <= 120; n++) {
      const text = n === 7 ? `Message ${n}: see [the report](https://example.org/report) for the *full* story` : `Message ${n}`;
      const response = await client.post(`/api/channels/${id}/messages`, { text, idempotencyKey: `history-${name}-${n}` });
      expect(response.status, `message ${n}`).to.equal(201);
    }

    const r = await open();
    const R = r.page;
    await signIn(R, reader.email);
    await live(R);
    await channelLink(R, 'Plenary', name).and(R.getByRole('link', { name: `${name}, 120 unread` })).waitFor();
    expect(await channelLink(R, 'Plenary', name).getByTestId('unread-count').innerText()).to.equal('99+');
    await enter(R, 'Plenary', name);
    await message(R, 'Message 120').waitFor();
    expect(await messages(R).count(), 'the newest page').to.equal(50);
    // Reading to the end clears the badge.
    await channelLink(R, 'Plenary', name).and(R.getByRole('link', { name, exact: true })).waitFor();

    // Scrolling to the top loads the page before, and what was on screen stays where it was. The
    // request waits until the position before it is measured.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await R.route(/\/messages\?before=71&/, async (route) => {
      await held;
      await route.continue();
    });
    const oldest = message(R, 'Message 71');
    await log(R).evaluate((element: any) => {
      element.scrollTop = 0;
    });
    await log(R).getByText('Loading earlier messages…').waitFor();
    const y = (await oldest.boundingBox())!.y;
    release();
    await message(R, 'Message 21').waitFor({ state: 'attached' });
    expect(await messages(R).count()).to.equal(100);
    expect(Math.abs((await oldest.boundingBox())!.y - y), 'the message on screen has not moved').to.be.below(2);
    await R.unroute(/\/messages\?before=71&/);
    await log(R).evaluate((element: any) => {
      element.scrollTop = 0;
    });
    await log(R).getByText(`This is the start of #${name}.`).waitFor();
    expect(await seqs(R)).to.deep.equal(Array.from({ length: 120 }, (_, index) => index + 1));
    // Links in messages are the server's sanitised ones.
    const link = message(R, 'Message 7:').getByRole('link', { name: 'the report' });
    expect(await link.getAttribute('href')).to.equal('https://example.org/report');
    expect(await link.getAttribute('rel')).to.contain('noopener');
    await log(R).evaluate((element: any) => {
      element.scrollTop = 0;
    });
    await screenshot(R, 'channels-history-start-desktop');

    // A moderator pins message 7: the pinned list shows it, and takes the reader to it.
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    expect((await moderator.post(`/api/channels/${id}/messages/7/pin`, { pinned: true })).status).to.equal(200);
    await message(R, 'Message 7:').getByTestId('message-pinned').waitFor();
    await R.getByRole('button', { name: 'Pinned messages' }).click();
    const pins = R.getByRole('region', { name: 'Pinned messages' });
    await pins.getByText('see the report for the full story').waitFor();
    await screenshot(R, 'channels-pins-desktop');
    await pins.getByRole('button', { name: 'Show in channel' }).click();
    await waitForFocus(message(R, 'Message 7:'));

    // A link to one message (as in a mention notification) loads back to it, shows and focuses it.
    await R.goto(`${server.url}/`);
    await R.goto(`${server.url}/channels/${id}#12`);
    const target = R.locator('[data-testid=message][data-seq="12"]');
    await waitForFocus(target);
    expect(await target.isVisible()).to.equal(true);

    // --- A phone: the same channel, the sidebar behind the menu; tapping a message shows its actions ---
    const p = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    const P = p.page;
    await signIn(P, reader.email);
    await live(P);
    await enter(P, 'Plenary', name);
    await message(P, 'Message 120').waitFor();
    await composer(P).fill('Reading on the train');
    await composer(P).press('Enter');
    await message(P, 'Reading on the train').waitFor();
    await message(P, 'Message 119').tap();
    await message(P, 'Message 119').getByRole('button', { name: /^Reply/ }).tap();
    await P.getByTestId('replying-to').waitFor();
    await screenshot(P, 'channels-history-phone');
    await P.getByRole('button', { name: 'Menu' }).click();
    await sidebar(P).waitFor({ state: 'visible' });
    await screenshot(P, 'channels-sidebar-phone');

    expect(unexpected(r)).to.deep.equal([]);
    expect(unexpected(p)).to.deep.equal([]);
  });
});
