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

  it('moderates comments on papers like any content: report, review with the other comments, hide, redact, appeal', async function () {
    const channelId = await channelOf('papers', 'industry');
    const { client: sharer } = await signedIn(server.url, models, { sector: 'industry' });
    const shared = await sharer.post(`/api/channels/${channelId}/papers`, { title: 'Takedown latency', authors: ['A. Author'], abstract: 'Abstract.', tags: [] });
    expect(shared.status).to.equal(201);
    const { client: commenter, member: commenterMember } = await signedIn(server.url, models, { sector: 'industry' });
    const path = `/api/channels/${channelId}/papers/${shared.body.id}`;
    const before = await sharer.post(`${path}/comments`, { body: 'Good method.' });
    const bad = await commenter.post(`${path}/comments`, { body: 'The first author lives at 5 Hidden Road.' });
    const after = await sharer.post(`${path}/comments`, { body: 'Please do not post addresses.' });
    for (const posted of [before, bad, after]) expect(posted.status).to.equal(201);
    const id = `${channelId}:${bad.body.id}`;

    const { client: reporter } = await signedIn(server.url, models, { sector: 'industry' });
    const { client: outsider } = await signedIn(server.url, models, { sector: 'government' });
    expect((await outsider.post('/api/moderation/reports', { type: 'comment', id, reason: 'personal_data' })).status).to.equal(404);
    // A paper is not a comment, and a comment is not a paper.
    expect((await reporter.post('/api/moderation/reports', { type: 'comment', id: `${channelId}:${shared.body.id}`, reason: 'other' })).status).to.equal(404);
    expect((await reporter.post('/api/moderation/reports', { type: 'paper', id, reason: 'other' })).status).to.equal(404);
    expect((await reporter.post('/api/moderation/reports', { type: 'comment', id, reason: 'personal_data', note: 'An address' })).status).to.equal(201);

    const { client: moderator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const { client: other } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    expect((await governmentModerator.get(`/api/moderation/queue/comment/${encodeURIComponent(id)}`)).status).to.equal(404);
    const detail = await moderator.get(`/api/moderation/queue/comment/${encodeURIComponent(id)}`);
    expect(detail.status, JSON.stringify(detail.body)).to.equal(200);
    expect(detail.body.item).to.include({ title: 'Comment on: Takedown latency', source: 'The first author lives at 5 Hidden Road.', link: `/channels/${channelId}/papers/${shared.body.id}#comment-${id.split(':')[1]}` });
    expect(detail.body.context.map((item: { source: string }) => item.source)).to.deep.equal(['Good method.', 'Please do not post addresses.']);
    expect((await moderator.get('/api/moderation/queue')).body.entries.map((entry: { key: string }) => entry.key)).to.include(`comment:${id}`);

    const redacted = await moderator.post('/api/moderation/actions', { type: 'comment', id, kind: 'redact', reason: 'personal_data', redactedText: 'The first author lives at [redacted].' });
    expect(redacted.status, JSON.stringify(redacted.body)).to.equal(201);
    const seen = (await reporter.get(path)).body.comments.find((comment: { id: string }) => comment.id === bad.body.id);
    expect(seen).to.include({ source: 'The first author lives at [redacted].' });
    expect(seen.moderation).to.deep.equal({ visibility: 'redacted', reason: 'personal_data' });
    const hidden = await other.post('/api/moderation/actions', { type: 'comment', id, kind: 'hide', reason: 'personal_data', note: 'Addresses stay out.' });
    expect(hidden.status).to.equal(201);
    const afterHide = await reporter.get(path);
    expect(JSON.stringify(afterHide.body)).to.not.include('Hidden Road');
    expect(afterHide.body.comments.find((comment: { id: string }) => comment.id === bad.body.id)).to.include({ html: '', source: '' });
    expect(JSON.stringify((await moderator.get(path)).body)).to.include('5 Hidden Road');
    // The author is told and may appeal.
    const mine = await commenter.get('/api/moderation/mine');
    const action = mine.body.find((entry: { type: string; kind: string }) => entry.type === 'comment' && entry.kind === 'hide');
    expect(action).to.include({ itemId: id, appealable: true });
    expect((await commenter.post(`/api/moderation/actions/${action.id}/appeal`, { note: 'It is public.' })).status).to.equal(201);
    const box = await models.NotificationBox.findById(String(commenterMember._id)).lean();
    expect(box!.items.filter((item) => item.kind === 'moderation.action')).to.have.length(2);
  });

  it('withholds the answers to a hidden question and the comments on a hidden paper from members', async function () {
    const qa = await channelOf('qa');
    const papers = await channelOf('papers');
    const { client: author } = await signedIn(server.url, models);
    const { client: member } = await signedIn(server.url, models);
    const { client: moderator } = await staff();
    const asked = await author.post(`/api/channels/${qa}/questions`, { title: 'Where is the list?', body: 'Question', tags: [] });
    expect((await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'It quotes the question' })).status).to.equal(201);
    const shared = await author.post(`/api/channels/${papers}/papers`, { title: 'A paper', authors: ['A'], abstract: 'x', tags: [] });
    expect((await member.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'It discusses the paper' })).status).to.equal(201);
    expect((await moderator.post('/api/moderation/actions', { type: 'question', id: `${qa}:${asked.body.id}`, kind: 'hide', reason: 'terrorist_content' })).status).to.equal(201);
    expect((await moderator.post('/api/moderation/actions', { type: 'paper', id: `${papers}:${shared.body.id}`, kind: 'hide', reason: 'terrorist_content' })).status).to.equal(201);
    expect((await member.get(`/api/channels/${qa}/questions/${asked.body.id}`)).body.answers).to.deep.equal([]);
    expect((await member.get(`/api/channels/${papers}/papers/${shared.body.id}`)).body.comments).to.deep.equal([]);
    expect((await moderator.get(`/api/channels/${qa}/questions/${asked.body.id}`)).body.answers).to.have.length(1);
    expect((await moderator.get(`/api/channels/${papers}/papers/${shared.body.id}`)).body.comments).to.have.length(1);
    // While hidden they take no replies from members (who would not see their own), and nothing is stored.
    const answer = await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Another answer' });
    expect(answer.status).to.equal(409);
    expect(answer.body.error.code).to.equal('moderated');
    const comment = await member.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'Another comment' });
    expect(comment.status).to.equal(409);
    expect(comment.body.error.code).to.equal('moderated');
    expect((await moderator.get(`/api/channels/${qa}/questions/${asked.body.id}`)).body.answers).to.have.length(1);
    expect((await moderator.get(`/api/channels/${papers}/papers/${shared.body.id}`)).body.comments).to.have.length(1);
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
    expect(JSON.stringify(history.body)).to.not.include('7946');
    // Moderators keep the whole history.
    expect(JSON.stringify((await other.get(`${path}/revisions`)).body)).to.include('7946');

    // Reversed: the history is back for members.
    expect((await writer.post(`/api/moderation/actions/${redacted.body.id}/reverse`, { note: '' })).status).to.equal(200);
    expect((await member.get(`${path}/revisions`)).body).to.have.length(1);
  });
});
