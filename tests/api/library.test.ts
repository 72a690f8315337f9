import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { SearchDocument, SearchRef } from '../../backend/src/search/search.types.ts';
import { makePdf } from '../../scripts/lib/make-pdf.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');
const MISSING = '0123456789abcdef01234567';

describe('library channels (HTTP)', function () {
  let server: TestServer;
  let models: Models;
  const indexed: SearchDocument[] = [];

  before(async function () {
    server = await startTestServer({ postingBurst: 500 });
    models = server.server.ctx.models;
    const search = server.server.ctx.search;
    search.index = async (doc: SearchDocument) => {
      indexed.push(structuredClone(doc));
    };
  });

  after(async function () {
    await server.close();
  });

  async function channelOf(kind: ChannelKind = 'library', slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
    return String(channel._id);
  }

  const RESOURCE = { title: 'Model terms of service', category: 'Terms of service', body: '## Prohibited content\n\nNo terrorist content.' };

  it('lets moderators write resources and members read them by category', async function () {
    const channelId = await channelOf();
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: member } = await signedIn(server.url, models);
    expect((await member.post(`/api/channels/${channelId}/resources`, RESOURCE)).status).to.equal(403);
    expect((await new ApiClient(server.url).post(`/api/channels/${channelId}/resources`, RESOURCE)).status).to.equal(401);
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    expect(created.status).to.equal(201);
    expect(created.body).to.include({ title: RESOURCE.title, category: RESOURCE.category, revision: 1 });
    expect(created.body.html).to.equal('<h4>Prohibited content</h4>\n<p>No terrorist content.</p>');
    await moderator.post(`/api/channels/${channelId}/resources`, { title: 'Transparency report template', category: 'Transparency', body: 'Fill in the numbers.' });
    const all = await member.get(`/api/channels/${channelId}/resources`);
    expect(all.body.map((resource: { category: string }) => resource.category)).to.deep.equal(['Terms of service', 'Transparency']);
    const filtered = await member.get(`/api/channels/${channelId}/resources?category=transparency`);
    expect(filtered.body.map((resource: { title: string }) => resource.title)).to.deep.equal(['Transparency report template']);
    expect((await member.get(`/api/channels/${channelId}/resources/${created.body.id}`)).body.title).to.equal(RESOURCE.title);
    expect((await member.get(`/api/channels/${channelId}/resources/${MISSING}`)).status).to.equal(404);
    const doc = indexed.find((item) => item.key === `library:${channelId}:${created.body.id}`);
    expect(doc).to.include({ type: 'library', channelId, title: RESOURCE.title });
  });

  it('keeps every revision visible, newest first', async function () {
    const channelId = await channelOf();
    const { client: moderator, member: moderatorMember } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: member } = await signedIn(server.url, models);
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    const path = `/api/channels/${channelId}/resources/${created.body.id}`;
    expect((await member.patch(path, { body: 'mine now' })).status).to.equal(403);
    expect((await moderator.patch(path, { body: '' })).status).to.equal(400);
    const revised = await moderator.patch(path, { body: 'Second version', note: 'Shorter', title: 'Model terms (v2)' });
    expect(revised.status).to.equal(200);
    expect(revised.body).to.include({ revision: 2, title: 'Model terms (v2)', category: RESOURCE.category });
    const history = await member.get(`${path}/revisions`);
    expect(history.body.map((revision: { n: number; note: string; title: string }) => [revision.n, revision.note, revision.title])).to.deep.equal([
      [2, 'Shorter', 'Model terms (v2)'],
      [1, 'First version', RESOURCE.title],
    ]);
    expect(history.body[0].by.name).to.equal(moderatorMember.name);
    expect(history.body[1].html).to.include('No terrorist content.');
  });

  it('shows revisions of a redacted or hidden resource only as members may see the resource', async function () {
    const channelId = await channelOf();
    const { client: editor } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: member } = await signedIn(server.url, models);
    const created = await editor.post(`/api/channels/${channelId}/resources`, { title: 'Contacts', category: 'Contacts', body: 'Call Jane Doe at 10 Secret Street' });
    expect(created.status).to.equal(201);
    const path = `/api/channels/${channelId}/resources/${created.body.id}`;
    expect((await editor.patch(path, { body: 'Jane Doe, 10 Secret Street, flat 2', note: 'Flat number' })).status).to.equal(200);
    const id = `${channelId}:${created.body.id}`;
    const redacted = await moderator.post('/api/moderation/actions', { type: 'library', id, kind: 'redact', reason: 'personal_data', redactedText: 'Call [redacted]' });
    expect(redacted.status, JSON.stringify(redacted.body)).to.equal(201);
    const afterRedaction = await member.get(`${path}/revisions`);
    expect(afterRedaction.status).to.equal(200);
    expect(JSON.stringify(afterRedaction.body)).to.not.include('Secret Street');
    expect(afterRedaction.body.map((revision: { n: number; html: string }) => [revision.n, revision.html])).to.deep.equal([
      [2, '<p>Call [redacted]</p>'],
      [1, ''],
    ]);
    expect(afterRedaction.body[1].moderation).to.deep.equal({ visibility: 'redacted', reason: 'personal_data' });
    // Moderators still see every version as written.
    const forModerators = await moderator.get(`${path}/revisions`);
    expect(forModerators.body.map((revision: { html: string }) => revision.html).join(' ')).to.include('10 Secret Street, flat 2').and.include('Call Jane Doe');

    const hidden = await moderator.post('/api/moderation/actions', { type: 'library', id, kind: 'hide', reason: 'terrorist_content' });
    expect(hidden.status).to.equal(201);
    const afterHide = await member.get(`${path}/revisions`);
    expect(afterHide.body.map((revision: { title: string; html: string; note: string }) => [revision.title, revision.html, revision.note])).to.deep.equal([
      ['Hidden by moderators', '', ''],
      ['Hidden by moderators', '', ''],
    ]);
    expect(afterHide.body[0].moderation).to.deep.equal({ visibility: 'hidden', reason: 'terrorist_content' });
    expect((await moderator.get(`${path}/revisions`)).body[0]).to.include({ title: 'Contacts', note: 'Flat number' });
  });

  it('turns an accepted suggestion into a credited revision and notifies the suggester; a declined one carries its reason', async function () {
    const channelId = await channelOf();
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: member, member: suggester } = await signedIn(server.url, models);
    const { client: other } = await signedIn(server.url, models);
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    const path = `/api/channels/${channelId}/resources/${created.body.id}`;
    expect((await member.post(`${path}/suggestions`, { body: 'x', note: '' })).status).to.equal(400);
    const first = await member.post(`${path}/suggestions`, { body: 'No terrorist or violent extremist content.', note: 'Broader wording' });
    expect(first.status).to.equal(201);
    expect(first.body).to.include({ status: 'open', baseRevision: 1 });
    const second = await member.post(`${path}/suggestions`, { body: 'Anything goes.', note: 'Simpler' });
    // Members see their own suggestions only; moderators see all.
    expect((await other.get(`${path}/suggestions`)).body).to.deep.equal([]);
    expect((await moderator.get(`${path}/suggestions`)).body).to.have.length(2);
    expect((await other.post(`${path}/suggestions/${first.body.id}/accept`)).status).to.equal(403);

    const accepted = await moderator.post(`${path}/suggestions/${first.body.id}/accept`);
    expect(accepted.status).to.equal(200);
    expect(accepted.body.status).to.equal('accepted');
    expect((await moderator.post(`${path}/suggestions/${first.body.id}/accept`)).status).to.equal(409);
    const resource = await member.get(path);
    expect(resource.body).to.include({ revision: 2, source: 'No terrorist or violent extremist content.' });
    const history = await member.get(`${path}/revisions`);
    expect(history.body[0].credit.name).to.equal(suggester.name);
    expect(history.body[0].note).to.equal('Broader wording');

    expect((await moderator.post(`${path}/suggestions/${second.body.id}/decline`, {})).status).to.equal(400);
    const declined = await moderator.post(`${path}/suggestions/${second.body.id}/decline`, { reason: 'Contradicts the law' });
    expect(declined.body).to.include({ status: 'declined', reason: 'Contradicts the law' });
    expect((await member.get(path)).body.revision).to.equal(2);
    expect((await moderator.post(`${path}/suggestions/${MISSING}/decline`, { reason: 'nope nope' })).status).to.equal(404);

    const notifications = (await member.get('/api/notifications')).body.items as { kind: string; body: string }[];
    expect(notifications.map((item) => item.kind)).to.include.members(['suggestion.accepted', 'suggestion.declined']);
    expect(notifications.find((item) => item.kind === 'suggestion.declined')!.body).to.equal('Reason: Contradicts the law');
    const audits = await models.AuditEvent.find({ action: 'library.suggestion_decided', targetId: `${channelId}:${created.body.id}` }).lean();
    expect(audits).to.have.length(2);
  });

  it('answers 404 to outsiders and for channels of another kind, 403 to applicants', async function () {
    const channelId = await channelOf('library', 'government');
    const { client: moderator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    expect(created.status).to.equal(201);
    // A moderator from another sector cannot write a library they cannot enter.
    const { client: otherModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
    for (const res of [
      await otherModerator.post(`/api/channels/${channelId}/resources`, RESOURCE),
      await industry.get(`/api/channels/${channelId}/resources`),
      await industry.get(`/api/channels/${channelId}/resources/${created.body.id}/revisions`),
      await industry.post(`/api/channels/${channelId}/resources/${created.body.id}/suggestions`, { body: 'x', note: 'let me' }),
    ]) {
      expect(res.status).to.equal(404);
    }
    const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
    expect((await applicant.get(`/api/channels/${channelId}/resources`)).status).to.equal(403);
    const papers = await channelOf('papers', 'government');
    expect((await moderator.post(`/api/channels/${papers}/resources`, RESOURCE)).status).to.equal(404);
  });

  it('attaches a PDF to a resource (moderators) and serves it to readers', async function () {
    const channelId = await channelOf();
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: member } = await signedIn(server.url, models);
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    const pdf = makePdf('Model terms', ['Section 1']);
    const put = (client: ApiClient) =>
      fetch(`${server.url}/api/channels/${channelId}/resources/${created.body.id}/pdf`, { method: 'PUT', headers: { 'content-type': 'application/pdf', 'x-convene-csrf': '1', cookie: client.cookie! }, body: pdf });
    expect((await put(member)).status).to.equal(403);
    const stored = await put(moderator);
    expect(stored.status).to.equal(200);
    const got = await fetch(`${server.url}/api/channels/${channelId}/resources/${created.body.id}/pdf`, { headers: { cookie: member.cookie! } });
    expect(got.status).to.equal(200);
    expect(got.headers.get('content-disposition')).to.equal('attachment; filename="Model-terms-of-service.pdf"');
    expect(Buffer.from(await got.arrayBuffer()).equals(pdf)).to.equal(true);
  });

  it('gives search and moderation sources the same answer as direct reads; hidden items only to moderators', async function () {
    const channelId = await channelOf('library', 'industry');
    const { client: moderator, member: moderatorMember } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const created = await moderator.post(`/api/channels/${channelId}/resources`, RESOURCE);
    const ref: SearchRef = { key: `library:${channelId}:${created.body.id}`, type: 'library', spaceId: null, channelId, authorId: null, tags: [], createdAt: new Date() };
    const actor = (sector: 'industry' | 'government', roles: ('moderator')[] = [], id = 'x') => ({ id, status: 'member' as const, roles, sector, organisationId: null });
    const search = server.server.ctx.search.source('library')!;
    expect([...(await search.visible(actor('industry'), [ref]))]).to.deep.equal([ref.key]);
    expect([...(await search.visible(actor('government'), [ref]))]).to.deep.equal([]);
    const presented = await search.present(actor('industry'), [ref]);
    expect(presented.get(ref.key)).to.deep.equal({ title: RESOURCE.title, text: '## Prohibited content No terrorist content.', link: `/channels/${channelId}/resources/${created.body.id}`, concealed: false });

    const moderation = server.server.ctx.moderation.get('library')!;
    const modActor = actor('industry', ['moderator'], String(moderatorMember._id));
    expect(await moderation.load(actor('government', ['moderator']), `${channelId}:${created.body.id}`)).to.equal(null);
    const loaded = await moderation.load(modActor, `${channelId}:${created.body.id}`);
    expect(loaded).to.include({ authorId: String(moderatorMember._id), link: `/channels/${channelId}/resources/${created.body.id}` });
    expect(loaded!.title('en')).to.equal(RESOURCE.title);
    // Redacted personal data stays redacted in search snippets for members, not for moderators.
    await moderation.setState(`${channelId}:${created.body.id}`, { visibility: 'visible', reason: 'personal_data', note: '', redactedHtml: '<p>[redacted]</p>', redactedSource: '[redacted]', by: modActor.id, at: new Date() });
    expect((await search.present(actor('industry'), [ref])).get(ref.key)!.text).to.equal('[redacted]');
    expect((await search.present(modActor, [ref])).get(ref.key)!.text).to.include('No terrorist content.');
    await moderation.setState(`${channelId}:${created.body.id}`, { visibility: 'hidden', reason: 'other', note: '', redactedHtml: null, redactedSource: null, by: modActor.id, at: new Date() });
    expect([...(await search.visible(actor('industry'), [ref]))]).to.deep.equal([]);
    expect([...(await search.visible(modActor, [ref]))]).to.deep.equal([ref.key]);
    const { client: member } = await signedIn(server.url, models, { sector: 'industry' });
    const seen = (await member.get(`/api/channels/${channelId}/resources/${created.body.id}`)).body;
    expect(seen).to.include({ html: '', source: '', title: 'Hidden by moderators' });
    expect(seen.moderation).to.deep.equal({ visibility: 'hidden', reason: 'other' });
    expect((await moderator.get(`/api/channels/${channelId}/resources/${created.body.id}`)).body.source).to.include('No terrorist content.');
  });
});
