import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember, makeOrganisation } from '../factories/members.ts';
import { VIEWPORTS } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/**
 * Words that stay in Latin letters in every language: the protocol words the standards write so
 * (FIRST's TLP markings, STIX), the product's name, formats and standards, and keys as keyboards
 * print them.
 */
const KEPT = new Set(['TLP', 'CLEAR', 'GREEN', 'AMBER', 'STRICT', 'RED', 'STIX', 'Convene', 'PDF', 'Markdown', 'OpenID', 'Connect', 'JSON', 'SMTP', 'URL', 'HTTPS', 'SHA', 'ISO', 'Atom', 'Enter', 'Shift', 'Tab', 'Esc', 'UTC', 'GMT']);

/**
 * The interface's own words in Latin letters on a page in Russian: what is left in English. User
 * content (dir=auto, bdi), isolated left-to-right values (addresses, codes, markings) and form values
 * are not the interface's words and are left out.
 */
async function latinWords(page: Page): Promise<string[]> {
  const text = await page.evaluate<string>(`(() => {
    const content = '[dir="auto"], [dir="ltr"], bdi, code, pre, kbd';
    const copy = document.body.cloneNode(true);
    copy.querySelectorAll(content + ', script, style, noscript, textarea, input, [hidden], [aria-hidden="true"]').forEach((el) => el.remove());
    const texts = [];
    const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);
    // Labels and the title say content too ("Filter by #forum"): the content shown on the page is taken out of them.
    const values = [...document.querySelectorAll(content)].map((el) => el.textContent.trim().replace(/^#/, '')).filter(Boolean).sort((a, b) => b.length - a.length);
    const strip = (said) => values.reduce((rest, value) => rest.split(value).join(' '), said);
    const labels = [...document.querySelectorAll('[aria-label], [title], [placeholder]')].map((el) => strip([el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('placeholder')].filter(Boolean).join(' ')));
    return texts.join(' ') + ' ' + labels.join(' ') + ' ' + strip(document.title);
  })()`);
  const words = text.match(/[A-Za-z]{3,}/g) ?? [];
  return [...new Set(words.filter((word) => !KEPT.has(word)))];
}

