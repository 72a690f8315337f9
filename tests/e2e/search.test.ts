import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import { indexMember } from '../../backend/src/members/member.search.ts';
import { makeMember, makeOrganisation, signedIn } from '../factories/members.ts';
import { VIEWPORTS, screenshot, waitForFocus } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

const word = () => `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

describe('search (browser)', () => {
  const suite = browserSuite({ postingBurst: 500 });
  const { open, signIn } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

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

  it('finds every kind of item with its type and a link that opens it; an AMBER alert only for its recipients (desktop and phone)', async () => {
    const unique = word();
    const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = async (kind: 'qa' | 'papers' | 'library') => String((await models.Channel.create({ spaceId: plenary!._id, name: `${kind}-${unique.slice(2, 7)}`, kind }))._id);
    const [qa, papers, library, general_] = [await channel('qa'), await channel('papers'), await channel('library'), await general('plenary')];
    const { client: author } = await signedIn(server.url, models, { sector: 'academia' });
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'], sector: 'civil_society' });
    const { client: liaison } = await signedIn(server.url, models, { roles: ['liaison'], sector: 'government' });
    const recipientOrg = await makeOrganisation(models, { sector: 'industry' });
    const recipient = await makeMember(models, { organisation: recipientOrg });
    const outsider = await makeMember(models, { sector: 'industry' });
    const found = await makeMember(models, { name: `Wren ${unique}`, sector: 'academia' });
    await indexMember(server.server.ctx, found);

    const created = (res: { status: number; body: { id?: string; seq?: number } }) => {
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    };
    const message = created(await author.post(`/api/channels/${general_}/messages`, { text: `The ${unique} network moved to a new host.`, idempotencyKey: randomBytes(8).toString('hex') }));
    const question = created(await author.post(`/api/channels/${qa}/questions`, { title: `Who tracks ${unique} accounts?`, body: 'We see them on two platforms.', tags: [] }));
    const answer = created(await moderator.post(`/api/channels/${qa}/questions/${question.id}/answers`, { body: `We track ${unique} weekly.` }));
    const paper = created(await author.post(`/api/channels/${papers}/papers`, { title: `Mapping ${unique} propaganda`, authors: ['E. Petrova'], abstract: 'A study.', tags: [] }));
    const resource = created(await moderator.post(`/api/channels/${library}/resources`, { title: `Toolkit for ${unique}`, category: 'Toolkits', body: 'Steps to take.' }));
    const alert = { summary: 'Seen on three platforms.', severity: 'high', tags: { platforms: ['filehost'], tactics: [], regions: [] }, indicators: [] };
    const green = created(await liaison.post('/api/alerts', { ...alert, title: `Green wave of ${unique}`, marking: 'TLP:GREEN' }));
    const amber = created(await liaison.post('/api/alerts', { ...alert, title: `Amber wave of ${unique}`, marking: 'TLP:AMBER', recipients: { organisationIds: [String(recipientOrg._id)] } }));
    await server.server.ctx.search.idle();

    // Each type, its label, and where its link leads (and what is there).
    const expected: { label: string; href: string; lands: (page: Page) => Promise<unknown> }[] = [
      { label: 'Message', href: `/channels/${general_}#${message.seq}`, lands: (page) => page.locator(`#message-${message.seq}`).filter({ hasText: unique }).waitFor() },
      { label: 'Question', href: `/channels/${qa}/questions/${question.id}`, lands: (page) => page.getByRole('heading', { level: 1, name: `Who tracks ${unique} accounts?` }).waitFor() },
      { label: 'Answer', href: `/channels/${qa}/questions/${question.id}#answer-${answer.id}`, lands: (page) => page.locator(`#answer-${answer.id}`).filter({ hasText: `We track ${unique} weekly.` }).waitFor() },
      { label: 'Paper', href: `/channels/${papers}/papers/${paper.id}`, lands: (page) => page.getByRole('heading', { level: 1, name: `Mapping ${unique} propaganda` }).waitFor() },
      { label: 'Library resource', href: `/channels/${library}/resources/${resource.id}`, lands: (page) => page.getByRole('heading', { level: 1, name: `Toolkit for ${unique}` }).waitFor() },
      { label: 'Trend alert', href: `/alerts/${green.id}`, lands: (page) => page.getByRole('heading', { level: 1, name: `Green wave of ${unique}` }).waitFor() },
      { label: 'Member', href: `/directory?q=${encodeURIComponent(`Wren ${unique}`)}`, lands: (page) => page.getByText(`Wren ${unique}`).first().waitFor() },
    ];
    const hitsOf = async (page: Page) =>
      page.getByTestId('search-hit').evaluateAll((items) =>
        items.map((item) => ({ label: item.querySelector('.badge')?.textContent ?? '', href: item.querySelector('h2 a')?.getAttribute('href') ?? '', title: item.querySelector('h2')?.textContent?.trim() ?? '' })),
      );
    const sorted = <T extends { href: string }>(list: T[]) => [...list].sort((a, b) => a.href.localeCompare(b.href));

    // A member of another organisation: every type, the GREEN alert, not the AMBER one.
    const watched = await open();
    const { page } = watched;
    await signIn(page, outsider.email);
    await page.goto(`${server.url}/search?q=${unique}`);
    await page.getByTestId('search-count').filter({ hasText: '7 results' }).waitFor();
    const hits = await hitsOf(page);
    expect(sorted(hits.map(({ label, href }) => ({ label, href })))).to.deep.equal(sorted(expected.map(({ label, href }) => ({ label, href }))));
    expect(hits.find((hit) => hit.label === 'Trend alert')!.title).to.equal(`TLP:GREEN Green wave of ${unique}`);
    expect(hits.map((hit) => hit.title).join(' ')).to.not.include('Amber');
    expect(await page.getByTestId('search-hit').locator('h2 mark').allInnerTexts()).to.have.length(6);
    await screenshot(page, 'search-every-type-desktop');
    for (const item of expected) {
      await page.goto(`${server.url}/search?q=${unique}`);
      await page.getByTestId('search-hit').filter({ has: page.locator(`h2 a[href="${item.href}"]`) }).getByRole('link').click();
      await item.lands(page);
      expect(new URL(page.url()).pathname + new URL(page.url()).search + new URL(page.url()).hash).to.equal(item.href);
    }
    expect(watched.problems()).to.deep.equal([]);

    // A member of the named organisation, on a phone: the AMBER alert too, marked.
    const phone = await open({ viewport: VIEWPORTS.phone });
    await signIn(phone.page, recipient.email);
    await phone.page.goto(`${server.url}/search?q=${unique}`);
    await phone.page.getByTestId('search-count').filter({ hasText: '8 results' }).waitFor();
    const amberHit = phone.page.getByTestId('search-hit').filter({ has: phone.page.locator(`h2 a[href="/alerts/${amber.id}"]`) });
    expect(await amberHit.locator('h2').innerText()).to.equal(`TLP:AMBER Amber wave of ${unique}`);
    expect(await amberHit.getByText('Trend alert', { exact: true }).count()).to.equal(1);
    await screenshot(phone.page, 'search-every-type-phone');
    await amberHit.getByRole('link').click();
    await phone.page.getByRole('heading', { level: 1, name: `Amber wave of ${unique}` }).waitFor();
    expect(phone.problems()).to.deep.equal([]);
  });
});
