import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

/** Fills a path's parameters with a well-formed id that names nothing. */
const fill = (path: string) => path.replace(/\{[^}]+\}/g, '0123456789abcdef01234567');

/**
 * Walks every operation in the OpenAPI document as a visitor and as an applicant: only operations
 * marked public (and, for applicants, what their own application and profile need) may answer
 * anything but 401/403.
 */
describe('access to every operation', function () {
  let server: TestServer;
  let models: Models;
  let operations: { method: string; path: string; operationId: string; permission: string }[];

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
    const doc = (await new ApiClient(server.url).get('/api/openapi.json')).body;
    operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, methods]) =>
      Object.entries<any>(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId, permission: op['x-permission'] })),
    );
  });

  after(async function () {
    await server.close();
  });

  it('answers 401 to a visitor for every operation that is not public', async function () {
    const visitor = new ApiClient(server.url);
    const failures: string[] = [];
    for (const op of operations.filter((item) => item.permission !== 'public')) {
      const res = await visitor.request(op.method, fill(op.path), op.method === 'GET' ? undefined : {});
      if (res.status !== 401) failures.push(`${op.operationId}: ${res.status}`);
    }
    expect(failures).to.deep.equal([]);
    expect(operations.filter((item) => item.permission !== 'public').length).to.be.greaterThan(15);
  });

  it('answers 401 or 403 to an applicant for everything but public operations and their own application and profile', async function () {
    const { client } = await signedIn(server.url, models, { status: 'applicant' });
    const applicantMay = new Set(['application:own', 'profile:own', 'notifications:own', 'organisation:read', 'session:sign-out']);
    const failures: string[] = [];
    for (const op of operations.filter((item) => item.permission !== 'public' && !applicantMay.has(item.permission))) {
      const res = await client.request(op.method, fill(op.path), op.method === 'GET' ? undefined : {});
      if (res.status !== 403) failures.push(`${op.operationId}: ${res.status}`);
    }
    expect(failures).to.deep.equal([]);
  });

  it('lets a suspended person do nothing: their session is gone', async function () {
    const { client, member } = await signedIn(server.url, models);
    await models.Member.updateOne({ _id: member._id }, { $set: { status: 'suspended' } });
    for (const op of operations.filter((item) => item.permission !== 'public')) {
      const res = await client.request(op.method, fill(op.path), op.method === 'GET' ? undefined : {});
      expect(res.status, op.operationId).to.equal(401);
    }
  });
});
