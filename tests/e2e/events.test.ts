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

  it('after the event: the organiser publishes RED findings, a participant sees them live and gives feedback, a bystander sees nothing; the organiser reads counts', async () => {
    const { client: organiser, member: organiserDoc } = await signedIn(server.url, models, { roles: ['organiser'] });
    const startsAt = new Date(Date.now() + 5 * 86_400_000);
    const created = await organiser.post('/api/events', {
      kind: 'workshop',
      title: 'Hash matching day',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
      timeZone: 'Europe/Berlin',
      mode: 'online',
      capacity: 5,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as string;
    const participant = await signedIn(server.url, models, { name: 'Pat Participant' });
    expect((await participant.client.request('PUT', `/api/events/${id}/registration`)).body.state).to.equal('registered');
    // The workshop took place yesterday (for the server and the browser alike).
    const yesterday = Date.now() - 86_400_000;
    await models.Event.updateOne({ _id: id }, { $set: { startsAt: new Date(yesterday), endsAt: new Date(yesterday + 2 * 3600_000) } });
    const bystander = await makeMember(models, { name: 'Bea Bystander' });

    const participantPage = await open();
    await signIn(participantPage.page, participant.member.email, `/events/${id}`);
    await live(participantPage.page);
    await participantPage.page.getByRole('heading', { name: 'Materials and findings' }).waitFor();
    await participantPage.page.getByText('Nothing published yet.').waitFor();

    const organiserPage = await open();
    const { page } = organiserPage;
    await signIn(page, organiserDoc.email, `/events/${id}`);
    await page.getByRole('heading', { name: 'Publish materials or findings' }).waitFor();
    await page.getByRole('radio', { name: 'Findings', exact: true }).check();
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('What we found about re-encoding');
    await page.getByRole('textbox', { name: /^Text/ }).fill('Perceptual hashes caught **re-encoded** copies.');
    await page.getByRole('radio', { name: /TLP:RED/ }).check();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').getByText('Published.').waitFor();
    await page.getByTestId('material').getByText('What we found about re-encoding').waitFor();

    // Live, without reloading: the participant's page lists it; its text opens with the keyboard.
    const item = participantPage.page.getByTestId('material');
    await item.getByText('What we found about re-encoding').waitFor();
    expect(await item.getByTestId('tlp-label').innerText()).to.equal('TLP:RED');
    await item.getByRole('button', { name: 'Read' }).focus();
    await participantPage.page.keyboard.press('Enter');
    await item.locator('strong', { hasText: 're-encoded' }).waitFor();

    const feedback = participantPage.page.getByTestId('feedback');
    await feedback.getByRole('radio', { name: '4', exact: true }).check();
    await feedback.getByRole('radio', { name: 'Yes', exact: true }).check();
    await feedback.getByRole('checkbox', { name: 'Tools or code' }).check();
    await feedback.getByRole('button', { name: 'Send feedback' }).click();
    await feedback.getByText('Thank you: your answer was counted.').waitFor();
    await screenshot(participantPage.page, 'events-findings-participant-desktop');

    const bystanderPage = await open();
    await signIn(bystanderPage.page, bystander.email, `/events/${id}`);
    await bystanderPage.page.getByText('Nothing published yet.').waitFor();
    expect(await bystanderPage.page.getByText('What we found about re-encoding').count()).to.equal(0);
    // Over: the page says so instead of offering to register (the server would refuse) or a calendar file.
    expect(await bystanderPage.page.getByTestId('standing').innerText()).to.equal('This event is over; registration is closed.');
    expect(await bystanderPage.page.getByRole('button', { name: /Register|Join the waitlist|Cancel/ }).count()).to.equal(0);
    expect(await bystanderPage.page.getByRole('link', { name: /Add to calendar/ }).count()).to.equal(0);
    expect(await participantPage.page.getByTestId('standing').innerText()).to.equal('You had a place at this event.');
    // The participant has a place: no join link means none was added, not that it is withheld.
    expect(await participantPage.page.getByTestId('where').innerText()).to.equal('Online (the organiser has not added the join link yet)');
    expect(await bystanderPage.page.getByTestId('where').innerText()).to.equal('Online (the join link is shown once you have a place)');

    await page.reload();
    await page.getByTestId('feedback-responses').getByText('1 answer').waitFor();
    // One answer: no counts, which would be that participant's answer.
    expect(await page.getByTestId('feedback-withheld').innerText()).to.equal('The counts appear once there are at least 3 answers, so that no one’s answer can be told apart.');
    expect(await page.locator('table.counts').count()).to.equal(0);
    await screenshot(page, 'events-findings-organiser-desktop');
    for (const opened of [participantPage, organiserPage, bystanderPage]) expect(opened.problems()).to.deep.equal([]);
  });
});
