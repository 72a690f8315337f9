import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { ApiRegistry, defineOperation } from '../../backend/src/http/api.ts';
import { errorHandler } from '../../backend/src/http/errors.ts';
import { text } from '../../backend/src/http/schemas.ts';
import { Permission } from '../../backend/src/policy/policy.ts';
import { postJson, requestJson } from '../helpers/http.ts';
import { testLogger } from '../helpers/logger.ts';

/**
 * The validation layer every operation goes through, exercised over real HTTP with operations
 * defined here (the product's own operations come with their capabilities).
 */
describe('request validation', function () {
  let server: Server;
  let url: string;
  const received: unknown[] = [];

  before(async function () {
    const api = new ApiRegistry().add(
      defineOperation({
        method: 'post',
        path: '/api/things/:thingId/notes',
        operationId: 'createNote',
        summary: 'Create a note',
        tags: ['test'],
        access: 'public',
        params: z.object({ thingId: z.string().regex(/^[a-z0-9]{4,24}$/) }),
        query: z.strictObject({ notify: z.enum(['yes', 'no']).optional() }),
        body: z.strictObject({ title: text({ min: 1, max: 40 }), count: z.number().int().min(0).max(10) }),
        responses: { 201: { description: 'Created', schema: z.object({ ok: z.boolean() }) } },
        handler: ({ params, query, body }) => {
          received.push({ params, query, body });
          return { ok: true };
        },
      }),
      defineOperation({
        method: 'get',
        path: '/api/private',
        operationId: 'getPrivate',
        summary: 'Needs a session',
        tags: ['test'],
        access: Permission.DirectoryRead,
        responses: { 200: { description: 'OK' } },
        handler: () => ({ secret: 'never reached' }),
      }),
    );
    const app = express();
    app.use('/api', express.json({ limit: '10kb' }));
    app.use(api.router());
    app.use(errorHandler(testLogger()));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(function () {
    received.length = 0;
  });

  it('passes valid input to the handler and answers with the declared status', async function () {
    const res = await postJson(`${url}/api/things/abcd/notes?notify=yes`, { title: 'Hello', count: 3 });
    expect(res.status).to.equal(201);
    expect(received).to.deep.equal([{ params: { thingId: 'abcd' }, query: { notify: 'yes' }, body: { title: 'Hello', count: 3 } }]);
  });

  const bad: [string, string, unknown, string][] = [
    ['a missing field', '/api/things/abcd/notes', { title: 'x' }, 'body.count'],
    ['a wrong type', '/api/things/abcd/notes', { title: 'x', count: '3' }, 'body.count'],
    ['a query operator where a string belongs', '/api/things/abcd/notes', { title: { $ne: null }, count: 1 }, 'body.title'],
    ['an unknown field', '/api/things/abcd/notes', { title: 'x', count: 1, $where: 'sleep(1000)' }, 'body'],
    ['an oversized value', '/api/things/abcd/notes', { title: 'x'.repeat(41), count: 1 }, 'body.title'],
    ['a NUL character', '/api/things/abcd/notes', { title: 'a\u0000b', count: 1 }, 'body.title'],
    ['a malformed path parameter', '/api/things/AB$/notes', { title: 'x', count: 1 }, 'params.thingId'],
    ['an unknown query parameter', '/api/things/abcd/notes?sort=1', { title: 'x', count: 1 }, 'query'],
    ['a bad query value', '/api/things/abcd/notes?notify=maybe', { title: 'x', count: 1 }, 'query.notify'],
    ['an array instead of an object', '/api/things/abcd/notes', [{ title: 'x', count: 1 }], 'body'],
  ];
  for (const [what, path, body, field] of bad) {
    it(`answers ${what} with 400 naming ${field}, and the handler never runs`, async function () {
      const res = await postJson(`${url}${path}`, body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
      expect(res.body.error.message).to.contain(field);
      const issues = res.body.error.details.issues as { location: string; path: string }[];
      expect(issues.some((issue) => `${issue.location}${issue.path ? `.${issue.path}` : ''}`.startsWith(field))).to.equal(true);
      expect(received).to.have.length(0);
    });
  }

  it('answers a body that is not JSON with 415', async function () {
    const res = await requestJson(`${url}/api/things/abcd/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=x&count=1',
    });
    expect(res.status).to.equal(415);
    expect(res.body.error.code).to.equal('unsupported_media_type');
    expect(received).to.have.length(0);
  });

  it('answers an operation that needs a permission, asked without a session, with 401 before looking at the input', async function () {
    const res = await requestJson(`${url}/api/private?junk=1`);
    expect(res.status).to.equal(401);
    expect(res.body.error.code).to.equal('unauthorized');
  });
});
