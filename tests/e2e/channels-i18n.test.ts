import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { makeMember } from '../factories/members.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';

/**
 * The channel page in a right-to-left language (Arabic) and in Russian: the words, the direction
 * of the page and of each message (user content keeps the direction it is written in), names
 * isolated inside translated sentences, the message toolbar on the line's end side.
 */
describe('channels in other languages (browser)', () => {
  const suite = browserSuite({ postingBurst: 500 });
  const { open, signIn, live } = suite;

  /** Signs in (the sign-in page in English), then switches the page's language with the cookie the server reads. */
  async function enterIn(page: Page, email: string, locale: string, path: string) {
    await signIn(page, email);
    await page.context().addCookies([{ name: 'convene_locale', value: locale, url: suite.server.url }]);
    await page.goto(`${suite.server.url}${path}`);
    await page.locator(`html[lang="${locale}"]`).waitFor({ state: 'attached' });
    await live(page);
    await page.getByRole('log').and(page.locator('[aria-busy=false]')).waitFor();
  }

  it('reads right to left in Arabic and in Russian words, with names and messages keeping their own direction', async () => {
    const laila = await makeMember(suite.models, { sector: 'civil_society', name: 'ليلى حداد' });
    const oleg = await makeMember(suite.models, { sector: 'industry', name: 'Oleg Petrov' });
    const space = await suite.models.Space.findOne({ slug: 'plenary' }).lean();
    const name = `tr-${randomBytes(2).toString('hex')}`;
    const channel = await suite.models.Channel.create({ spaceId: space!._id, name, topic: '' });
    const path = `/channels/${String(channel._id)}`;

    const l = await open();
    const o = await open();
    const L = l.page;
    const O = o.page;
    await enterIn(L, laila.email, 'ar', path);
    await enterIn(O, oleg.email, 'ru', path);
    expect(await L.locator('html').getAttribute('dir')).to.equal('rtl');
    expect(await O.locator('html').getAttribute('dir')).to.equal('ltr');

    // The composer is named in each reader's language, the channel's name in it as written.
    const composerL = L.getByRole('textbox', { name: `رسالة إلى #${name}` });
    const composerO = O.getByRole('textbox', { name: `Сообщение в #${name}` });
    await composerL.waitFor();
    await composerO.waitFor();
    await L.getByText(`هذه بداية القناة #${name}.`).waitFor();

    // Typing: the sentence is Arabic, the Latin name sits in its own isolate.
    await composerO.pressSequentially('Привет всем');
    const typing = L.getByTestId('typing-indicator');
    await typing.filter({ hasText: 'يكتب…' }).waitFor();
    expect(await typing.locator('bdi').innerText()).to.equal('Oleg Petrov');
    await composerO.press('Enter');

    // Laila answers in Arabic; in Oleg's left-to-right page her message still runs right to left.
    const fromOleg = L.getByTestId('message').filter({ hasText: 'Привет всем' });
    await fromOleg.waitFor();
    await composerL.fill('مرحبًا بالجميع');
    await composerL.press('Enter');
    const fromLaila = O.getByTestId('message').filter({ hasText: 'مرحبًا بالجميع' });
    await fromLaila.waitFor();
    const direction = (locator: typeof fromLaila) => locator.locator('.text').evaluate((element: any) => (globalThis as any).getComputedStyle(element).direction as string);
    expect(await direction(fromLaila)).to.equal('rtl');
    expect(await direction(O.getByTestId('message').filter({ hasText: 'Привет всем' }))).to.equal('ltr');
    expect(await direction(fromOleg), 'Russian text in an Arabic page runs left to right').to.equal('ltr');
    expect(await fromLaila.getByTestId('message-author').innerText()).to.equal('ليلى حداد');

    // Presence in Russian names the other reader.
    await O.getByTestId('presence').filter({ hasText: 'Здесь:' }).filter({ hasText: 'ليلى حداد' }).waitFor();

    // The actions sit at the end of the line: on the left in Arabic, on the right in Russian.
    await fromOleg.hover();
    const toolbarL = fromOleg.getByRole('group', { name: /^إجراءات/ });
    const [itemBox, toolbarBox] = [await fromOleg.boundingBox(), await toolbarL.boundingBox()];
    expect(toolbarBox!.x - itemBox!.x, 'the toolbar is at the left edge of the message in Arabic').to.be.lessThan(40);
    await fromLaila.hover();
    const toolbarO = fromLaila.getByRole('group', { name: /^Действия:/ });
    const [itemBoxO, toolbarBoxO] = [await fromLaila.boundingBox(), await toolbarO.boundingBox()];
    expect(itemBoxO!.x + itemBoxO!.width - (toolbarBoxO!.x + toolbarBoxO!.width), 'and at the right edge in Russian').to.be.lessThan(40);

    // A reply in Arabic names whom it answers, the name isolated.
    await fromOleg.hover();
    await fromOleg.getByRole('button', { name: /^رد على رسالة/ }).click();
    const replying = L.getByTestId('replying-to');
    await replying.filter({ hasText: 'ردّ على' }).waitFor();
    expect(await replying.locator('strong bdi').innerText()).to.equal('Oleg Petrov');
    await screenshot(L, 'channels-i18n-ar-desktop');
    await composerL.fill('شكرًا');
    await composerL.press('Enter');
    const reply = O.getByTestId('message').filter({ hasText: 'شكرًا' });
    await reply.getByRole('link', { name: 'Ответ вам' }).waitFor();

    // A reaction is counted in Russian words.
    await fromLaila.hover();
    await fromLaila.getByRole('button', { name: /^Реакция/ }).click();
    await O.getByRole('toolbar', { name: 'Выберите реакцию' }).getByRole('button', { name: 'Реакция «палец вверх»' }).click();
    await fromLaila.getByRole('button', { name: 'палец вверх: 1 человек, включая вас' }).waitFor();
    await screenshot(O, 'channels-i18n-ru-desktop');

    // On a phone, in Arabic.
    const p = await open({ viewport: VIEWPORTS.phone });
    await enterIn(p.page, laila.email, 'ar', path);
    await p.page.getByTestId('message').filter({ hasText: 'شكرًا' }).waitFor();
    // Nothing of the channel page sticks out of it sideways (the shell around it is not this test's).
    const sticking = await p.page.locator('.channel-page').evaluate((container: any) => {
      const page = container.getBoundingClientRect();
      return [...container.querySelectorAll('*')]
        .filter((element: any) => !element.closest('.visually-hidden'))
        .map((element: any) => ({ element, box: element.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.left < page.left - 1 || box.right > page.right + 1))
        .map(({ element }) => `${String(element.tagName).toLowerCase()}.${String(element.className)}`);
    });
    expect(sticking).to.deep.equal([]);
    // The send button comes after the field: on its left in Arabic.
    const field = await p.page.getByRole('textbox', { name: `رسالة إلى #${name}` }).boundingBox();
    const send = await p.page.getByRole('button', { name: 'إرسال' }).boundingBox();
    expect(send!.x + send!.width).to.be.at.most(field!.x);
    await screenshot(p.page, 'channels-i18n-ar-phone');

    for (const watched of [l, o, p]) expect(watched.problems()).to.deep.equal([]);
  });

  it('keeps a moderator’s longer French toolbar inside the message on a phone', async () => {
    const moderator = await makeMember(suite.models, { sector: 'government', name: 'Margaux Modératrice', roles: ['moderator'] });
    const space = await suite.models.Space.findOne({ slug: 'plenary' }).lean();
    const name = `fr-${randomBytes(2).toString('hex')}`;
    const channel = await suite.models.Channel.create({ spaceId: space!._id, name, topic: '' });
    const phone = await open({ viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true });
    const P = phone.page;
    await enterIn(P, moderator.email, 'fr', `/channels/${String(channel._id)}`);
    const composer = P.getByRole('textbox', { name: `Message dans #${name}` });
    await composer.fill('Bonjour à toutes et à tous');
    await composer.press('Enter');
    const item = P.getByTestId('message').filter({ hasText: 'Bonjour à toutes et à tous' });
    await item.waitFor();
    await item.focus(); // what a tap on it does: the toolbar shows for the message in focus
    const toolbar = item.getByRole('group', { name: /^Actions pour le message de Margaux/ });
    await toolbar.getByRole('button', { name: /^Épingler/ }).waitFor();
    const [itemBox, toolbarBox] = [await item.boundingBox(), await toolbar.boundingBox()];
    expect(toolbarBox!.x, 'the toolbar starts inside the message').to.be.at.least(itemBox!.x);
    expect(toolbarBox!.x + toolbarBox!.width).to.be.at.most(itemBox!.x + itemBox!.width);
    await screenshot(P, 'channels-i18n-fr-phone-toolbar');
    expect(phone.problems()).to.deep.equal([]);
  });

  it('searches in Arabic: the words, the count and the empty answer', async () => {
    const member = await makeMember(suite.models, { sector: 'academia', name: 'Sami Search' });
    const w = await open();
    await signIn(w.page, member.email);
    await w.page.context().addCookies([{ name: 'convene_locale', value: 'ar', url: suite.server.url }]);
    const unique = `zq${randomBytes(3).toString('hex')}`;
    await w.page.goto(`${suite.server.url}/search?q=${unique}`);
    await w.page.getByRole('heading', { level: 1, name: 'البحث' }).waitFor();
    const empty = w.page.getByTestId('search-empty');
    await empty.filter({ hasText: 'لم يُعثر على نتائج' }).waitFor();
    expect(await empty.locator('bdi').innerText()).to.equal(unique);
    expect(await w.page.getByRole('searchbox', { name: 'البحث في Convene' }).count()).to.equal(1);
    await screenshot(w.page, 'search-i18n-ar-desktop');
    expect(w.problems()).to.deep.equal([]);
  });
});
