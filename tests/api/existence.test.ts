import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { ApiClient } from '../helpers/client.ts';
import { requestJson } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeMember, makeOrganisation, signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');
const MISSING_SEQ = '999999';
const missingId = () => String(new Types.ObjectId());

/** Path parameters that name no object anyone could be refused (configuration, not content). */
const NOT_OBJECT_IDS: Record<string, string> = {
  providerId: 'an identity provider from the configuration, public by design (GET /api/session lists them)',
};

/**
 * Which personas may not see the real object behind a parameter. Objects in a place (a channel of a
 * space the persona may not enter, a TLP:RED alert for someone else, a moderation action on such an
 * item) are hidden from everyone below, admins included; people, organisations and spaces are
 * hidden (by permission) from members and liaisons.
 */
const PLACED = ['member', 'liaison', 'moderator', 'admin'] as const;
const BY_PERMISSION = ['member', 'liaison'] as const;
type PersonaName = (typeof PLACED)[number];
const BLIND: Record<string, readonly PersonaName[]> = {
  channelId: PLACED,
  seq: PLACED,
  questionId: PLACED,
  answerId: PLACED,
  paperId: PLACED,
  resourceId: PLACED,
  suggestionId: PLACED,
  itemId: PLACED,
  alertId: PLACED,
  eventId: PLACED,
  materialId: PLACED,
  // A support request of another organisation: nobody below is on its side, in triage or assigned.
  requestId: PLACED,
  actionId: PLACED,
  type: PLACED,
  id: PLACED,
  memberId: BY_PERMISSION,
  applicantId: BY_PERMISSION,
  organisationId: BY_PERMISSION,
  spaceId: BY_PERMISSION,
};

interface Operation {
  method: string;
  path: string;
  operationId: string;
  params: string[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
type JsonSchema = Record<string, any>;

/**
 * A minimal request body valid for `schema` (an OpenAPI 3.1 JSON schema), so that a request gets
 * past validation to the point where the object is looked up: required properties only, the first
 * enum value, the smallest allowed length or number, ObjectIds where the pattern asks for one.
 */
function example(schema: JsonSchema, components: Record<string, JsonSchema>): unknown {
  if (schema.$ref) return example(components[String(schema.$ref).split('/').pop()!]!, components);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: JsonSchema) => example(part, components)));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return example(alternatives.find((part: JsonSchema) => part.type !== 'null') ?? alternatives[0], components);
  if ('const' in schema) return schema.const;
  if (schema.enum) return schema.enum[0];
  if ('default' in schema) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of schema.required ?? []) out[name] = example(schema.properties?.[name] ?? {}, components);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => example(schema.items ?? {}, components));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string':
      if (schema.pattern === '^[0-9a-f]{24}$') return missingId();
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'email') return `someone-${key()}@example.org`;
      if (schema.format === 'uri') return 'https://example.org/';
      return stringFor(schema);
    default:
      return {};
  }
}

/** The first of a few plain candidates that fits a string schema's length and pattern. */
function stringFor(schema: JsonSchema): string {
  const length = Math.max(schema.minLength ?? 3, 3);
  const candidates = ['x'.repeat(length), `key-${key()}`, '👍', 'abc'];
  const fits = (value: string) =>
    [...value].length >= (schema.minLength ?? 0) && [...value].length <= (schema.maxLength ?? Infinity) && (!schema.pattern || new RegExp(schema.pattern, 'u').test(value));
  return candidates.find(fits) ?? candidates[0]!;
}

/** A tiny PDF, for the upload operations (raw bytes, not JSON). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/**
 * "You can't see it" and "it doesn't exist" give the same answer, on every operation of the OpenAPI
 * document that takes an object's id: generated from the document, so an operation added later is
 * covered without a new test (and a parameter this file does not know fails until it is taught).
 * Each is called by every persona who may not see the real object, three ways: with the real
 * object's ids, with well-formed ids of nothing, and with the real parents and a missing last id;
 * status, code and message (the whole error) must be the same.
 */
