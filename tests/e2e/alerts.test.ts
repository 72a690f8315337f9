import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember, makeOrganisation, signedIn } from '../factories/members.ts';
import { VIEWPORTS, screenshot, type WatchedPage } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/** Problems in the page other than answers the test provokes on purpose (`refused`: status and path). */
function unexpected(watched: WatchedPage, refused: { status: number; path: string }[] = []): string[] {
  const allowed = refused.map(({ status, path }) => new RegExp(`status of ${status} \\([A-Za-z ]+\\) \\(http://[^)]+${path}\\)`));
  return watched.problems().filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
}

describe('trend alerts (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, live } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  it('a liaison publishes a critical AMBER alert to one company; its member sees the banner live and acknowledges; another company never sees it', async () => {
    const acme = await makeOrganisation(models, { name: `Acme Video ${Date.now()}`, sector: 'industry' });
    const other = await makeOrganisation(models, { name: `Other Host ${Date.now()}`, sector: 'industry' });
    const liaison = await makeMember(models, { sector: 'government', roles: ['liaison'], name: 'Lia Liaison' });
    const acmeMember = await makeMember(models, { organisation: acme, name: 'Ada Acme' });
    const outsider = await makeMember(models, { organisation: other, name: 'Otto Other' });

    const acmePage = await open();
    await signIn(acmePage.page, acmeMember.email);
    await live(acmePage.page);
    const outsiderPage = await open();
    await signIn(outsiderPage.page, outsider.email, '/alerts');
    await live(outsiderPage.page);
    await outsiderPage.page.getByRole('heading', { name: 'Trend alerts', level: 1 }).waitFor();

    const liaisonPage = await open();
    const { page } = liaisonPage;
    await signIn(page, liaison.email, '/alerts/new');
    await page.getByRole('heading', { name: 'Publish an alert' }).waitFor();
    const title = 'Beheading video mirrored across small file hosts';
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Summary').fill('Copies appear **within minutes** of each removal.');
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('radio', { name: /TLP:AMBER Members of the organisations or sectors/ }).check();
    await page.getByLabel('Find an organisation').fill('Acme Video');
    await page.getByRole('checkbox', { name: new RegExp(acme.name) }).check();
    await page.getByLabel('Platforms').fill('filehost, video');
    await page.getByRole('button', { name: 'Add an indicator' }).click();
    await page.getByLabel('Value').fill('https://mirror.example.net/v/991');
    await screenshot(page, 'alerts-form-desktop');
    await page.getByRole('button', { name: 'Publish alert' }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    // Indicators are text, defanged, never links.
    const indicators = page.getByTestId('indicators');
    await indicators.getByText('hxxps://mirror[.]example[.]net/v/991').waitFor();
    expect(await indicators.locator('a').count()).to.equal(0);
    expect(await page.getByTestId('tlp-label').first().innerText()).to.equal('TLP:AMBER');
    // The board lists the one recipient company, not answered yet.
    await page.getByTestId('ack-board').getByText('No answer yet').waitFor();

    // The member of that company sees the banner without reloading.
    const banner = acmePage.page.getByTestId('critical-banner');
    await banner.getByRole('link', { name: title }).waitFor();
    await screenshot(acmePage.page, 'alerts-banner-desktop');
    await banner.getByRole('link', { name: title }).click();
    await acmePage.page.getByRole('heading', { name: title, level: 1 }).waitFor();
    await acmePage.page.getByRole('radio', { name: 'Acting on it' }).check();
    await acmePage.page.getByLabel('Note').fill('Hashes added to our filter.');
    await acmePage.page.getByRole('button', { name: 'Save acknowledgement' }).click();
    await acmePage.page.getByTestId('own-ack').getByText(/Acting on it — by Ada Acme/).waitFor();
    await banner.waitFor({ state: 'detached' });
    await acmePage.page.setViewportSize(VIEWPORTS.phone);
    await screenshot(acmePage.page, 'alerts-detail-phone');

    // The liaison's board updates live.
    await page.getByTestId('ack-board').getByText('✓ Acting on it — Hashes added to our filter.').waitFor();
    await screenshot(page, 'alerts-detail-desktop');

    // The other company: no banner, not in the list, and the address answers as if it did not exist.
    const alertId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await outsiderPage.page.getByTestId('critical-banner').count()).to.equal(0);
    expect(await outsiderPage.page.getByText(title).count()).to.equal(0);
    await outsiderPage.page.goto(`${server.url}/alerts/${alertId}`);
    await outsiderPage.page.getByRole('heading', { name: 'Alert not found' }).waitFor();
    expect(await outsiderPage.page.getByText(title).count()).to.equal(0);

    expect(unexpected(liaisonPage)).to.deep.equal([]);
    expect(unexpected(acmePage)).to.deep.equal([]);
    expect(unexpected(outsiderPage, [{ status: 404, path: `/api/alerts/${alertId}` }])).to.deep.equal([]);
  });

  it('shows the dashboard with chart, table alternative and readable TLP labels at desktop and phone width', async () => {
    const { client } = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const markings = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];
    const viewer = await makeMember(models, { sector: 'industry' });
    for (const [index, marking] of markings.entries()) {
      const recipients =
        marking === 'TLP:AMBER' ? { sectors: ['industry'] } : marking === 'TLP:AMBER+STRICT' ? { organisationIds: [String(viewer.organisationId)] } : marking === 'TLP:RED' ? { memberIds: [String(viewer._id)] } : {};
      const res = await client.post('/api/alerts', {
        title: `Dashboard alert ${marking}`,
        summary: 'A trend.',
        severity: ['low', 'medium', 'high', 'critical', 'high'][index],
        marking,
        recipients,
        tags: { platforms: ['forum'], tactics: [], regions: ['sahel'] },
      });
      expect(res.status).to.equal(201);
    }
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const watched = await open({ viewport });
      await signIn(watched.page, viewer.email, '/alerts');
      await watched.page.getByRole('heading', { name: 'Trend alerts', level: 1 }).waitFor();
      await watched.page.getByTestId('alert-card').nth(4).waitFor();
      const labels = await watched.page.getByTestId('alert-card').getByTestId('tlp-label').allInnerTexts();
      expect([...labels].sort()).to.deep.equal([...markings].sort());
      const chart = watched.page.getByRole('img', { name: 'Alerts per week by severity' });
      await chart.waitFor();
      await watched.page.getByText('Show the numbers as a table').click();
      await watched.page.getByTestId('alert-chart-table').getByRole('rowheader').first().waitFor();
      // Filtering by marking narrows the list.
      await watched.page.getByLabel('Marking').selectOption('TLP:RED');
      await watched.page.getByTestId('alert-card').nth(1).waitFor({ state: 'detached' });
      expect(await watched.page.getByTestId('alert-card').count()).to.equal(1);
      await watched.page.getByLabel('Marking').selectOption('');
      await watched.page.getByTestId('alert-card').nth(4).waitFor();
      await screenshot(watched.page, `alerts-dashboard-${name}`);
      expect(unexpected(watched)).to.deep.equal([]);
    }
  });

  it('a redacted alert shows members the redacted summary and its timeline without text, with a note', async () => {
    const moderator = await makeMember(models, { sector: 'industry', roles: ['moderator'] });
    const reader = await makeMember(models, { sector: 'academia' });
    const { client: author } = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const created = await author.post('/api/alerts', { title: 'Doxxing campaign against researchers', summary: 'Home address: 1 Private Lane', severity: 'high', marking: 'TLP:GREEN' });
    expect(created.status).to.equal(201);
    expect((await author.post(`/api/alerts/${created.body.id}/updates`, { text: 'Phone: 555-0100', status: 'monitoring' })).status).to.equal(200);
    await server.server.ctx.moderation.get('alert')!.setState(created.body.id, {
      visibility: 'visible', reason: 'personal_data', note: '', redactedHtml: '<p>Home address: [redacted]</p>', redactedSource: 'Home address: [redacted]', by: String(moderator._id), at: new Date(),
    });
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const watched = await open({ viewport });
      await signIn(watched.page, reader.email, `/alerts/${created.body.id}`);
      const entry = watched.page.getByTestId('timeline-entry');
      await entry.getByText('Text withheld: moderators edited personal data out of this alert.').waitFor();
      expect(await watched.page.getByTestId('alert-summary').textContent()).to.include('[redacted]');
      expect(await watched.page.content()).to.not.match(/Private Lane|555-0100/);
      await screenshot(watched.page, `alerts-redacted-${name}`);
      expect(unexpected(watched)).to.deep.equal([]);
    }
  });
});
