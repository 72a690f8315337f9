import { expect } from 'chai';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A GET that keeps the bytes as sent (fetch would decode them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(encoding: string | undefined, body: Buffer): Buffer {
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  expect(encoding, 'content-encoding').to.equal(undefined);
  return body;
}

describe('Compression', function () {
  let server: TestServer;
  let asset: string;
  let plainAsset: Buffer;

  before(async function () {
    server = await startTestServer();
    const html = (await rawGet(`${server.url}/`, { accept: 'text/html' })).body.toString();
    asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    plainAsset = (await rawGet(`${server.url}${asset}`, {})).body;
  });

  after(async function () {
    await server.close();
  });

  describe('built files, precompressed at build time', function () {
    it('sends brotli, then gzip, then the file itself, as the browser accepts, each the same bytes once decoded', async function () {
      expect(plainAsset.length).to.be.greaterThan(1024);
      for (const [accept, want] of [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0, gzip;q=0.5', 'gzip'],
        ['br;q=0.2, gzip', 'gzip'],
        ['*', 'br'],
        ['*;q=0, identity', undefined],
        ['identity', undefined],
        ['', undefined],
      ] as const) {
        const res = await rawGet(`${server.url}${asset}`, accept ? { 'accept-encoding': accept } : {});
        expect(res.status, accept).to.equal(200);
        expect(res.headers['content-encoding'], accept).to.equal(want);
        expect(res.headers['content-type'], accept).to.match(/^text\/javascript|^application\/javascript/);
        expect(res.headers.vary, accept).to.match(/accept-encoding/i);
        expect(res.headers['cache-control'], accept).to.contain('immutable');
        expect(Number(res.headers['content-length']), accept).to.equal(res.body.length);
        expect(decode(want, res.body).equals(plainAsset), accept).to.equal(true);
        if (want) expect(res.body.length, accept).to.be.lessThan(plainAsset.length / 2);
      }
    });

    it('sends index.html compressed and never cached, also for client-side routes', async function () {
      const plain = await rawGet(`${server.url}/channels/abc`, { accept: 'text/html' });
      const res = await rawGet(`${server.url}/channels/abc`, { accept: 'text/html', 'accept-encoding': 'br' });
      expect(res.headers['content-encoding']).to.equal('br');
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.headers['cache-control']).to.equal('no-cache');
      expect(decode('br', res.body).equals(plain.body)).to.equal(true);
    });

    it('serves no file outside the build, nor the build manifest, through an encoded name', async function () {
      for (const path of ['/assets/..%2F..%2Fpackage.json', '/assets/..%2F..%2F..%2Fpackage.json.gz', '/assets/..%2F.vite%2Fmanifest.json', '/.vite/manifest.json']) {
        const res = await rawGet(`${server.url}${path}`, { accept: 'application/json', 'accept-encoding': 'br, gzip' });
        expect(res.status, path).to.be.oneOf([403, 404]);
        expect(res.headers['content-encoding'], path).to.equal(undefined);
        expect(res.body.toString(), path).not.to.match(/"dependencies"|"isEntry"/);
      }
    });
  });

  describe('API responses, compressed on the fly', function () {
    it('compresses a large JSON response with brotli or gzip, and leaves small ones alone', async function () {
      const plain = await rawGet(`${server.url}/api/openapi.json`, {});
      expect(plain.headers['content-encoding']).to.equal(undefined);
      const document = JSON.parse(plain.body.toString());
      for (const encoding of ['br', 'gzip'] as const) {
        const res = await rawGet(`${server.url}/api/openapi.json`, { 'accept-encoding': encoding });
        expect(res.headers['content-encoding']).to.equal(encoding);
        expect(res.headers.vary).to.match(/accept-encoding/i);
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body.length).to.be.lessThan(plain.body.length / 3);
        expect(JSON.parse(decode(encoding, res.body).toString())).to.deep.equal(document);
      }
      const small = await rawGet(`${server.url}/healthz`, { 'accept-encoding': 'br, gzip' });
      expect(small.headers['content-encoding']).to.equal(undefined);
      expect(JSON.parse(small.body.toString())).to.deep.equal({ status: 'ok' });
    });

    it('does not compress what another site made the browser ask for (BREACH)', async function () {
      for (const site of ['cross-site', 'same-site']) {
        const res = await rawGet(`${server.url}/api/openapi.json`, { 'accept-encoding': 'br, gzip', 'sec-fetch-site': site });
        expect(res.headers['content-encoding'], site).to.equal(undefined);
        expect(JSON.parse(res.body.toString()).openapi, site).to.match(/^3\.1/);
      }
      const own = await rawGet(`${server.url}/api/openapi.json`, { 'accept-encoding': 'br', 'sec-fetch-site': 'same-origin' });
      expect(own.headers['content-encoding']).to.equal('br');
    });

    it('compresses error responses in the one error shape too', async function () {
      const res = await rawGet(`${server.url}/api/no-such-thing/${'x'.repeat(1200)}`, { 'accept-encoding': 'gzip' });
      expect(res.status).to.equal(404);
      expect(res.headers['content-encoding']).to.equal('gzip');
      expect(JSON.parse(decode('gzip', res.body).toString()).error.code).to.equal('not_found');
    });
  });
});