describe('every page in another language (browser)', () => {
  const suite = browserSuite();
  const { open, signIn } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });
  beforeEach(() => models.RateLimit.deleteMany({}));

  it('shows no English word on any page a member, organiser, expert, moderator and administrator opens in Russian', async () => {
    const organisation = await makeOrganisation(models, { name: 'Платформа «Пример»', sector: 'industry' });
    const member = await makeMember(models, { name: 'Анна Иванова', organisation, roles: ['admin', 'moderator', 'organiser', 'expert', 'triage', 'liaison'] });
    await models.Member.updateOne({ _id: member._id }, { $set: { locale: 'ru' } });
    // A space and channel named in Russian: names are content, and the page's title carries them.
    const space = await models.Space.create({ slug: `ru-${String(member._id)}`.slice(0, 40), name: 'Обзоры', access: { sectors: [], roles: [] } });
    const channel = await models.Channel.create({ spaceId: space._id, name: 'обзор', topic: '' });

    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await signIn(page, member);
    await page.locator('html[lang="ru"]').waitFor({ state: 'attached' });
    const paths = [
      '/', '/status', '/profile', '/notifications', '/directory', `/channels/${String(channel._id)}`,
      '/alerts', '/alerts/new', '/alerts/settings', '/events', '/events?view=month', '/events/new',
      '/support', '/support/new', '/support/desk', '/search?q=обзор', '/vetting', '/organisations',
      '/reverification', '/people', '/audit', '/moderation', '/moderation/mine', '/transparency', '/admin/mail',
      '/no-such-page',
    ];
    const left = await leftIn(page, paths);
    expect(left, JSON.stringify(left)).to.deep.equal({});
    await models.Channel.deleteOne({ _id: channel._id });
    await models.Space.deleteOne({ _id: space._id });
  });

  /** Opens each path and collects what is left in English on it. */
  async function leftIn(page: Page, paths: string[]): Promise<Record<string, string[]>> {
    const left: Record<string, string[]> = {};
    for (const path of paths) {
      await page.goto(`${server.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const words = await latinWords(page);
      if (words.length > 0) left[path] = words;
    }
    return left;
  }

  it('shows no English word around content in Russian: an alert, a discussion, a report, a request for help, an event', async () => {
    const organisation = await makeOrganisation(models, { name: 'Министерство «Пример»', sector: 'government' });
    const member = await makeMember(models, { name: 'Олег Петров', organisation, roles: ['moderator', 'organiser', 'expert', 'triage', 'liaison'] });
    const reporter = await makeMember(models, { name: 'Мария Соколова' });
    for (const person of [member, reporter]) await models.Member.updateOne({ _id: person._id }, { $set: { locale: 'ru' } });
    const space = await models.Space.create({ slug: `rc-${String(member._id)}`.slice(0, 40), name: 'Разбор', access: { sectors: [], roles: [] } });
    const channel = await models.Channel.create({ spaceId: space._id, name: 'тенденции', topic: '' });
    const api = await suite.apiAs(member);
    const alert = await api.post('/api/alerts', { title: 'Новая тенденция на форумах', summary: 'Краткое описание.', severity: 'high', marking: 'TLP:GREEN', tags: { platforms: ['forum'], tactics: [], regions: ['sahel'] } });
    expect(alert.status, JSON.stringify(alert.body)).to.equal(201);
    expect((await api.post(`/api/alerts/${alert.body.id}/updates`, { text: 'Продолжаем наблюдение.', status: 'monitoring' })).status).to.equal(200);
    const sent = await api.post(`/api/channels/${String(channel._id)}/messages`, { text: 'Новые учётные записи публикуют **выдержки**.', idempotencyKey: randomBytes(8).toString('hex') });
    expect(sent.status).to.equal(201);
    const reporterApi = await suite.apiAs(reporter);
    expect((await reporterApi.post('/api/moderation/reports', { type: 'message', id: sent.body.id, reason: 'harassment', note: '' })).status).to.equal(201);
    const request = await reporterApi.post('/api/support/requests', {
      kind: 'legal', category: 'removal_order', urgency: 'high', subject: 'Предписание об удалении', description: 'Нам пришло предписание.',
      visibility: 'org', anonymousToExperts: false, orderReceivedAt: new Date(Date.now() - 60_000).toISOString(), jurisdiction: 'EU',
    });
    expect(request.status, JSON.stringify(request.body)).to.equal(201);
    const startsAt = new Date(Date.now() + 5 * 86_400_000);
    const event = await api.post('/api/events', {
      kind: 'workshop', title: 'Семинар по хешам', description: 'О **сопоставлении** хешей.', startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(), timeZone: 'Europe/Moscow', mode: 'in_person', city: 'Вена', venue: 'Зал 2', capacity: 10,
    });
    expect(event.status, JSON.stringify(event.body)).to.equal(201);
    await server.server.ctx.search.idle();

    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await signIn(page, member);
    await page.locator('html[lang="ru"]').waitFor({ state: 'attached' });
    const left = await leftIn(page, [
      `/alerts/${alert.body.id}`, '/alerts', `/channels/${String(channel._id)}`, '/moderation', '/notifications', '/audit', '/people',
      `/support/${request.body.id}`, '/support/desk', `/events/${event.body.id}`, '/events', '/search?q=тенденция',
    ]);
    expect(left, JSON.stringify(left)).to.deep.equal({});
    await models.Channel.deleteOne({ _id: channel._id });
    await models.Space.deleteOne({ _id: space._id });
  });

  it('shows no English word on the pages a visitor opens in Arabic', async () => {
    const { page } = await open({ viewport: VIEWPORTS.phone, locale: 'ar' });
    const left: Record<string, string[]> = {};
    for (const path of ['/sign-in', '/apply', '/forgot-password', '/reset-password?token=x', '/verify-email?token=x', '/status']) {
      await page.goto(`${server.url}${path}`);
      await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const words = await latinWords(page);
      if (words.length > 0) left[path] = words;
    }
    expect(left, JSON.stringify(left)).to.deep.equal({});
  });
});
