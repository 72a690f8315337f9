import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember, signedIn } from '../factories/members.ts';
import { VIEWPORTS, screenshot, waitForFocus } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/** The reader's zone in these tests: five hours behind UTC in winter, so 02:00 UTC is the evening before. */
const READER_ZONE = 'America/New_York';

/** The reader's current month (year, 1–12) in their zone. */
function readerMonth(now = new Date()): { year: number; month: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: READER_ZONE, year: 'numeric', month: '2-digit' }).formatToParts(now);
  return { year: Number(parts.find((part) => part.type === 'year')!.value), month: Number(parts.find((part) => part.type === 'month')!.value) };
}

const pad = (value: number) => String(value).padStart(2, '0');
const title = (year: number, month: number) => new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 15)));

describe('events calendar (browser)', () => {
  const suite = browserSuite();
  const { open, signIn } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  it('opens the month view, moves to next month, filters to online events in the reader’s zone, on desktop and phone', async () => {
    const { client: organiser } = await signedIn(server.url, models, { roles: ['organiser'] });
    const now = readerMonth();
    const next = now.month === 12 ? { year: now.year + 1, month: 1 } : { year: now.year, month: now.month + 1 };
    const nextKey = `${next.year}-${pad(next.month)}`;
    const create = async (body: Record<string, unknown>) => {
      const res = await organiser.post('/api/events', { kind: 'webinar', timeZone: 'Europe/Berlin', capacity: 20, ...body });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    // 02:00 UTC on the 15th is the 14th in New York: the calendar must put it there.
    await create({
      title: 'Online: reporting flows',
      startsAt: `${nextKey}-15T02:00:00Z`,
      endsAt: `${nextKey}-15T03:30:00Z`,
      mode: 'online',
      joinUrl: 'https://meet.example.org/secret-room',
    });
    await create({
      kind: 'workshop',
      title: 'Lisbon hash-sharing workshop',
      startsAt: `${nextKey}-20T14:00:00Z`,
      endsAt: `${nextKey}-20T17:00:00Z`,
      mode: 'in_person',
      city: 'Lisbon',
      venue: 'Rua Secreta 9, floor 2',
    });
    const viewer = await makeMember(models, { name: 'Cal Reader' });

    const desktop = await open({ viewport: VIEWPORTS.desktop, timezoneId: READER_ZONE, locale: 'en-GB' });
    const { page } = desktop;
    await signIn(page, viewer.email, '/events');
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    const calendar = page.getByTestId('calendar');
    await calendar.getByRole('heading', { name: title(now.year, now.month), level: 2 }).waitFor();
    expect(new URL(page.url()).searchParams.get('view')).to.equal('month');
    const grid = page.getByRole('table', { name: title(now.year, now.month) });
    expect(await grid.getByRole('columnheader').allInnerTexts()).to.deep.equal(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    const todayCell = grid.locator('td[aria-current="date"]');
    expect(await todayCell.count()).to.equal(1);
    expect(await todayCell.textContent()).to.contain('Today');
    await screenshot(page, 'events-calendar-this-month-desktop');

    // Keyboard: the next-month button works from the keyboard and keeps the focus.
    const nextButton = page.getByRole('button', { name: `Next month, ${title(next.year, next.month)}` });
    await nextButton.focus();
    await page.keyboard.press('Enter');
    await calendar.getByRole('heading', { name: title(next.year, next.month), level: 2 }).waitFor();
    await waitForFocus(page.getByRole('button', { name: /^Next month/ }));
    expect(new URL(page.url()).searchParams.get('month')).to.equal(nextKey);
    const nextGrid = page.getByRole('table', { name: title(next.year, next.month) });
    await nextGrid.getByRole('link', { name: /Lisbon hash-sharing workshop/ }).waitFor();
    expect(await nextGrid.locator('td[aria-current="date"]').count()).to.equal(0);
    const online = nextGrid.locator(`td[data-day="${nextKey}-14"]`).getByRole('link', { name: /Online: reporting flows/ });
    await online.waitFor();
    // The link names its day for people who move from link to link.
    expect(await online.getAttribute('href')).to.match(/^\/events\/[0-9a-f]{24}$/);
    expect(await online.textContent()).to.match(/14 /).and.match(/2[12]:00/);

    // Only online events: the workshop goes, the webinar stays, and the address says so.
    await page.getByLabel('Where').selectOption('online');
    await nextGrid.getByRole('link', { name: /Lisbon hash-sharing workshop/ }).waitFor({ state: 'detached' });
    await online.waitFor();
    expect(new URL(page.url()).searchParams.get('mode')).to.equal('online');
    expect(await page.getByLabel('City').isDisabled()).to.equal(true);
    expect(await page.locator('body').innerText()).to.not.match(/Rua Secreta|secret-room/);
    await screenshot(page, 'events-calendar-month-desktop');

    // A reload (or a shared link) shows the same month and filter.
    await page.reload();
    await page.getByRole('table', { name: title(next.year, next.month) }).locator(`td[data-day="${nextKey}-14"]`).getByRole('link', { name: /Online: reporting flows/ }).waitFor();
    expect(await page.getByLabel('Where').inputValue()).to.equal('online');

    // The city filter lists the cities of visible events and keeps in-person ones.
    await page.getByLabel('Where').selectOption('');
    await nextGrid.getByRole('link', { name: /Lisbon hash-sharing workshop/ }).waitFor();
    expect(await page.getByLabel('City').locator('option').allInnerTexts()).to.deep.equal(['Any city', 'Lisbon']);
    await page.getByLabel('City').selectOption('Lisbon');
    await nextGrid.getByRole('link', { name: /Online: reporting flows/ }).waitFor({ state: 'detached' });
    expect(await nextGrid.getByRole('link', { name: /Lisbon hash-sharing workshop/ }).count()).to.equal(1);
    expect(new URL(page.url()).searchParams.get('city')).to.equal('Lisbon');
    expect(await page.locator('body').innerText()).to.not.contain('Rua Secreta');

    // At phone width the month is an agenda of its days with events.
    const phone = await open({ viewport: VIEWPORTS.phone, timezoneId: READER_ZONE, locale: 'en-GB' });
    await signIn(phone.page, viewer.email, `/events?view=month&month=${nextKey}&mode=online`);
    const agenda = phone.page.getByTestId('agenda');
    await agenda.getByRole('link', { name: 'Online: reporting flows' }).waitFor();
    expect(await phone.page.getByRole('table').count()).to.equal(0); // the grid is not shown (nor read out)
    expect(await agenda.getByRole('heading', { level: 3 }).allInnerTexts()).to.have.length(1);
    expect((await agenda.getByRole('heading', { level: 3 }).innerText())).to.contain('14');
    expect(await agenda.getByRole('link', { name: /Lisbon/ }).count()).to.equal(0);
    const width = await phone.page.locator('html').evaluate((root: { scrollWidth: number }) => root.scrollWidth);
    expect(width).to.be.at.most(390);
    await screenshot(phone.page, 'events-calendar-month-phone');

    // Back to the list: the filter stays, and the list shows only the online event.
    await phone.page.getByRole('button', { name: 'List', exact: true }).click();
    await phone.page.getByTestId('event-card').first().waitFor();
    expect(await phone.page.getByTestId('event-card').allInnerTexts()).to.have.length(1);
    expect(new URL(phone.page.url()).searchParams.get('mode')).to.equal('online');
    expect(desktop.problems()).to.deep.equal([]);
    expect(phone.problems()).to.deep.equal([]);
  });

  it('shows events held and their participants on the transparency page', async () => {
    const { client: organiser } = await signedIn(server.url, models, { roles: ['organiser'] });
    const soon = Date.now() + 3 * 86_400_000;
    const res = await organiser.post('/api/events', {
      kind: 'focus_group',
      title: 'Focus group on reporting',
      startsAt: new Date(soon).toISOString(),
      endsAt: new Date(soon + 3600_000).toISOString(),
      timeZone: 'Europe/Berlin',
      mode: 'online',
      joinUrl: 'https://meet.example.org/fg',
      capacity: 5,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const viewer = await makeMember(models, { name: 'Tra Reader' });
    const client = await suite.apiAs(viewer);
    expect((await client.request('PUT', `/api/events/${res.body.id}/registration`)).status).to.equal(200);
    // It took place in March 2022.
    await models.Event.updateOne({ _id: res.body.id }, { $set: { startsAt: new Date('2022-03-08T10:00:00Z'), endsAt: new Date('2022-03-08T11:00:00Z') } });

    const { page, problems } = await open();
    await signIn(page, viewer.email, '/transparency');
    const month = page.getByRole('region', { name: '2022-03' });
    const table = month.getByTestId('transparency-events');
    await table.waitFor();
    expect(await table.getByRole('row', { name: /Focus groups/ }).innerText()).to.match(/Focus groups\s+1/);
    expect(await table.getByRole('row', { name: /Registered participants/ }).innerText()).to.match(/Registered participants\s+1/);
    expect(await month.innerText()).to.not.contain('Focus group on reporting');
    await screenshot(page, 'transparency-events-desktop');
    expect(problems()).to.deep.equal([]);
  });
});