describe('existence: forbidden and missing look the same on every operation with an id (OpenAPI)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let models: Models;
  let operations: Operation[];
  let components: Record<string, JsonSchema>;
  const personas = new Map<PersonaName, ApiClient>();
  /** Real values, hidden from the personas, per parameter (channelId per channel kind). */
  const real: Record<string, string> = {};
  const channels: Partial<Record<ChannelKind, string>> = {};

  before(async function () {
    server = await startTestServer({ postingBurst: 1000 });
    models = server.server.ctx.models;
    const doc = (await requestJson(`${server.url}/api/openapi.json`)).body as any;
    components = doc.components.schemas;
    operations = [];
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        const params = (op.parameters ?? []).filter((param: { in: string }) => param.in === 'path').map((param: { name: string }) => param.name);
        if (params.length > 0) operations.push({ method, path, operationId: op.operationId, params, requestBody: op.requestBody });
      }
    }

    // The personas: all in industry (admins and moderators are bound by spaces and TLP too).
    for (const [name, roles] of [['member', []], ['liaison', ['liaison']], ['moderator', ['moderator']], ['admin', ['admin']]] as const) {
      personas.set(name, (await signedIn(server.url, models, { sector: 'industry', roles: [...roles] })).client);
    }

    // The hidden world: the government space, and a TLP:RED alert for one government member.
    const government = await models.Space.findOne({ slug: 'government' }).lean();
    real.spaceId = String(government!._id);
    for (const kind of ['discussion', 'qa', 'papers', 'library'] as ChannelKind[]) {
      channels[kind] = String((await models.Channel.create({ spaceId: government!._id, name: `${kind}-${key()}`, kind }))._id);
    }
    const { client: official, member: officialMember } = await signedIn(server.url, models, { sector: 'government' });
    const { client: govModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const { client: govLiaison } = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const ok = (res: { status: number; body: any }, status = 201) => {
      expect(res.status, JSON.stringify(res.body)).to.equal(status);
      return res.body;
    };
    const message = ok(await official.post(`/api/channels/${channels.discussion}/messages`, { text: 'Internal.', idempotencyKey: key() }));
    real.seq = String(message.seq);
    ok(await official.request('PUT', '/api/me/anonymous-profile', { description: 'a ministry' }), 200);
    const question = ok(await official.post(`/api/channels/${channels.qa}/questions`, { title: 'An internal question', body: 'Internal.', tags: [], anonymous: true }));
    real.questionId = real.itemId = question.id;
    real.answerId = ok(await official.post(`/api/channels/${channels.qa}/questions/${question.id}/answers`, { body: 'Internal answer.' })).id;
    real.paperId = ok(await official.post(`/api/channels/${channels.papers}/papers`, { title: 'Internal paper', authors: ['A. Author'], abstract: 'Internal.', tags: [] })).id;
    real.resourceId = ok(await govModerator.post(`/api/channels/${channels.library}/resources`, { title: 'Internal toolkit', category: 'Guides', body: 'Internal.' })).id;
    real.suggestionId = ok(await official.post(`/api/channels/${channels.library}/resources/${real.resourceId}/suggestions`, { body: 'Internal change.', note: 'Clearer.' })).id;
    real.alertId = ok(await govLiaison.post('/api/alerts', { title: 'Red alert', summary: 'For one person.', severity: 'high', marking: 'TLP:RED', recipients: { memberIds: [String(officialMember._id)] } })).id;
    const action = ok(await govModerator.post('/api/moderation/actions', { type: 'message', id: message.id, kind: 'hide', reason: 'off_topic', note: '' }));
    real.actionId = action.id;
    ok(await official.post(`/api/moderation/actions/${action.id}/appeal`, { note: 'Please look again.' }));
    real.type = 'message';
    real.id = message.id;
    real.memberId = String(officialMember._id);
    real.applicantId = String((await makeMember(models, { status: 'applicant' }))._id);
    real.organisationId = String((await makeOrganisation(models, { sector: 'government' }))._id);
    const { client: govOrganiser } = await signedIn(server.url, models, { sector: 'government', roles: ['organiser'] });
    const start = Date.now() + 86_400_000;
    real.eventId = ok(
      await govOrganiser.post('/api/events', { kind: 'workshop', title: 'Government only', startsAt: new Date(start).toISOString(), endsAt: new Date(start + 3600_000).toISOString(), timeZone: 'UTC', mode: 'online', capacity: 5, audience: { sectors: ['government'], roles: [] } }),
    ).id;
    real.materialId = ok(await govOrganiser.post(`/api/events/${real.eventId}/materials`, { kind: 'material', title: 'Government pre-read', body: 'Internal.', marking: 'TLP:CLEAR' })).id;
    real.requestId = ok(
      await official.post('/api/support/requests', { kind: 'legal', category: 'terms_of_service', urgency: 'normal', subject: 'Confidential', description: 'Internal.', visibility: 'org' }),
    ).id;
  });

  after(async function () {
    await server.close();
  });

  /** The channel a path's `{channelId}` must be for its operation to reach an object. */
  function channelFor(path: string): string {
    const next = path.split('{channelId}')[1]!.split('/')[1] ?? '';
    if (next === 'questions' || next === 'knowledge') return channels.qa!;
    if (next === 'papers') return channels.papers!;
    if (next === 'resources') return channels.library!;
    return channels.discussion!;
  }

  function realValue(op: Operation, param: string): string {
    if (param === 'channelId') return channelFor(op.path);
    return real[param]!;
  }

  function missingValue(op: Operation, param: string): string {
    if (param === 'seq') return MISSING_SEQ;
    if (param === 'type') return real.type!;
    if (param === 'id') return `${missingId()}:${MISSING_SEQ}`;
    return missingId();
  }

  async function call(client: ApiClient, op: Operation, values: Record<string, string>) {
    const path = op.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
    const method = op.method.toUpperCase();
    if (method === 'PUT' && path.endsWith('/pdf')) {
      return client.request(method, path, PDF as unknown as string, { 'content-type': 'application/pdf' });
    }
    const schema = op.requestBody?.content['application/json']?.schema;
    const body = schema ? example(schema, components) : method === 'GET' || method === 'DELETE' ? undefined : {};
    return client.request(method, path, body === undefined ? undefined : body);
  }

  it('knows every path parameter of the document (a new one must be taught here, not skipped)', function () {
    const unknown = [...new Set(operations.flatMap((op) => op.params))].filter((param) => !(param in BLIND) && !(param in NOT_OBJECT_IDS));
    expect(unknown, 'path parameters with no hidden object and no stated reason').to.deep.equal([]);
    expect(operations.length).to.be.greaterThan(50);
  });

  it('answers every such operation the same for a hidden object and a missing one, for every persona who may not see it', async function () {
    const mismatches: string[] = [];
    const checked: string[] = [];
    for (const op of operations) {
      if (op.params.some((param) => param in NOT_OBJECT_IDS)) continue;
      const blind = PLACED.filter((name) => op.params.every((param) => BLIND[param]!.includes(name)));
      expect(blind.length, `${op.operationId}: no persona is blind to its object`).to.be.greaterThan(0);
      for (const name of blind) {
        const client = personas.get(name)!;
        const realValues = Object.fromEntries(op.params.map((param) => [param, realValue(op, param)]));
        const missingValues = Object.fromEntries(op.params.map((param) => [param, missingValue(op, param)]));
        const leafMissing = { ...realValues, [op.params.at(-1)!]: missingValue(op, op.params.at(-1)!) };
        const answers = {
          hidden: await call(client, op, realValues),
          missing: await call(client, op, missingValues),
          leafMissing: await call(client, op, leafMissing),
        };
        const where = `${op.method.toUpperCase()} ${op.path} (${op.operationId}) as ${name}`;
        checked.push(where);
        const shape = (res: { status: number; body: any }) => JSON.stringify({ status: res.status, error: res.body?.error ?? res.body });
        if (answers.hidden.status < 400) mismatches.push(`${where}: the hidden object answered ${answers.hidden.status}`);
        // Reaching the lookup: a body the validator refuses would make both answers 400 and prove nothing.
        if (answers.missing.status === 400 && answers.missing.body?.error?.code === 'invalid_request') mismatches.push(`${where}: example body refused: ${JSON.stringify(answers.missing.body.error.details)}`);
        if (shape(answers.hidden) !== shape(answers.missing)) mismatches.push(`${where}: hidden ${shape(answers.hidden)} ≠ missing ${shape(answers.missing)}`);
        if (shape(answers.hidden) !== shape(answers.leafMissing)) mismatches.push(`${where}: hidden ${shape(answers.hidden)} ≠ last id missing ${shape(answers.leafMissing)}`);
      }
    }
    if (process.env.EXISTENCE_LIST) console.log(checked.join('\n'));
    expect(mismatches).to.deep.equal([]);
    expect(checked.length).to.be.greaterThan(100);
  });
});
