import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { makeMember, signedIn } from '../factories/members.ts';
import { screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

describe('events (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, live } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  it('register → waitlist → a place is freed → registered, live, and only then the venue shows', async () => {
    const { client: organiser } = await signedIn(server.url, models, { roles: ['organiser'] });
    const startsAt = new Date(Date.now() + 5 * 86_400_000);
    const created = await organiser.post('/api/events', {
      kind: 'workshop',
      title: 'Terms of service clinic',
      description: 'Writing **terms of service** that hold up.',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
      timeZone: 'Asia/Tokyo',
      mode: 'in_person',
      city: 'Lisbon',
      venue: 'Rua Secreta 5, room B',
      coHosts: ['Big Tech Ltd'],
      capacity: 1,
      chathamHouse: true,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    const first = await makeMember(models, { name: 'Fay First' });
    const second = await makeMember(models, { name: 'Sam Second' });

    const firstPage = await open();
    await signIn(firstPage.page, first.email, `/events`);
    await firstPage.page.getByRole('link', { name: 'Terms of service clinic' }).click();
    await firstPage.page.getByRole('heading', { name: 'Terms of service clinic', level: 1 }).waitFor();
    await firstPage.page.getByRole('button', { name: 'Register' }).click();
    await firstPage.page.getByTestId('standing').getByText('You have a place.').waitFor();
    expect(await firstPage.page.getByTestId('where').innerText()).to.contain('Rua Secreta 5');

    const secondPage = await open();
    const { page } = secondPage;
    await signIn(page, second.email, `/events/${id}`);
    await live(page);
    await page.getByRole('heading', { name: 'Terms of service clinic', level: 1 }).waitFor();
    expect(await page.getByTestId('where').innerText()).to.not.contain('Rua Secreta');
    expect(await page.getByText('When (Asia/Tokyo)').count()).to.equal(1);
    await page.getByRole('button', { name: 'Join the waitlist' }).click();
    await page.getByTestId('standing').getByText('You are number 1 on the waitlist.').waitFor();
    await screenshot(page, 'events-waitlisted-desktop');

    // The first person cancels: the second gets the place without reloading.
    await firstPage.page.getByRole('button', { name: 'Cancel my registration' }).click();
    await firstPage.page.getByTestId('standing').getByText('You are not registered.').waitFor();
    await page.getByTestId('standing').getByText('You have a place.').waitFor();
    await page.getByTestId('where').getByText(/Rua Secreta 5/).waitFor();
    await screenshot(page, 'events-registered-desktop');
    expect(firstPage.problems()).to.deep.equal([]);
    expect(secondPage.problems()).to.deep.equal([]);
  });
});
