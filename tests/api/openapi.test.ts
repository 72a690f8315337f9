import { expect } from 'chai';
import { requestJson } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('OpenAPI document', function () {
  let server: TestServer;
  let doc: any;

  before(async function () {
    server = await startTestServer();
    const res = await requestJson(`${server.url}/api/openapi.json`);
    expect(res.status).to.equal(200);
    doc = res.body;
  });

  after(async function () {
    await server.close();
  });

  it('is OpenAPI 3.1 with the error shape and the session cookie scheme', function () {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info.title).to.equal('Convene API');
    expect(doc.components.schemas.Error.properties.error.required).to.include.members(['code', 'message']);
    expect(doc.components.securitySchemes.sessionCookie).to.include({ type: 'apiKey', in: 'cookie' });
  });

  it('gives every operation a unique operationId, a summary and an explicit security requirement', function () {
    const ids: string[] = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, where).to.be.a('string').and.not.equal('');
        expect(operation.summary, where).to.be.a('string').and.not.equal('');
        expect(operation.security, where).to.be.an('array');
        if (operation['x-permission'] === 'public') expect(operation.security, where).to.deep.equal([]);
        else expect(operation.security, where).to.deep.equal([{ sessionCookie: [] }]);
        ids.push(operation.operationId);
      }
    }
    expect(ids).to.include.members(['getHealth', 'getReadiness', 'getOpenApiDocument']);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('describes exactly the operations the server routes', function () {
    const documented = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    const routed = server.server.api.operations.map((operation) => `${operation.method} ${operation.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(documented.sort()).to.deep.equal(routed.sort());
  });

  it('only references schemas it defines', function () {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      expect(name, ref).to.be.a('string');
      expect(doc.components.schemas, ref).to.have.property(name!);
    }
    for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
      expect(schema.$ref, `components.schemas.${name} must be a schema, not a reference`).to.equal(undefined);
    }
  });
});
