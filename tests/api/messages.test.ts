import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import type { SpaceDoc } from '../../backend/src/spaces/space.model.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(8).toString('hex');

describe('spaces, channels and messages (HTTP)', function () {
  let server: TestServer;
  let models: Models;
  /** Channel ids of the default spaces' #general, by space slug. */
  const general: Record<string, string> = {};

  before(async function () {
    // Small storage blocks, so that tests cross block boundaries.
    server = await startTestServer({ messageBlockSize: 10, postingBurst: 100 });
    models = server.server.ctx.models;
    for (const space of await models.Space.find({}).lean<SpaceDoc[]>()) {
      const channel = await models.Channel.findOne({ spaceId: space._id, name: 'general' }).lean();
      general[space.slug] = String(channel!._id);
    }
  });

  after(async function () {
    await server.close();
  });

  async function freshChannel(slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `c-${key()}`, kind: 'discussion' });
    return String(channel._id);
  }

  describe('spaces', function () {
    it('starts with the default spaces; each member sees only those their sector and roles open', async function () {
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const { client: government } = await signedIn(server.url, models, { sector: 'government' });
      const { client: moderator } = await signedIn(server.url, models, { sector: 'academia', roles: ['moderator'] });
      const slugs = async (client: ApiClient) => ((await client.get('/api/spaces')).body as { slug: string }[]).map((space) => space.slug).sort();
      expect(await slugs(industry)).to.deep.equal(['industry', 'plenary']);
      expect(await slugs(government)).to.deep.equal(['government', 'plenary']);
      expect(await slugs(moderator)).to.deep.equal(['civil-society-academia', 'moderators', 'plenary']);
      const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await applicant.get('/api/spaces')).status).to.equal(403);
    });

    it('keeps another sector out by every HTTP path: read, send, edit, catch-up; as if the channel did not exist', async function () {
      const { client: government } = await signedIn(server.url, models, { sector: 'government' });
      const sent = await government.post(`/api/channels/${general.government}/messages`, { text: 'Government only', idempotencyKey: key() });
      expect(sent.status).to.equal(201);
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const missing = await industry.get('/api/channels/0123456789abcdef01234567/messages');
      for (const res of [
        await industry.get(`/api/channels/${general.government}/messages`),
        await industry.get(`/api/channels/${general.government}/messages?after=0`),
        await industry.get(`/api/channels/${general.government}`),
        await industry.post(`/api/channels/${general.government}/messages`, { text: 'let me in', idempotencyKey: key() }),
        await industry.patch(`/api/channels/${general.government}/messages/${sent.body.seq}`, { text: 'changed' }),
        await industry.post(`/api/channels/${general.government}/read`, { seq: 1 }),
      ]) {
        expect(res.status).to.equal(404);
        expect(res.body).to.deep.equal(missing.body);
      }
    });

    it('lets a space rule change take effect at once', async function () {
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
      const created = await admin.post('/api/spaces', { slug: `s-${key()}`, name: 'Working group', access: { sectors: ['academia'], roles: [] } });
      expect(created.status).to.equal(201);
      const { client: moderator } = await signedIn(server.url, models, { sector: 'academia', roles: ['moderator'] });
      const channel = await moderator.post(`/api/spaces/${created.body.id}/channels`, { name: 'papers-wg', topic: 'Papers', kind: 'discussion' });
      expect(channel.status).to.equal(201);
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      expect((await industry.get(`/api/channels/${channel.body.id}/messages`)).status).to.equal(404);
      await admin.patch(`/api/spaces/${created.body.id}`, { access: { sectors: ['academia', 'industry'], roles: [] } });
      expect((await industry.get(`/api/channels/${channel.body.id}/messages`)).status).to.equal(200);
      expect((await industry.post(`/api/spaces/${created.body.id}/channels`, { name: 'mine' })).status).to.equal(403);
      expect((await moderator.post('/api/spaces', { slug: 'nope', name: 'Nope', access: { sectors: [], roles: [] } })).status).to.equal(403);
      // Managing channels does not open a space: a moderator from another sector sees nothing of Government's.
      const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
      const government = await models.Space.findOne({ slug: 'government' }).lean();
      expect((await industryModerator.patch(`/api/channels/${general.government}`, {})).status).to.equal(404);
      expect((await industryModerator.post(`/api/spaces/${government!._id}/channels`, { name: 'peek' })).status).to.equal(404);
    });
  });

  describe('sending', function () {
    it('stores, numbers from 1 and renders Markdown to sanitised HTML', async function () {
      const channelId = await freshChannel();
      const { client } = await signedIn(server.url, models);
      const res = await client.post(`/api/channels/${channelId}/messages`, { text: 'Hello **world**, see https://example.org', idempotencyKey: key() });
      expect(res.status).to.equal(201);
      expect(res.body.seq).to.equal(1);
      expect(res.body.id).to.equal(`${channelId}:1`);
      expect(res.body.html).to.equal('<p>Hello <strong>world</strong>, see <a href="https://example.org" rel="noopener noreferrer nofollow ugc">https://example.org</a></p>');
    });

    it('stores a retried send once and answers it with the same message', async function () {
      const channelId = await freshChannel();
      const { client } = await signedIn(server.url, models);
      const body = { text: 'only once', idempotencyKey: key() };
      const first = await client.post(`/api/channels/${channelId}/messages`, body);
      const retries = await Promise.all([1, 2, 3].map(() => client.post(`/api/channels/${channelId}/messages`, body)));
      expect(first.status).to.equal(201);
      for (const retry of retries) {
        expect(retry.status).to.equal(200);
        expect(retry.body.id).to.equal(first.body.id);
      }
      const page = await client.get(`/api/channels/${channelId}/messages`);
      expect(page.body.messages).to.have.length(1);
      expect(page.body.lastSeq).to.equal(1);
      // A send refused before it was stored (here: a reply to nothing) leaves its key free.
      const refusedBody = { text: 'a reply', idempotencyKey: key(), parentSeq: 99 };
      expect((await client.post(`/api/channels/${channelId}/messages`, refusedBody)).status).to.equal(400);
      const corrected = await client.post(`/api/channels/${channelId}/messages`, { ...refusedBody, parentSeq: 1 });
      expect(corrected.status).to.equal(201);
    });

    it('stores a send retried through two processes at the same moment exactly once', async function () {
      // A second app on the same database stands for a second process (no shared memory).
      const twin = await startTestServer({ databaseName: server.config.databaseName, postingBurst: 100 });
      try {
        const channelId = await freshChannel();
        const { client, member } = await signedIn(server.url, models);
        const twinClient = new ApiClient(twin.url);
        twinClient.cookie = client.cookie;
        const body = { text: 'sent twice at once', idempotencyKey: key() };
        const results = await Promise.all([client.post(`/api/channels/${channelId}/messages`, body), twinClient.post(`/api/channels/${channelId}/messages`, body)]);
        const statuses = results.map((res) => res.status).sort((a, b) => b - a);
        // One stores it (201); the other answers with it (200) or, if it came while the first was still storing, says so (409).
        expect(statuses.filter((status) => status === 201)).to.have.length(1);
        expect([200, 409]).to.include(statuses[0] === 201 ? statuses[1] : statuses[0]);
        const page = await client.get(`/api/channels/${channelId}/messages`);
        expect(page.body.messages.filter((message: { authorId: string }) => message.authorId === String(member._id))).to.have.length(1);
      } finally {
        await twin.server.close();
        await twin.database.close();
      }
    });

    it('drops idempotency keys of days before yesterday', async function () {
      const channelId = await freshChannel();
      const store = server.server.ctx.messages;
      await store.sendKeys(channelId, new Date('2000-01-01T12:00:00Z')).insertOne({ _id: 'old:key', seq: 1, at: new Date('2000-01-01T12:00:00Z') });
      await store.sendKeys(channelId, new Date()).insertOne({ _id: 'new:key', seq: 1, at: new Date() });
      expect(await store.dropOldSendKeys()).to.be.greaterThan(0);
      const names = (await server.database.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((item) => item.name);
      expect(names.some((name) => name.startsWith(`sendkeys_${channelId}_2000`))).to.equal(false);
      expect(names.some((name) => name.startsWith(`sendkeys_${channelId}_`))).to.equal(true);
    });

    it('numbers concurrent sends from several members 1..n without gaps or duplicates, across storage blocks', async function () {
      const channelId = await freshChannel();
      const clients = await Promise.all([1, 2, 3].map(async () => (await signedIn(server.url, models)).client));
      const results = await Promise.all(
        Array.from({ length: 36 }, (_, index) => clients[index % 3]!.post(`/api/channels/${channelId}/messages`, { text: `message ${index}`, idempotencyKey: key() })),
      );
      expect(results.every((res) => res.status === 201)).to.equal(true);
      expect(results.map((res) => res.body.seq as number).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 36 }, (_, index) => index + 1));
      const texts = new Set(results.map((res) => res.body.source));
      expect(texts.size).to.equal(36);
    });

    const XSS: [string, string][] = [
      ['a script tag', '<script>alert(1)</script>'],
      ['an image with onerror', '<img src=x onerror=alert(1)>'],
      ['a javascript: link', '[click](javascript:alert(1))'],
      ['a data: link', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
      ['a Markdown image from another host', '![tracker](https://evil.example/pixel.png)'],
      ['xmp smuggling', '<xmp><script>alert(1)</script></xmp>'],
      ['an iframe', '<iframe src="https://evil.example"></iframe>'],
      ['a style attribute', '<p style="background:url(https://evil.example/x)">x</p>'],
      ['an svg', '<svg onload=alert(1)><circle r=1 /></svg>'],
      ['a vbscript link in an autolink', '<vbscript:msgbox(1)>'],
      ['an HTML entity trick', '[x](jav&#x09;ascript:alert(1))'],
    ];
    for (const [what, text] of XSS) {
      it(`keeps ${what} inert`, async function () {
        const channelId = await freshChannel();
        const { client } = await signedIn(server.url, models);
        const res = await client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() });
        expect(res.status).to.equal(201);
        const html = res.body.html as string;
        // Text that looks like HTML is escaped (&lt;…); what must never appear is a live tag or attribute.
        expect(html).not.to.match(/<(script|img|iframe|svg|xmp|style|object|embed|math|form)\b/i);
        expect(html).not.to.match(/<[a-z][^>]*\s(on\w+|style|src)\s*=/i);
        expect(html).not.to.match(/href="(?!https?:\/\/|mailto:)/i);
      });
    }

    for (const [what, body, field] of [
      ['an empty text', { text: '   ', idempotencyKey: 'abcdefgh' }, 'body.text'],
      ['an oversized text', { text: 'x'.repeat(10_001), idempotencyKey: 'abcdefgh' }, 'body.text'],
      ['a missing idempotency key', { text: 'hi' }, 'body.idempotencyKey'],
      ['a malformed idempotency key', { text: 'hi', idempotencyKey: 'a b' }, 'body.idempotencyKey'],
      ['an operator as text', { text: { $ne: null }, idempotencyKey: 'abcdefgh' }, 'body.text'],
      ['a NUL character', { text: 'a\u0000b', idempotencyKey: 'abcdefgh' }, 'body.text'],
      ['a reply to nothing', { text: 'hi', idempotencyKey: 'abcdefgh', parentSeq: 999 }, 'body.parentSeq'],
    ] as const) {
      it(`answers ${what} with 400 naming ${field}, and stores nothing`, async function () {
        const channelId = await freshChannel();
        const { client } = await signedIn(server.url, models);
        const res = await client.post(`/api/channels/${channelId}/messages`, body);
        expect(res.status).to.equal(400);
        expect(res.body.error.message).to.contain(field);
        expect((await client.get(`/api/channels/${channelId}/messages`)).body.lastSeq).to.equal(0);
      });
    }
  });

  it('limits posting per member with a clear 429', async function () {
    const limited = await startTestServer({ postingBurst: 3, postingIntervalMs: 60_000 });
    try {
      const { client } = await signedIn(limited.url, limited.server.ctx.models);
      const plenary = await limited.server.ctx.models.Space.findOne({ slug: 'plenary' }).lean();
      const channel = await limited.server.ctx.models.Channel.findOne({ spaceId: plenary!._id }).lean();
      const statuses: number[] = [];
      for (let index = 0; index < 4; index++) statuses.push((await client.post(`/api/channels/${channel!._id}/messages`, { text: `m${index}`, idempotencyKey: key() })).status);
      expect(statuses).to.deep.equal([201, 201, 201, 429]);
      const refused = await client.post(`/api/channels/${channel!._id}/messages`, { text: 'again', idempotencyKey: key() });
      expect(refused.body.error.code).to.equal('rate_limited');
      expect(refused.body.error.details.retryAfterSeconds).to.be.greaterThan(0);
    } finally {
      await limited.close();
    }
  });

  describe('history', function () {
    it('pages back from the newest, and catches up after a number, exactly', async function () {
      const channelId = await freshChannel();
      const { client } = await signedIn(server.url, models);
      for (let index = 1; index <= 25; index++) await client.post(`/api/channels/${channelId}/messages`, { text: `m${index}`, idempotencyKey: key() });
      const seqs = (res: { body: { messages: { seq: number }[] } }) => res.body.messages.map((message) => message.seq);
      const newest = await client.get(`/api/channels/${channelId}/messages?limit=10`);
      expect(seqs(newest)).to.deep.equal([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
      expect(newest.body.lastSeq).to.equal(25);
      expect(seqs(await client.get(`/api/channels/${channelId}/messages?before=16&limit=10`))).to.deep.equal([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      expect(seqs(await client.get(`/api/channels/${channelId}/messages?before=6&limit=10`))).to.deep.equal([1, 2, 3, 4, 5]);
      expect(seqs(await client.get(`/api/channels/${channelId}/messages?after=19&limit=50`))).to.deep.equal([20, 21, 22, 23, 24, 25]);
      expect(seqs(await client.get(`/api/channels/${channelId}/messages?after=25`))).to.deep.equal([]);
      expect((await client.get(`/api/channels/${channelId}/messages?after=1&before=5`)).status).to.equal(400);
      expect((await client.get(`/api/channels/${channelId}/messages?limit=1000`)).status).to.equal(400);
    });

    it('keeps edits as history, and a deletion keeps the number but not the content; audited', async function () {
      const channelId = await freshChannel();
      const { client } = await signedIn(server.url, models);
      const sent = await client.post(`/api/channels/${channelId}/messages`, { text: 'first version', idempotencyKey: key() });
      const edited = await client.patch(`/api/channels/${channelId}/messages/${sent.body.seq}`, { text: 'second *version*' });
      expect(edited.body).to.include({ source: 'second *version*', edits: 1 });
      expect(edited.body.editedAt).to.be.a('string');
      const stored = await server.server.ctx.messages.get(channelId, sent.body.seq);
      expect(stored!.history.map((revision) => revision.source)).to.deep.equal(['first version']);
      const history = await client.get(`/api/channels/${channelId}/messages/${sent.body.seq}/history`);
      expect(history.body.map((revision: { html: string }) => revision.html)).to.deep.equal(['<p>first version</p>']);

      const { client: other } = await signedIn(server.url, models);
      expect((await other.patch(`/api/channels/${channelId}/messages/${sent.body.seq}`, { text: 'hijack' })).status).to.equal(403);
      expect((await other.delete(`/api/channels/${channelId}/messages/${sent.body.seq}`)).status).to.equal(403);

      const { client: moderator, member: mod } = await signedIn(server.url, models, { roles: ['moderator'] });
      const deleted = await moderator.delete(`/api/channels/${channelId}/messages/${sent.body.seq}`);
      expect(deleted.body).to.include({ deleted: true, html: '', source: '', seq: sent.body.seq });
      const page = await client.get(`/api/channels/${channelId}/messages`);
      expect(page.body.messages[0]).to.include({ deleted: true, html: '' });
      expect(await models.AuditEvent.countDocuments({ action: 'message.deleted', actorId: mod._id, targetId: `${channelId}:${sent.body.seq}` })).to.equal(1);
    });

    it('counts reactions per emoji, one per member, and pins for moderators only', async function () {
      const channelId = await freshChannel();
      const { client: author } = await signedIn(server.url, models);
      const { client: fan } = await signedIn(server.url, models);
      const sent = await author.post(`/api/channels/${channelId}/messages`, { text: 'react to me', idempotencyKey: key() });
      const path = `/api/channels/${channelId}/messages/${sent.body.seq}`;
      await Promise.all([author.post(`${path}/reactions`, { emoji: '👍', on: true }), fan.post(`${path}/reactions`, { emoji: '👍', on: true }), fan.post(`${path}/reactions`, { emoji: '🎉', on: true })]);
      const again = await fan.post(`${path}/reactions`, { emoji: '👍', on: true });
      expect(again.body.reactions).to.deep.equal([
        { emoji: '👍', count: 2, mine: true },
        { emoji: '🎉', count: 1, mine: true },
      ]);
      const off = await fan.post(`${path}/reactions`, { emoji: '👍', on: false });
      expect(off.body.reactions[0]).to.deep.equal({ emoji: '👍', count: 1, mine: false });
      expect((await fan.post(`${path}/reactions`, { emoji: '<b>', on: true })).status).to.equal(400);

      expect((await fan.post(`${path}/pin`, { pinned: true })).status).to.equal(403);
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      expect((await moderator.post(`${path}/pin`, { pinned: true })).body.pinned).to.equal(true);
      const pins = await fan.get(`/api/channels/${channelId}/pins`);
      expect(pins.body.map((message: { seq: number }) => message.seq)).to.deep.equal([sent.body.seq]);
    });

    it('notifies mentioned members and the author replied to, but only those who may read the channel', async function () {
      const channelId = await freshChannel('industry');
      const { client: author, member: authorMember } = await signedIn(server.url, models, { sector: 'industry' });
      const { client: colleague, member: colleagueMember } = await signedIn(server.url, models, { sector: 'industry' });
      const { member: outsider } = await signedIn(server.url, models, { sector: 'government' });
      const first = await author.post(`/api/channels/${channelId}/messages`, {
        text: 'Have a look, both of you',
        idempotencyKey: key(),
        mentions: [String(colleagueMember._id), String(outsider._id)],
      });
      expect(first.status).to.equal(201);
      const colleagueBox = await models.NotificationBox.findById(colleagueMember._id).lean();
      expect(colleagueBox?.items.at(-1)?.kind).to.equal('message.mention');
      expect(await models.NotificationBox.findById(outsider._id).lean()).to.equal(null);

      await colleague.post(`/api/channels/${channelId}/messages`, { text: 'Looking now', idempotencyKey: key(), parentSeq: first.body.seq });
      const authorBox = await models.NotificationBox.findById(authorMember._id).lean();
      expect(authorBox?.items.at(-1)).to.include({ kind: 'message.reply', link: `/channels/${channelId}#2` });
    });

    it('keeps a read position per member and channel that only moves forward', async function () {
      const channelId = await freshChannel();
      const { client } = await signedIn(server.url, models);
      await client.post(`/api/channels/${channelId}/messages`, { text: 'mine', idempotencyKey: key() });
      expect((await client.get(`/api/channels/${channelId}/messages`)).body.readSeq).to.equal(1);
      await client.post(`/api/channels/${channelId}/read`, { seq: 7 });
      await client.post(`/api/channels/${channelId}/read`, { seq: 3 });
      expect((await client.get(`/api/channels/${channelId}/messages`)).body.readSeq).to.equal(7);
    });
  });
});
