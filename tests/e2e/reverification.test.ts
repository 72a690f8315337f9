import { expect } from 'chai';
import { browserSuite } from '../helpers/browser-suite.ts';
import { screenshot } from '../helpers/browser.ts';
import { makeMember, makeOrganisation } from '../factories/members.ts';
import { linkToken, waitForMail } from '../helpers/mail.ts';
import { runReverification } from '../../backend/src/members/reverification.ts';
import { ManualClock, systemClock } from '../../backend/src/shared/clock.ts';

const DAY = 24 * 3600_000;

describe('yearly re-verification in the web app (browser)', function () {
  const suite = browserSuite();

  it('a lapsed member sees why, confirms at a work address from the profile, and is back; moderators see the lists', async function () {
    const organisation = await makeOrganisation(suite.models, { sector: 'industry' });
    const member = await makeMember(suite.models, { organisation, email: `private-${Date.now()}@mail.example` });
    await suite.models.Member.updateOne({ _id: member._id }, { $set: { affiliation: { confirmedAt: new Date(Date.now() - 400 * DAY), askedAt: null, lapsedAt: null } } });
    const ctx = suite.server.server.ctx;
    const clock = new ManualClock();
    ctx.clock = clock;
    await runReverification(ctx); // asks
    clock.advance(61 * DAY);
    await runReverification(ctx); // past notice and grace after the ask: lapses
    ctx.clock = systemClock;

    const moderator = await makeMember(suite.models, { roles: ['moderator'] });
    const modPage = (await suite.open()).page;
    await suite.signIn(modPage, moderator, '/reverification');
    await modPage.getByRole('heading', { level: 1, name: 'Re-verification' }).waitFor();
    await modPage.getByTestId('reverification-lapsed').getByRole('row').filter({ hasText: member.name }).waitFor();
    await screenshot(modPage, 'reverification-moderator-desktop');

    const watched = await suite.open();
    const { page } = watched;
    await suite.signIn(page, member);
    await page.getByTestId('affiliation-banner').waitFor();
    await screenshot(page, 'reverification-banner-desktop');
    await page.getByTestId('affiliation-banner').getByRole('link', { name: 'Confirm it on your profile' }).click();
    await screenshot(page, 'reverification-profile-before-desktop');
    await page.getByTestId('affiliation-state').filter({ hasText: 'access is paused' }).waitFor();
    const work = `work-${Date.now()}@${organisation.domains[0]}`;
    await page.getByLabel('Address at your organisation').fill(work);
    await page.keyboard.press('Enter');
    await page.getByTestId('affiliation-sent').filter({ hasText: work }).waitFor();
    await screenshot(page, 'reverification-profile-desktop');

    const [mail] = await waitForMail(suite.server.server, work);
    const { url, token } = linkToken(mail!);
    await page.goto(`${suite.server.url}${new URL(url).pathname}#token=${token}`);
    await page.getByRole('button', { name: 'Confirm my affiliation' }).click();
    await page.getByTestId('affiliation-done').waitFor();
    await page.goto(`${suite.server.url}/events`);
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    expect(await page.getByTestId('affiliation-banner').count()).to.equal(0);

    await modPage.reload();
    await modPage.getByTestId('reverification-confirmed').getByRole('row').filter({ hasText: member.name }).waitFor();
    expect(watched.problems().filter((problem) => !/status of 403/.test(problem))).to.deep.equal([]);
  });
});
