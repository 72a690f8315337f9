import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { authorize, type Permission } from '../policy/policy.ts';
import { AppError, Invalid } from './errors.ts';
import { m, msg, requestLocale } from './locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { parseIn } from './schemas.ts';

/**
 * The API is a list of operations. Each one declares its input schemas, its responses and who may
 * call it; `ApiRegistry` turns that list into Express routes (validation first, then the handler)
 * and into the OpenAPI 3.1 document served at /api/openapi.json. One source, so the document cannot
 * drift from what the server enforces.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * `public`: anyone, signed in or not. A Permission: the policy decides before the input is even
 * read (401 for visitors, 403 for people without it); handlers check the object they load again.
 */
export type Access = 'public' | Permission;

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Non-JSON responses (the SPA, feeds, downloads) name their media type. */
  contentType?: string;
}

export interface HandlerInput<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  req: Request;
  res: Response;
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

export interface Operation<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Express path syntax: `/api/channels/:channelId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** The first 2xx entry is the status of a handler's returned value. */
  responses: Record<number, ResponseSpec>;
  /**
   * Runs after validation. A returned value is sent as JSON; a handler that answers by itself
   * (a file, a redirect) returns undefined after sending.
   */
  handler: (input: HandlerInput<P, Q, B>) => unknown;
}

/** Defines an operation with its types inferred from its schemas. */
export function defineOperation<P extends AnyObject = z.ZodObject<{}>, Q extends AnyObject = z.ZodObject<{}>, B extends z.ZodType = z.ZodUndefined>(
  operation: Operation<P, Q, B>,
): Operation {
  return operation as unknown as Operation;
}

const EmptyObject = z.strictObject({});

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Machine-readable error code, e.g. `invalid_request`, `not_found`.'),
      message: z.string().describe('A sentence for people.'),
      details: z.unknown().optional().describe('Structured detail, e.g. the fields that failed validation.'),
    }),
  })
  .meta({ id: 'Error' });

interface Issue {
  location: 'params' | 'query' | 'body';
  path: string;
  message: string;
}

function issuesOf(location: Issue['location'], error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

function describeIssues(issues: Issue[], locale: Locale): string {
  const first = issues[0];
  if (!first) return m.error_invalid_request({}, { locale });
  const where = first.path ? `${first.location}.${first.path}` : first.location;
  return issues.length > 1
    ? m.error_validation_more({ where, problem: first.message, count: issues.length - 1 }, { locale })
    : m.error_validation({ where, problem: first.message }, { locale });
}

function validator(operation: Operation): RequestHandler {
  const params = operation.params ?? EmptyObject;
  const query = operation.query ?? EmptyObject;
  return (req, res, next) => {
    const issues: Issue[] = [];
    // The issues are worded in the reader's language, as the error's message will be.
    const locale = requestLocale(req);
    const parsedParams = parseIn(params, req.params, locale);
    if (!parsedParams.success) issues.push(...issuesOf('params', parsedParams.error));
    const parsedQuery = parseIn(query, req.query, locale);
    if (!parsedQuery.success) issues.push(...issuesOf('query', parsedQuery.error));
    let body: unknown = undefined;
    if (operation.body) {
      if (!req.is('application/json')) {
        return next(new AppError(415, 'unsupported_media_type', msg(m.error_unsupported_media_type)));
      }
      const parsedBody = parseIn(operation.body, req.body, locale);
      if (!parsedBody.success) issues.push(...issuesOf('body', parsedBody.error));
      else body = parsedBody.data;
    }
    if (issues.length > 0) {
      const described = describeIssues(issues, locale);
      return next(new Invalid((wanted) => (wanted === locale ? described : describeIssues(issues, wanted)), { issues }));
    }
    res.locals.input = { params: parsedParams.data, query: parsedQuery.data, body };
    next();
  };
}

function guard(access: Access): RequestHandler {
  return (req, _res, next) => {
    if (access !== 'public') authorize(req.actor, access);
    next();
  };
}

function successStatus(operation: Operation): number {
  const status = Object.keys(operation.responses).map(Number).find((code) => code >= 200 && code < 300);
  return status ?? 200;
}

/** Express `:name` segments become OpenAPI `{name}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

