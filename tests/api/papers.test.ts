import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import { isPdf, safeFileName } from '../../backend/src/knowledge/file.store.ts';
import { makePdf } from '../../scripts/lib/make-pdf.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');
const MISSING = '0123456789abcdef01234567';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);

/** A PDF of exactly `size` bytes: a real one padded inside a comment before its trailer. */
function pdfOfSize(size: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%');
  const tail = Buffer.from('\n%%EOF\n');
  return Buffer.concat([head, Buffer.alloc(size - head.length - tail.length, 0x41), tail]);
}

async function upload(client: ApiClient, path: string, bytes: Buffer, contentType = 'application/pdf') {
  const response = await fetch(`${client.baseUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': contentType, 'x-convene-csrf': '1', cookie: client.cookie ?? '' },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function download(client: ApiClient, path: string) {
  const response = await fetch(`${client.baseUrl}${path}`, { headers: { cookie: client.cookie ?? '' } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('papers and PDF uploads (HTTP)', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer({ postingBurst: 500 });
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  async function channelOf(kind: ChannelKind = 'papers', slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
    return String(channel._id);
  }

  const PAPER = {
    title: 'Hash-sharing for small platforms',
    authors: ['E. Petrova', 'J. Meyer'],
    year: 2025,
    venue: 'Journal of Online Harms',
    abstract: 'We study **hash-sharing** among platforms with fewer than 50 staff.',
    doi: '10.1080/1057610X.2020.1780027',
    link: 'https://example.org/paper',
    tags: ['hashing'],
  };
  const share = (client: ApiClient, channelId: string, body: Record<string, unknown> = {}) => client.post(`/api/channels/${channelId}/papers`, { ...PAPER, ...body });

  it('shares a paper with its metadata and a DOI link, lists it and discusses it', async function () {
    const channelId = await channelOf();
    const { client, member } = await signedIn(server.url, models);
    const { client: reader } = await signedIn(server.url, models);
    const shared = await share(client, channelId);
    expect(shared.status).to.equal(201);
    expect(shared.body).to.include({ title: PAPER.title, year: 2025, venue: PAPER.venue, doi: PAPER.doi, doiUrl: 'https://doi.org/10.1080/1057610X.2020.1780027', link: PAPER.link, pdf: null, canUpload: true });
    expect(shared.body.abstractHtml).to.equal('<p>We study <strong>hash-sharing</strong> among platforms with fewer than 50 staff.</p>');
    expect(shared.body.sharedBy.name).to.equal(member.name);
    const list = await reader.get(`/api/channels/${channelId}/papers`);
    expect(list.body.map((paper: { id: string }) => paper.id)).to.deep.equal([shared.body.id]);
    expect(list.body[0].canUpload).to.equal(false);
    expect((await reader.get(`/api/channels/${channelId}/papers?tag=other`)).body).to.deep.equal([]);
    const comment = await reader.post(`/api/channels/${channelId}/papers/${shared.body.id}/comments`, { body: 'Does this hold for video?' });
    expect(comment.status).to.equal(201);
    const page = await client.get(`/api/channels/${channelId}/papers/${shared.body.id}`);
    expect(page.body.paper.commentCount).to.equal(1);
    expect(page.body.comments.map((item: { source: string }) => item.source)).to.deep.equal(['Does this hold for video?']);
  });

  it('answers 401, 403 and 404 as the channel rules do', async function () {
    const channelId = await channelOf('papers', 'government');
    const { client: official } = await signedIn(server.url, models, { sector: 'government' });
    const shared = await share(official, channelId);
    expect((await new ApiClient(server.url).get(`/api/channels/${channelId}/papers`)).status).to.equal(401);
    const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
    expect((await applicant.get(`/api/channels/${channelId}/papers`)).status).to.equal(403);
    const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
    for (const res of [
      await industry.get(`/api/channels/${channelId}/papers`),
      await industry.get(`/api/channels/${channelId}/papers/${shared.body.id}`),
      await share(industry, channelId),
      await industry.post(`/api/channels/${channelId}/papers/${shared.body.id}/comments`, { body: 'hi' }),
    ]) {
      expect(res.status).to.equal(404);
    }
    expect((await official.get(`/api/channels/${channelId}/papers/${MISSING}`)).status).to.equal(404);
    const qa = await channelOf('qa', 'government');
    expect((await official.get(`/api/channels/${qa}/papers`)).status).to.equal(404);
  });

  it('refuses malformed metadata with 400 naming the field', async function () {
    const channelId = await channelOf();
    const { client } = await signedIn(server.url, models);
    const cases: [Record<string, unknown>, string][] = [
      [{ doi: '10.12/abc' }, 'body.doi'],
      [{ doi: 'doi:10.1000/xyz' }, 'body.doi'],
      [{ doi: '10.1000/has space' }, 'body.doi'],
      [{ link: 'javascript:alert(1)' }, 'body.link'],
      [{ link: 'ftp://example.org/x' }, 'body.link'],
      [{ authors: [] }, 'body.authors'],
      [{ year: 1800 }, 'body.year'],
      [{ title: 'ab' }, 'body.title'],
      [{ abstract: '' }, 'body.abstract'],
    ];
    for (const [body, field] of cases) {
      const res = await share(client, channelId, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.message.startsWith(field), res.body.error.message).to.equal(true);
    }
    const minimal = await share(client, channelId, { doi: null, link: null, year: null, venue: '', tags: [] });
    expect(minimal.status).to.equal(201);
    expect(minimal.body.doiUrl).to.equal(null);
  });

  describe('PDF files', function () {
    it('recognises a PDF by its bytes and makes safe file names', function () {
      expect(isPdf(makePdf('A title', ['one line']))).to.equal(true);
      expect(isPdf(PNG)).to.equal(false);
      expect(isPdf(Buffer.from('%PDF-1.4 but no trailer, just text that goes on'))).to.equal(false);
      expect(safeFileName('Terror "content" / removal: a study')).to.equal('Terror-content-removal-a-study.pdf');
      expect(safeFileName('"";')).to.equal('document.pdf');
    });

    it('stores a PDF and serves it only to members who may read the channel, as an attachment', async function () {
      const channelId = await channelOf('papers', 'industry');
      const { client: sharer } = await signedIn(server.url, models, { sector: 'industry' });
      const shared = await share(sharer, channelId, { title: 'Removal "at scale": <b>notes</b>' });
      const pdf = makePdf('Removal at scale', ['A small paper generated by the test.']);
      const path = `/api/channels/${channelId}/papers/${shared.body.id}/pdf`;
      const uploaded = await upload(sharer, path, pdf);
      expect(uploaded.status).to.equal(200);
      expect(uploaded.body.pdf).to.deep.equal({ size: pdf.length, url: path });

      const { client: colleague } = await signedIn(server.url, models, { sector: 'industry' });
      const got = await download(colleague, path);
      expect(got.status).to.equal(200);
      expect(got.bytes.equals(pdf)).to.equal(true);
      expect(got.headers.get('content-type')).to.equal('application/pdf');
      expect(got.headers.get('content-disposition')).to.equal('attachment; filename="Removal-at-scale-b-notes-b.pdf"');
      expect(got.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(got.headers.get('cache-control')).to.equal('private, no-store');

      // An outsider (another sector) gets what the channel rules answer: it does not exist.
      const { client: outsider } = await signedIn(server.url, models, { sector: 'government' });
      const refused = await download(outsider, path);
      expect(refused.status).to.equal(404);
      expect(refused.bytes.toString()).to.not.include('%PDF');
      expect((await download(new ApiClient(server.url), path)).status).to.equal(401);
      const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await download(applicant, path)).status).to.equal(403);
      // Nobody but the sharer or a moderator replaces it.
      expect((await upload(colleague, path, pdf)).status).to.equal(403);
      expect((await upload(outsider, path, pdf)).status).to.equal(404);

      const audit = await models.AuditEvent.findOne({ action: 'file.uploaded', targetId: `${channelId}:${shared.body.id}` }).lean();
      expect(audit!.details).to.include({ size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') });
      expect((await download(colleague, `/api/channels/${channelId}/papers/${MISSING}/pdf`)).status).to.equal(404);
    });

    it('refuses uploads that lie about their type, and empty ones', async function () {
      const channelId = await channelOf();
      const { client } = await signedIn(server.url, models);
      const shared = await share(client, channelId);
      const path = `/api/channels/${channelId}/papers/${shared.body.id}/pdf`;
      const png = await upload(client, path, PNG);
      expect(png.status).to.equal(415);
      expect(png.body.error.code).to.equal('not_a_pdf');
      const html = await upload(client, path, Buffer.from('<!doctype html><script>alert(1)</script>%%EOF'));
      expect(html.status).to.equal(415);
      expect(html.body.error.code).to.equal('not_a_pdf');
      const empty = await upload(client, path, Buffer.alloc(0));
      expect(empty.status).to.equal(400);
      expect(empty.body.error.code).to.equal('empty_file');
      const declaredPng = await upload(client, path, makePdf('x', []), 'image/png');
      expect(declaredPng.status).to.equal(415);
      expect(declaredPng.body.error.code).to.equal('unsupported_media_type');
      const page = await client.get(`/api/channels/${channelId}/papers/${shared.body.id}`);
      expect(page.body.paper.pdf).to.equal(null);
      expect((await download(client, path)).status).to.equal(404);
    });

    it('stores and serves a 20 MB PDF on the engine in 1 MB chunks, and refuses 20 MB + 1 with 413', async function () {
      this.timeout(180_000);
      const channelId = await channelOf();
      const { client } = await signedIn(server.url, models);
      const shared = await share(client, channelId);
      const path = `/api/channels/${channelId}/papers/${shared.body.id}/pdf`;
      const big = pdfOfSize(20 * 1024 * 1024);
      const stored = await upload(client, path, big);
      expect(stored.status).to.equal(200);
      const meta = await models.File.findOne({ itemId: shared.body.id }).lean();
      expect(meta).to.include({ size: big.length, chunks: 20 });
      const chunks = await server.database.connection.db!.collection(`files_${meta!._id}`).countDocuments();
      expect(chunks).to.equal(20);
      const got = await download(client, path);
      expect(got.status).to.equal(200);
      expect(createHash('sha256').update(got.bytes).digest('hex')).to.equal(meta!.sha256);

      const tooBig = await upload(client, path, pdfOfSize(20 * 1024 * 1024 + 1));
      expect(tooBig.status).to.equal(413);
      expect(tooBig.body.error.code).to.equal('payload_too_large');
      // The earlier file is still the paper's.
      expect((await client.get(`/api/channels/${channelId}/papers/${shared.body.id}`)).body.paper.pdf.size).to.equal(big.length);
    });

    it('rate-limits uploads per member', async function () {
      const channelId = await channelOf();
      const { client, member } = await signedIn(server.url, models);
      const shared = await share(client, channelId);
      await models.RateLimit.create({ _id: `upload:member:${member._id}`, count: 30, failures: 0, windowStart: new Date(), blockedUntil: null, expiresAt: new Date(Date.now() + 3600_000) });
      const res = await upload(client, `/api/channels/${channelId}/papers/${shared.body.id}/pdf`, makePdf('x', []));
      expect(res.status).to.equal(429);
    });
  });
});
