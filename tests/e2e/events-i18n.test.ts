import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import type { Locale } from '../../backend/src/shared/i18n/locale.ts';
import { makeMember, signedIn } from '../factories/members.ts';
import { RESULTS_DIR, VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

const pad = (value: number) => String(value).padStart(2, '0');

/** The current month (year, 1–12) in `zone`. */
function monthIn(zone: string, now = new Date()): { year: number; month: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' }).formatToParts(now);
  return { year: Number(parts.find((part) => part.type === 'year')!.value), month: Number(parts.find((part) => part.type === 'month')!.value) };
}

/** A month's title as the page words it in `locale`. */
const monthTitle = (locale: string, year: number, month: number) => new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 15)));

/** The seven short weekday names in `locale` (in no particular order). */
const weekdays = (locale: string) => Array.from({ length: 7 }, (_, index) => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + index))));

async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
}

describe('events in other languages (browser)', () => {
  const suite = browserSuite();
  const { open, signIn } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  /** A member whose profile says `locale`: signing in (on the page in English) reloads the app in it. */
  async function memberIn(locale: Locale, name: string) {
    const member = await makeMember(models, { name });
    await models.Member.updateOne({ _id: member._id }, { $set: { locale } });
    return member;
  }

  /** An in-person workshop on the 15th of this month in `zone`. */
  async function eventThisMonth(zone: string, title: string): Promise<string> {
    const { client: organiser } = await signedIn(server.url, models, { roles: ['organiser'] });
    const { year, month } = monthIn(zone);
    const day = `${year}-${pad(month)}-15`;
    const res = await organiser.post('/api/events', {
      kind: 'workshop',
      title,
      description: 'تبادل الخبرات حول **مطابقة البصمات**.',
      startsAt: `${day}T09:00:00Z`,
      endsAt: `${day}T12:00:00Z`,
      timeZone: 'Europe/Lisbon',
      mode: 'in_person',
      city: 'Lisbon',
      venue: 'Rua Secreta 9',
      coHosts: ['Chirp Social', 'ShareSpace'],
      capacity: 12,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }

  it('Arabic at phone width: the month agenda, the list, an event page and the transparency report, right to left, in Arabic', async () => {
    const zone = 'Asia/Dubai';
    const title = 'ورشة عمل حول مشاركة البصمات';
    const id = await eventThisMonth(zone, title);
    const member = await memberIn('ar', 'ليلى الحسن');
    const { page, problems } = await open({ viewport: VIEWPORTS.phone, timezoneId: zone });
    await signIn(page, member);
    await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });
    await page.goto(`${server.url}/events?view=month`);
    await page.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: 'attached' });

    await page.getByRole('heading', { name: 'الفعاليات', level: 1 }).waitFor();
    const { year, month } = monthIn(zone);
    const calendar = page.getByTestId('calendar');
    await calendar.getByRole('heading', { name: monthTitle('ar', year, month), level: 2 }).waitFor();
    // The grid is hidden at this width, but its headers are the weekdays in Arabic.
    expect(await calendar.locator('thead th').allTextContents()).to.have.members(weekdays('ar'));
    const agenda = page.getByTestId('agenda');
    await agenda.getByRole('link', { name: title }).waitFor();
    expect(await agenda.innerText()).to.contain('ورشة عمل');
    // Right to left: the earlier month's button starts the line, on the right.
    const previous = await calendar.getByRole('button', { name: /^الشهر السابق/ }).boundingBox();
    const next = await calendar.getByRole('button', { name: /^الشهر التالي/ }).boundingBox();
    expect(previous!.x).to.be.greaterThan(next!.x);
    // Its arrow is on its outer (right) side, drawn mirrored by the browser so that it points right.
    const arrow = await calendar.getByRole('button', { name: /^الشهر السابق/ }).locator('span[aria-hidden="true"]').boundingBox();
    expect(arrow!.x).to.be.greaterThan(previous!.x + previous!.width / 2);
    await calendar.locator('.calendar-nav').screenshot({ path: join(RESULTS_DIR, 'events-i18n-ar-month-nav-phone.png') });
    let sizes = await overflow(page);
    expect(sizes.scrollWidth).to.be.at.most(sizes.innerWidth);
    await screenshot(page, 'events-i18n-ar-month-phone');

    await agenda.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    expect(await page.getByRole('heading', { name: title, level: 1 }).getAttribute('dir')).to.equal('auto');
    await page.getByRole('heading', { name: 'تسجيلك', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'التسجيل' }).waitFor();
    await page.getByRole('heading', { name: 'المواد والاستنتاجات', level: 2 }).waitFor();
    expect(await page.getByTestId('where').innerText()).to.contain('يظهر مكان الانعقاد بعد حصولك على مقعد');
    // Co-hosts: the list reads right to left in Arabic words, each Latin name isolated in its own direction.
    const coHosts = page.getByTestId('co-hosts');
    expect(await coHosts.innerText()).to.equal('Chirp Social وShareSpace');
    expect(await page.evaluate<string>('getComputedStyle(document.querySelector(\'[data-testid="co-hosts"]\')).direction')).to.equal('rtl');
    expect(await coHosts.locator('bdi').allInnerTexts()).to.deep.equal(['Chirp Social', 'ShareSpace']);
    expect(new URL(page.url()).pathname).to.equal(`/events/${id}`);
    sizes = await overflow(page);
    expect(sizes.scrollWidth).to.be.at.most(sizes.innerWidth);
    await screenshot(page, 'events-i18n-ar-event-phone');

    await page.goto(`${server.url}/events?when=all`);
    const card = page.getByTestId('event-card').filter({ hasText: title });
    await card.getByRole('link', { name: title }).waitFor();
    expect(await card.innerText()).to.contain('المنطقة الزمنية للفعالية');
    sizes = await overflow(page);
    expect(sizes.scrollWidth).to.be.at.most(sizes.innerWidth);
    await screenshot(page, 'events-i18n-ar-list-phone');

    await page.goto(`${server.url}/transparency`);
    await page.getByRole('heading', { name: 'تقرير الشفافية', level: 1 }).waitFor();
    await page.getByRole('link', { name: '/api/transparency.json' }).waitFor();
    sizes = await overflow(page);
    expect(sizes.scrollWidth).to.be.at.most(sizes.innerWidth);
    await screenshot(page, 'events-i18n-ar-transparency-phone');
    expect(problems()).to.deep.equal([]);
  });

  it('French at desktop width: the month grid with French weekdays, and an event page in French', async () => {
    const zone = 'Europe/Paris';
    // An Arabic title in a French page keeps its own direction.
    const title = 'حلقة نقاش حول الإشراف على المحتوى';
    await eventThisMonth(zone, title);
    const member = await memberIn('fr', 'Camille Dupont');
    const { page, problems } = await open({ viewport: VIEWPORTS.desktop, timezoneId: zone });
    await signIn(page, member);
    await page.locator('html[lang="fr"][dir="ltr"]').waitFor({ state: 'attached' });
    await page.goto(`${server.url}/events?view=month`);
    await page.locator('html[lang="fr"][dir="ltr"]').waitFor({ state: 'attached' });

    await page.getByRole('heading', { name: 'Événements', level: 1 }).waitFor();
    const { year, month } = monthIn(zone);
    const grid = page.getByRole('table', { name: monthTitle('fr', year, month) });
    await grid.waitFor();
    // French weeks start on Monday.
    const headers = await grid.getByRole('columnheader').allInnerTexts();
    expect(headers).to.have.members(weekdays('fr'));
    expect(headers[0]).to.equal(new Intl.DateTimeFormat('fr', { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 2))));
    const nextMonth = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
    await page.getByRole('button', { name: `Mois suivant, ${monthTitle('fr', nextMonth.year, nextMonth.month)}` }).waitFor();
    const link = grid.getByRole('link', { name: new RegExp(title) });
    await link.waitFor();
    expect(await grid.locator('.calendar-where').first().innerText()).to.contain('Atelier');
    await screenshot(page, 'events-i18n-fr-month-desktop');

    await link.click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Votre inscription', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'S’inscrire' }).waitFor();
    await page.getByText('Quand (votre heure)').waitFor();
    expect(await page.getByTestId('standing').innerText()).to.equal('Vous n’êtes pas inscrit.');
    await screenshot(page, 'events-i18n-fr-event-desktop');
    expect(problems()).to.deep.equal([]);
  });
});
