import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import { ROOT_DIR, type Config } from './config/config.ts';
import type { Database } from './db/database.ts';
import { healthOperations } from './health/health.routes.ts';
import { ApiRegistry, defineOperation } from './http/api.ts';
import { NotFound, errorHandler } from './http/errors.ts';
import type { Logger } from './http/logger.ts';
import { securityHeaders } from './http/security.ts';
import { spaRouter } from './http/spa.ts';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  database: Pick<Database, 'ping' | 'connection'>;
  /** Where the built web app is; tests may point elsewhere. */
  frontendDir?: string;
}

const VERSION = (JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP application. No I/O happens here, so tests can build as many as they like. */
export function createApp(deps: AppDependencies): { app: Express; api: ApiRegistry } {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // Never headers (cookies), never bodies, never query strings (they can carry tokens).
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
          ip: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(securityHeaders({ https: config.publicUrl.startsWith('https://') }));

  const api = new ApiRegistry();
  api.add(...healthOperations(deps.database));
  let openApiCache: Record<string, unknown> | undefined;
  api.add(
    defineOperation({
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This API described as OpenAPI 3.1',
      tags: ['meta'],
      access: 'public',
      responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
      handler: () =>
        (openApiCache ??= api.openApiDocument({
          title: 'Convene API',
          version: VERSION,
          description:
            'The HTTP API of Convene. Errors share one shape: {"error":{"code","message","details"}}. ' +
            'State-changing requests take application/json bodies.',
        })),
    }),
  );

  // API responses can carry sensitive content: never stored by any cache.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api', express.json({ limit: config.jsonBodyLimit, strict: true }));
  app.use(api.router());
  app.use('/api', (req, _res, next) => next(new NotFound(`No API operation ${req.method} ${req.originalUrl.split('?')[0]}.`)));
  app.use(spaRouter(deps.frontendDir ?? join(ROOT_DIR, 'frontend', 'dist')));
  app.use(errorHandler(logger));
  return { app, api };
}