type JsonSchema = Record<string, unknown>;

export class ApiRegistry {
  readonly #operations: Operation[] = [];

  add(...operations: Operation[]): this {
    for (const operation of operations) {
      if (this.#operations.some((known) => known.operationId === operation.operationId)) {
        throw new Error(`duplicate operationId ${operation.operationId}`);
      }
      this.#operations.push(operation);
    }
    return this;
  }

  get operations(): readonly Operation[] {
    return this.#operations;
  }

  /** Routes for every operation: access guard, then validation, then the handler. */
  router(): Router {
    const router = express.Router();
    for (const operation of this.#operations) {
      const status = successStatus(operation);
      router[operation.method](operation.path, guard(operation.access), validator(operation), async (req, res) => {
        const input = res.locals.input as { params: unknown; query: unknown; body: unknown };
        const result = await operation.handler({ req, res, ...input } as HandlerInput<AnyObject, AnyObject, z.ZodType>);
        if (res.headersSent) return;
        if (result === undefined) res.status(204).end();
        else res.status(status).json(result);
      });
    }
    return router;
  }

  openApiDocument(info: OpenApiInfo): Record<string, unknown> {
    const components: Record<string, JsonSchema> = {};
    const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
      const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
      return liftDefinitions(json, components);
    };
    // A schema with `.meta({ id })` comes back as a reference; its body lands in components.
    toSchema(ErrorResponse, 'output');

    const paths: Record<string, Record<string, unknown>> = {};
    for (const operation of this.#operations) {
      const parameters = [
        ...parametersOf(operation.params, 'path', toSchema),
        ...parametersOf(operation.query, 'query', toSchema),
      ];
      const responses: Record<string, unknown> = {};
      for (const [code, spec] of Object.entries(operation.responses)) {
        const contentType = spec.contentType ?? 'application/json';
        responses[code] = {
          description: spec.description,
          ...(spec.schema || spec.contentType
            ? { content: { [contentType]: spec.schema ? { schema: toSchema(spec.schema, 'output') } : {} } }
            : {}),
        };
      }
      const errorRef = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      if (parameters.length > 0 || operation.body) responses['400'] ??= { ...errorRef, description: 'The input is not valid.' };
      if (operation.access !== 'public') responses['401'] ??= { ...errorRef, description: 'Not signed in.' };
      responses.default ??= { ...errorRef, description: 'Any other error, in the common error shape.' };

      const entry: Record<string, unknown> = {
        operationId: operation.operationId,
        summary: operation.summary,
        ...(operation.description ? { description: operation.description } : {}),
        tags: operation.tags,
        // Public operations say so explicitly with an empty requirement.
        security: operation.access === 'public' ? [] : [{ sessionCookie: [] }],
        'x-permission': operation.access,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(operation.body, 'input') } } } }
          : {}),
        responses,
      };
      const path = openApiPath(operation.path);
      paths[path] = { ...(paths[path] ?? {}), [operation.method]: entry };
    }

    return {
      openapi: '3.1.0',
      info,
      jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
      servers: [{ url: '/' }],
      paths,
      components: {
        schemas: components,
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'convene.sid',
            description: 'The session cookie set at sign-in.',
          },
        },
      },
    };
  }
}

function parametersOf(schema: AnyObject | undefined, location: 'path' | 'query', toSchema: (schema: z.ZodType, io: 'input') => JsonSchema) {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = field as z.ZodType;
    const json = toSchema(fieldSchema, 'input');
    const description = typeof json.description === 'string' ? json.description : undefined;
    return {
      name,
      in: location,
      required: location === 'path' || !fieldSchema.safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: json,
    };
  });
}

/** Moves `$defs` (named schemas, from `.meta({ id })`) into components and rewrites the references. */
function liftDefinitions(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  delete schema.$defs;
  delete schema.$schema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = key === '$ref' && typeof item === 'string' ? item.replace('#/$defs/', '#/components/schemas/') : rewrite(item);
      }
      return out;
    }
    return value;
  };
  for (const [id, def] of Object.entries(defs)) components[id] = rewrite(def) as JsonSchema;
  return rewrite(schema) as JsonSchema;
}
