import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { ManualClock } from '../../backend/src/shared/clock.ts';
import { runSupportDeadlines } from '../../backend/src/support/support.actions.ts';
import { makeMember, makeOrganisation, signedIn } from '../factories/members.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;

describe('support desk (browser)', () => {
  // The deadline job's own timer never runs here: the test moves the server's clock and runs it.
  const suite = browserSuite({ support: { removalOrderDeadlineMinutes: { default: 60, EU: 60 }, firstResponseTargetMinutes: { low: 4320, normal: 1440, high: 240, critical: 60 }, deadlineCheckIntervalMs: 3_600_000 } });
  const { open, signIn, live } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  it('a removal order: opened in the form, assigned by triage, escalated at half time by the server clock, counting down live', async () => {
    const clock = new ManualClock(Date.now());
    server.server.ctx.clock = clock;
    const org = await makeOrganisation(models, { name: 'Tiny Video Start-up' });
    const requester = await makeMember(models, { name: 'Rosa Requester', organisation: org });
    const triage = await makeMember(models, { name: 'Tess Triage', roles: ['triage'] });
    const expert = await makeMember(models, { name: 'Ellis Expert', roles: ['expert'] });
    await models.Member.updateOne({ _id: expert._id }, { $set: { expertAreas: ['removal_order', 'terms_of_service'] } });
    const { client: onDutyClient, member: onDuty } = await signedIn(server.url, models, { name: 'Olu On-duty', roles: ['expert'] });
    await models.Member.updateOne({ _id: onDuty._id }, { $set: { expertAreas: ['removal_order'], onDuty: true } });

    // The requester opens the request from the shell's "Get help".
    const mine = await open();
    const { page } = mine;
    await signIn(page, requester.email, '/');
    await live(page);
    await page.getByRole('link', { name: 'Get help' }).click();
    await page.getByRole('heading', { name: 'Get help', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Open a request' }).click();
    await page.getByLabel('Legal').check();
    await page.getByLabel('Category').selectOption('removal_order');
    // The form takes the browser's local time (a string: the browser formats it in its own zone).
    const arrived = await page.evaluate<string>(
      `(() => { const d = new Date(${clock.now() - 5 * MINUTE}); const two = (n) => String(n).padStart(2, '0'); return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate()) + 'T' + two(d.getHours()) + ':' + two(d.getMinutes()); })()`,
    );
    await page.getByLabel('When the order arrived').fill(arrived);
    await page.getByLabel('Subject').fill('Removal order for three videos');
    await page.getByLabel('Description (Markdown)').fill('An authority sent a **removal order** for three uploads.');
    await screenshot(page, 'support-form-desktop');
    await page.getByRole('button', { name: 'Send to the desk' }).click();
    await page.getByRole('heading', { name: 'Removal order for three videos', level: 1 }).waitFor();
    await page.getByTestId('countdown-time').getByText(/min \d\d s left/).waitFor();
    const id = page.url().split('/').pop()!;
    expect(await page.getByTestId('status').innerText()).to.contain('New');

    // Triage finds it at the top of the queue and assigns the expert.
    const desk = await open();
    await signIn(desk.page, triage.email, '/support/desk');
    await desk.page.getByRole('heading', { name: 'Desk queue', level: 1 }).waitFor();
    await desk.page.getByTestId('queue-row').first().getByText('Removal order for three videos').waitFor();
    await screenshot(desk.page, 'support-queue-desktop');
    await desk.page.getByRole('link', { name: 'Removal order for three videos' }).click();
    expect(await desk.page.getByTestId('from').innerText()).to.contain('Rosa Requester, Tiny Video Start-up');
    await desk.page.getByLabel(/Ellis Expert/).check();
    await desk.page.getByRole('button', { name: 'Assign' }).click();
    await desk.page.getByTestId('experts').getByText('Ellis Expert').waitFor();
    // The requester's page follows live.
    await page.getByTestId('experts').getByText('Ellis Expert').waitFor();
    await page.getByTestId('status').getByText('Triaged').waitFor();

    // 24 minutes on: not yet half time (the order arrived 5 minutes before it was opened).
    clock.advance(24 * MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([]);
    expect(await page.getByTestId('escalated').count()).to.equal(0);
    // Half time: escalated once to the expert on duty; the page shows it without a reload.
    clock.advance(MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([id]);
    await page.getByTestId('escalated').waitFor();
    await page.getByTestId('experts').getByText('Olu On-duty').waitFor();
    // The countdown now runs from the server's clock: about 30 minutes left.
    await page.getByTestId('countdown-time').getByText(/^(30|29) min \d\d s left$/).waitFor();
    const notifications = await onDutyClient.get('/api/notifications');
    expect(JSON.stringify(notifications.body)).to.contain('Removal order at half time');
    expect((await onDutyClient.get(`/api/support/requests/${id}`)).status).to.equal(200);
    await screenshot(page, 'support-removal-order-desktop');
    // On a phone, the requester's page reads in one column.
    const phone = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await signIn(phone.page, requester.email, `/support/${id}`);
    await phone.page.getByTestId('escalated').waitFor();
    await screenshot(phone.page, 'support-removal-order-phone');
    expect(phone.problems()).to.deep.equal([]);
    expect(mine.problems()).to.deep.equal([]);
    expect(desk.problems()).to.deep.equal([]);
  });

  it('an expert changes their own areas on the Get help page', async () => {
    const expert = await makeMember(models, { name: 'Ada Areas', roles: ['expert'] });
    await models.Member.updateOne({ _id: expert._id }, { $set: { expertAreas: ['hash_matching'] } });
    const { page, problems } = await open();
    await signIn(page, expert.email, '/support');
    const section = page.getByRole('region', { name: 'Your areas' });
    const hash = section.getByRole('checkbox', { name: 'Hash matching' });
    await hash.waitFor();
    expect(await hash.isChecked()).to.equal(true);
    // None at all is refused in the page, before anything is sent.
    await hash.uncheck();
    await section.getByRole('button', { name: 'Save my areas' }).click();
    await section.getByRole('status').getByText('Choose at least one area.').waitFor();
    await section.getByRole('checkbox', { name: 'Terms of service' }).check();
    await section.getByRole('checkbox', { name: 'Data protection' }).check();
    await section.getByRole('button', { name: 'Save my areas' }).click();
    await section.getByRole('status').getByText('Your areas are saved.').waitFor();
    expect(new Set((await models.Member.findById(expert._id).lean())!.expertAreas)).to.deep.equal(new Set(['terms_of_service', 'data_protection']));
    await screenshot(page, 'support-expert-areas-desktop');
    expect(problems()).to.deep.equal([]);
  });

  it('in Arabic the request page reads right to left, and the countdown keeps its numbers left to right', async () => {
    server.server.ctx.clock = new ManualClock(Date.now());
    const org = await makeOrganisation(models, { name: 'Small Forum Host' });
    const requester = await makeMember(models, { name: 'Rami Requester', organisation: org });
    const client = await suite.apiAs(requester);
    const created = await client.post('/api/support/requests', {
      kind: 'legal',
      category: 'removal_order',
      urgency: 'critical',
      subject: 'أمر إزالة لمقطعين',
      description: 'An authority asked us to remove two clips.',
      visibility: 'org',
      anonymousToExperts: false,
      orderReceivedAt: new Date(server.server.ctx.clock.now() - 5 * MINUTE).toISOString(),
      jurisdiction: 'EU',
    });
    expect(created.status).to.equal(201);
    const id = (created.body as { id: string }).id;

    for (const [viewport, name] of [[VIEWPORTS.phone, 'phone'], [VIEWPORTS.desktop, 'desktop']] as const) {
      const watched = await open({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
      const { page } = watched;
      await signIn(page, requester.email, '/');
      await page.context().addCookies([{ name: 'convene_locale', value: 'ar', url: server.url }]);
      await page.goto(`${server.url}/support/${id}`);
      const time = page.getByTestId('countdown-time');
      await time.getByText(/^يتبقى /).waitFor();
      expect(await page.locator('html').getAttribute('dir')).to.equal('rtl');
      expect(await page.getByTestId('countdown').getByRole('heading', { level: 2 }).innerText()).to.equal('الموعد النهائي لأمر الإزالة');
      // Minutes and seconds, each in its own left-to-right isolate, in the order Arabic reads them.
      const numbers = time.locator('bdi[dir=ltr]');
      expect(await numbers.count()).to.equal(2);
      expect(await numbers.nth(1).innerText()).to.match(/^[0-9٠-٩]{2}$/);
      expect(await time.innerText()).to.match(/^يتبقى [0-9٠-٩]+ د [0-9٠-٩]{2} ث$/);
      // The first number sits to the right of the second: the line runs right to left.
      const [minutes, seconds] = [await numbers.nth(0).boundingBox(), await numbers.nth(1).boundingBox()];
      expect(minutes!.x).to.be.greaterThan(seconds!.x);
      await screenshot(page, `support-removal-order-ar-${name}`);
      // The request's own content stays within the screen (the shell around it is checked with the shell).
      // (A string: the tests are type-checked without the DOM's types.)
      const wide = await page.evaluate<string[]>(`(() => { const main = document.querySelector('main').getBoundingClientRect(); return [...document.querySelectorAll('main *')].filter((element) => { const box = element.getBoundingClientRect(); return box.width > 0 && (box.left < main.left - 1 || box.right > main.right + 1); }).map((element) => element.tagName + '.' + element.className); })()`);
      expect(wide, 'nothing in the page wider than the screen').to.deep.equal([]);
      expect(watched.problems()).to.deep.equal([]);
    }
  });
});

