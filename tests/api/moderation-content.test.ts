import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');

/**
 * Moderation over every kind of content: questions and answers (also anonymous ones), papers and
 * trend alerts go through the same reports, queue, actions and appeals as messages, each under its
 * own read rule (spaces, TLP).
 */
describe('moderation of questions, papers and alerts (HTTP)', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  async function channelOf(kind: ChannelKind, slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
    return String(channel._id);
  }

  const staff = () => signedIn(server.url, models, { roles: ['moderator'], sector: 'civil_society' });

  it('never shows moderators the author of an anonymous question, yet tells the author and lets them appeal', async function () {
    const channelId = await channelOf('qa');
    const { client: asker, member: askerMember } = await signedIn(server.url, models, { sector: 'industry' });
    expect((await asker.request('PUT', '/api/me/anonymous-profile', { description: 'file hosting, under 50 staff' })).status).to.equal(200);
    const asked = await asker.post(`/api/channels/${channelId}/questions`, { title: 'Where do we report livestreams?', body: 'Our **two** moderators are overwhelmed.', tags: [], anonymous: true });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const id = `${channelId}:${asked.body.id}`;
    // The same person also has a named message that moderators acted on before.
    const discussion = await channelOf('discussion');
    const named = await asker.post(`/api/channels/${discussion}/messages`, { text: 'Named post', idempotencyKey: key() });
    const { client: moderator } = await staff();
    const { client: other } = await staff();
    const warned = await moderator.post('/api/moderation/actions', { type: 'message', id: named.body.id, kind: 'warn', reason: 'off_topic', note: '' });
    expect(warned.status, JSON.stringify(warned.body)).to.equal(201);

    const { client: reporter } = await signedIn(server.url, models);
    const reported = await reporter.post('/api/moderation/reports', { type: 'question', id, reason: 'misinformation', note: 'wrong advice' });
    expect(reported.status, JSON.stringify(reported.body)).to.equal(201);
    const detail = await moderator.get(`/api/moderation/queue/question/${encodeURIComponent(id)}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.item).to.include({ anonymous: true, authorId: '', title: 'Where do we report livestreams?' });
    expect(detail.body.authorHistory).to.deep.equal([]);
    const leaks = (value: unknown) => [String(askerMember._id), askerMember.name, askerMember.email].filter((secret) => JSON.stringify(value).includes(secret));
    expect(leaks(detail.body)).to.deep.equal([]);

    // Suspending an anonymous author would name them: refused until the audited reveal.
    const suspend = await moderator.post('/api/moderation/actions', { type: 'question', id, kind: 'suspend', reason: 'misinformation', note: '' });
    expect(suspend.status).to.equal(409);
    expect(suspend.body.error.code).to.equal('anonymous_author');

    const hidden = await moderator.post('/api/moderation/actions', { type: 'question', id, kind: 'hide', reason: 'misinformation', note: 'Please cite a source.' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    expect(hidden.body).to.include({ authorId: '', anonymous: true });
    // The named message's history does not list the anonymous question (it would tie the two).
    const namedDetail = await other.get(`/api/moderation/queue/message/${encodeURIComponent(named.body.id)}`);
    expect(namedDetail.status).to.equal(200);
    expect(namedDetail.body.authorHistory.map((action: { type: string }) => action.type)).to.not.include('question');

    // Members see the question hidden with the reason; the author is told and may appeal.
    const seen = await reporter.get(`/api/channels/${channelId}/questions/${asked.body.id}`);
    expect(seen.status).to.equal(200);
    expect(JSON.stringify(seen.body)).to.not.include('overwhelmed');
    const box = await models.NotificationBox.findById(String(askerMember._id)).lean();
    expect(box!.items.map((item) => item.kind)).to.include('moderation.action');
    const mine = await asker.get('/api/moderation/mine');
    const action = mine.body.find((entry: { type: string; itemId: string }) => entry.type === 'question' && entry.itemId === id);
    expect(action).to.include({ kind: 'hide', reason: 'misinformation', appealable: true });
    expect((await asker.post(`/api/moderation/actions/${action.id}/appeal`, { note: 'I added a source.' })).status).to.equal(201);
    const appeals = await other.get('/api/moderation/appeals');
    const appeal = appeals.body.find((entry: { id: string }) => entry.id === action.id);
    expect(appeal).to.include({ authorId: '', anonymous: true });
    expect(leaks(appeals.body)).to.deep.equal([]);
    const decided = await other.post(`/api/moderation/actions/${action.id}/appeal/decision`, { outcome: 'overturn', note: 'Fair enough.' });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(JSON.stringify((await reporter.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).body)).to.include('overwhelmed');
  });

  it('hides a paper and its PDF from members, keeps it for moderators, and restores it exactly', async function () {
    const channelId = await channelOf('papers');
    const { client: sharer } = await signedIn(server.url, models);
    const shared = await sharer.post(`/api/channels/${channelId}/papers`, { title: 'Doxxing dataset', authors: ['A. Author'], year: 2024, abstract: 'Contains home addresses.', venue: 'Preprint', doi: '10.1080/1057610X.2020.1780028', link: 'https://example.org/doxx', tags: [] });
    expect(shared.status, JSON.stringify(shared.body)).to.equal(201);
    const id = `${channelId}:${shared.body.id}`;
    const { client: reader } = await signedIn(server.url, models);
    const { client: moderator } = await staff();
    const { client: other } = await staff();
    expect((await reader.post('/api/moderation/reports', { type: 'paper', id, reason: 'personal_data', note: '' })).status).to.equal(201);
    const before = (await reader.get(`/api/channels/${channelId}/papers/${shared.body.id}`)).body;
    const hidden = await moderator.post('/api/moderation/actions', { type: 'paper', id, kind: 'hide', reason: 'personal_data', note: '' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    const forMember = await reader.get(`/api/channels/${channelId}/papers/${shared.body.id}`);
    expect(JSON.stringify(forMember.body)).to.not.include('home addresses');
    expect(JSON.stringify(forMember.body)).to.not.include('Doxxing dataset');
    expect(JSON.stringify((await reader.get(`/api/channels/${channelId}/papers`)).body)).to.not.include('home addresses');
    expect(JSON.stringify((await moderator.get(`/api/channels/${channelId}/papers/${shared.body.id}`)).body)).to.include('home addresses');
    const reversed = await other.post(`/api/moderation/actions/${hidden.body.id}/reverse`, { note: '' });
    expect(reversed.status, JSON.stringify(reversed.body)).to.equal(200);
    expect((await reader.get(`/api/channels/${channelId}/papers/${shared.body.id}`)).body).to.deep.equal(before);
  });

  it('keeps an alert under its marking: only recipients may report it, and only recipient moderators see or act on it', async function () {
    const company = await makeOrganisation(models, { sector: 'industry' });
    const { client: liaison } = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const { client: recipient } = await signedIn(server.url, models, { organisation: company });
    const { client: outsider } = await signedIn(server.url, models, { sector: 'industry' });
    const { client: recipientModerator } = await signedIn(server.url, models, { organisation: company, roles: ['moderator'] });
    const { client: otherModerator } = await staff();
    const published = await liaison.post('/api/alerts', {
      title: 'Strict alert about a forum',
      summary: 'Only for one company.',
      severity: 'medium',
      marking: 'TLP:AMBER+STRICT',
      recipients: { organisationIds: [String(company._id)] },
      tags: { platforms: [], tactics: [], regions: [] },
      indicators: [],
    });
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
    const id = published.body.id as string;

    expect((await outsider.post('/api/moderation/reports', { type: 'alert', id, reason: 'misinformation', note: '' })).status).to.equal(404);
    expect((await recipient.post('/api/moderation/reports', { type: 'alert', id, reason: 'misinformation', note: '' })).status).to.equal(201);
    // A moderator outside the marking learns nothing: not in the queue, 404 on the item.
    const queue = await otherModerator.get('/api/moderation/queue');
    expect(JSON.stringify(queue.body)).to.not.include(id);
    expect((await otherModerator.get(`/api/moderation/queue/alert/${id}`)).status).to.equal(404);
    expect((await otherModerator.post('/api/moderation/actions', { type: 'alert', id, kind: 'hide', reason: 'misinformation', note: '' })).status).to.equal(404);

    const hidden = await recipientModerator.post('/api/moderation/actions', { type: 'alert', id, kind: 'hide', reason: 'misinformation', note: '' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    const seen = await recipient.get(`/api/alerts/${id}`);
    expect(seen.status).to.equal(200);
    expect(seen.body.moderation).to.include({ visibility: 'hidden' });
    expect(JSON.stringify(seen.body)).to.not.include('Only for one company.');
  });

  it('keeps a restricted library resource out of its revision history for members, and tells its creator it is theirs', async function () {
    const channelId = await channelOf('library');
    const { client: writer } = await staff();
    const { client: other } = await staff();
    const { client: member } = await signedIn(server.url, models);
    const created = await writer.post(`/api/channels/${channelId}/resources`, { title: 'Contact sheet', category: 'Contacts', body: 'Call Jo Doe on +44 20 7946 0000.' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.mine).to.equal(true);
    const path = `/api/channels/${channelId}/resources/${created.body.id}`;
    expect((await member.get(path)).body.mine).to.equal(false);
    expect((await member.get(`${path}/revisions`)).body).to.have.length(1);

    const id = `${channelId}:${created.body.id}`;
    expect((await member.post('/api/moderation/reports', { type: 'library', id, reason: 'personal_data', note: '' })).status).to.equal(201);
    const redacted = await other.post('/api/moderation/actions', { type: 'library', id, kind: 'redact', reason: 'personal_data', note: '', redactedText: 'Call the desk.' });
    expect(redacted.status, JSON.stringify(redacted.body)).to.equal(201);
    // The member reads the redacted text; no earlier version brings the number back.
    const seen = await member.get(path);
    expect(seen.body).to.include({ source: 'Call the desk.' });
    expect(seen.body.moderation).to.include({ visibility: 'redacted', reason: 'personal_data' });
    const history = await member.get(`${path}/revisions`);
    expect(history.status).to.equal(200);
    expect(history.body).to.deep.equal([]);
    // Moderators keep the whole history.
    expect(JSON.stringify((await other.get(`${path}/revisions`)).body)).to.include('7946');

    // Reversed: the history is back for members.
    expect((await writer.post(`/api/moderation/actions/${redacted.body.id}/reverse`, { note: '' })).status).to.equal(200);
    expect((await member.get(`${path}/revisions`)).body).to.have.length(1);
  });
});
