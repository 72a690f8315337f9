import { expect } from 'chai';
import { postJson, requestJson } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('HTTP server', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer();
  });

  after(async function () {
    await server.close();
  });

  describe('probes', function () {
    it('GET /healthz answers 200 while the process runs', async function () {
      const res = await requestJson(`${server.url}/healthz`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok' });
    });

    it('GET /readyz answers 200 when the database answers', async function () {
      const res = await requestJson(`${server.url}/readyz`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok' });
    });
  });

  describe('errors in one shape', function () {
    it('answers an unknown /api path with 404 in the error shape', async function () {
      const res = await requestJson(`${server.url}/api/no-such-thing?x=1`);
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('not_found');
      expect(res.body.error.message).to.contain('/api/no-such-thing');
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
    });

    it('answers malformed JSON with 400 malformed_json', async function () {
      const res = await postJson(`${server.url}/api/anything`, '{"a": ');
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('malformed_json');
    });

    it('answers a JSON body that is a bare string or number with 400 (objects and arrays only)', async function () {
      const res = await postJson(`${server.url}/api/anything`, '"text"');
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('malformed_json');
    });

    it('answers a body over the limit with 413 payload_too_large', async function () {
      const res = await postJson(`${server.url}/api/anything`, { text: 'x'.repeat(200 * 1024) });
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal('payload_too_large');
    });

    it('answers an unsupported body encoding with 415, not a 500', async function () {
      const res = await requestJson(`${server.url}/api/anything`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
        body: '{}',
      });
      expect(res.status).to.equal(415);
      expect(res.body.error.code).to.equal('unsupported_encoding');
    });
  });

  describe('headers', function () {
    it('sends a strict Content-Security-Policy and the other security headers', async function () {
      const res = await fetch(`${server.url}/`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).to.contain("default-src 'self'");
      expect(csp).to.contain("script-src 'self'");
      expect(csp).not.to.contain('unsafe-inline');
      expect(csp).not.to.contain('unsafe-eval');
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(csp).to.contain("object-src 'none'");
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
      expect(res.headers.get('x-powered-by')).to.equal(null);
      await res.text();
    });

    it('marks API responses as never cacheable', async function () {
      const res = await requestJson(`${server.url}/api/openapi.json`);
      expect(res.headers.get('cache-control')).to.equal('no-store');
    });

    it('gives every response a request id, keeping a well-formed incoming one', async function () {
      const mine = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'lb-1234.abc' } });
      expect(mine.headers.get('x-request-id')).to.equal('lb-1234.abc');
      const hostile = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(200) } });
      expect(hostile.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      await Promise.all([mine.text(), hostile.text()]);
    });
  });

  describe('single-page app', function () {
    it('serves index.html at / and for client-side routes (history fallback)', async function () {
      for (const path of ['/', '/status', '/spaces/abc/channels/def']) {
        const res = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
        expect(res.status, path).to.equal(200);
        expect(res.headers.get('content-type')).to.match(/^text\/html/);
        expect(res.headers.get('cache-control')).to.equal('no-cache');
        const html = await res.text();
        expect(html).to.contain('<div id="app"></div>');
        expect(html).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline scripts
      }
    });

    it('serves hashed assets with a long cache lifetime and 404s a missing one', async function () {
      const html = await (await fetch(`${server.url}/`)).text();
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset).to.be.a('string');
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.contain('immutable');
      await res.text();
      const missing = await fetch(`${server.url}/assets/nope-123.js`);
      expect(missing.status).to.equal(404);
      await missing.text();
    });

    it('never answers /api or /socket.io paths with the app', async function () {
      const res = await fetch(`${server.url}/api/status`, { headers: { accept: 'text/html' } });
      expect(res.status).to.equal(404);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      await res.text();
    });
  });

  describe('when the database stops answering', function () {
    it('GET /readyz answers 503 while /healthz stays 200', async function () {
      const other = await startTestServer();
      try {
        await other.database.connection.close();
        const ready = await requestJson(`${other.url}/readyz`);
        expect(ready.status).to.equal(503);
        expect(ready.body).to.deep.equal({ status: 'unavailable' });
        expect((await requestJson(`${other.url}/healthz`)).status).to.equal(200);
      } finally {
        await other.close();
      }
    });
  });
});
