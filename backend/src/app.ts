import express, { type Express, type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import { ROOT_DIR, type Config } from './config/config.ts';
import { Audit } from './audit/audit.actions.ts';
import { actorMiddleware, createAuthenticator, sessionMiddleware } from './auth/auth.ts';
import { applicationOperations } from './applications/application.routes.ts';
import { auditOperations } from './audit/audit.routes.ts';
import { authOperations } from './auth/auth.routes.ts';
import { oidcOperations } from './auth/oidc.ts';
import { memberOperations } from './members/member.routes.ts';
import { notificationOperations } from './notifications/notification.routes.ts';
import { organisationOperations } from './organisations/organisation.routes.ts';
import { setupOperations } from './setup/setup.routes.ts';
import { spaceOperations } from './spaces/space.routes.ts';
import { messageOperations } from './messages/message.routes.ts';
import { knowledgeOperations } from './knowledge/knowledge.routes.ts';
import { alertOperations } from './alerts/alert.routes.ts';
import { moderationOperations } from './moderation/moderation.routes.ts';
import { searchOperations } from './search/search.routes.ts';
import { eventOperations } from './events/event.routes.ts';
import { materialOperations } from './events/material.routes.ts';
import { supportOperations } from './support/support.routes.ts';
import { reverificationOperations } from './members/reverification.routes.ts';
import { csrfProtection } from './auth/csrf.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { DatabaseSessionStore } from './auth/session-store.ts';
import type { AppContext } from './context.ts';
import type { Database } from './db/database.ts';
import { createModels } from './db/models.ts';
import { Notifier } from './notifications/notification.actions.ts';
import { NotificationMailer } from './notifications/notification-mail.ts';
import { notificationMailOperations } from './notifications/notification-mail.routes.ts';
import { originAllowed } from './realtime/realtime.ts';
import { RealtimeHub } from './realtime/hub.ts';
import { MessageStore } from './messages/message.store.ts';
import { PostingLimiter } from './messages/message.actions.ts';
import { SearchIndex } from './search/search.index.ts';
import { ModerationSources } from './moderation/moderation.sources.ts';
import { healthOperations } from './health/health.routes.ts';
import { mailOperations } from './mail/mail.routes.ts';
import { cacheOperations } from './cache/cache.routes.ts';
import { Outbox } from './mail/outbox.ts';
import { systemClock } from './shared/clock.ts';
import { CacheLayer } from './cache/cache.layer.ts';
import { CachedStore } from './cache/cache.store.ts';
import { ApiRegistry, defineOperation } from './http/api.ts';
import { responseCompression } from './http/compression.ts';
import { NotFound, errorHandler } from './http/errors.ts';
import type { Logger } from './http/logger.ts';
import { securityHeaders } from './http/security.ts';
import { spaRouter } from './http/spa.ts';
import { m, msg } from './http/locale.ts';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  database: Pick<Database, 'ping' | 'connection'>;
  /** Where the built web app is; tests may point elsewhere. */
  frontendDir?: string;
}

const VERSION = (JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface BuiltApp {
  app: Express;
  api: ApiRegistry;
  ctx: AppContext;
  /** The session middleware, shared with socket.io's handshake. */
  session: RequestHandler;
}

/** Builds the HTTP application. No I/O happens here, so tests can build as many as they like. */
export function createApp(deps: AppDependencies): BuiltApp {
  const { config, logger } = deps;
  const models = createModels(deps.database.connection);
  const cache = new CachedStore(new CacheLayer(deps.database.connection, logger, { maxBytes: config.cacheMaxMb * 1024 * 1024, enabled: config.cache }), models);
  const realtime = new RealtimeHub();
  const ctx = {
    config,
    logger,
    models,
    realtime,
    audit: new Audit(models.AuditEvent),
    notifier: new Notifier(models.NotificationBox, realtime, (id) => cache.member(id)),
    sessions: new DatabaseSessionStore(models.Session, cache),
    rateLimiter: new RateLimiter(models.RateLimit),
    messages: new MessageStore(deps.database.connection, config.messageBlockSize),
    postingLimiter: new PostingLimiter(config.postingBurst, config.postingIntervalMs),
    search: new SearchIndex(deps.database.connection, { logger }),
    moderation: new ModerationSources(),
    outbox: new Outbox(models, config, logger),
    clock: systemClock,
    cache,
  } as Omit<AppContext, 'notificationMail'> as AppContext;
  ctx.notificationMail = new NotificationMailer(ctx);
  ctx.notifier.mailer = ctx.notificationMail;
  const session = sessionMiddleware(ctx);
  const authenticator = createAuthenticator(ctx);
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
  app.use(responseCompression());

  const api = new ApiRegistry();
  api.add(...healthOperations(deps.database));
  const oidc = oidcOperations(ctx, authenticator);
  api.add(...authOperations(ctx, authenticator, oidc.providers));
  api.add(...oidc.operations);
  api.add(...memberOperations(ctx));
  api.add(...applicationOperations(ctx));
  api.add(...organisationOperations(ctx));
  api.add(...auditOperations(ctx));
  api.add(...notificationOperations(ctx));
  api.add(...setupOperations(ctx));
  api.add(...cacheOperations(ctx));
  api.add(...spaceOperations(ctx));
  api.add(...messageOperations(ctx));
  api.add(...knowledgeOperations(ctx));
  api.add(...alertOperations(ctx));
  api.add(...moderationOperations(ctx));
  api.add(...searchOperations(ctx));
  api.add(...mailOperations(ctx));
  api.add(...notificationMailOperations(ctx));
  api.add(...eventOperations(ctx));
  api.add(...materialOperations(ctx));
  api.add(...supportOperations(ctx));
  api.add(...reverificationOperations(ctx));
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
  app.use('/api', csrfProtection((req) => originAllowed(req, config)));
  app.use('/api', session, authenticator.initialize(), authenticator.session(), actorMiddleware());
  app.use(api.router());
  app.use('/api', (req, _res, next) => next(new NotFound(msg(m.error_api_no_operation, { method: req.method, path: req.originalUrl.split('?')[0] ?? '' }))));
  app.use(spaRouter(deps.frontendDir ?? join(ROOT_DIR, 'frontend', 'dist')));
  app.use(errorHandler(logger));
  return { app, api, ctx, session };
}
