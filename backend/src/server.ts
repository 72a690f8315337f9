import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { openDatabase, type Database } from './db/database.ts';
import type { ApiRegistry } from './http/api.ts';
import type { AppContext } from './context.ts';
import { initModels } from './db/models.ts';
import { startPeriodicJobs } from './jobs.ts';
import { startSupportDeadlines } from './support/support.actions.ts';
import { prepareFirstAdminToken } from './setup/setup.actions.ts';
import { ensureDefaultSpaces } from './spaces/space.routes.ts';
import { rebuildSearchIndex } from './search/search.rebuild.ts';
import { registerMessageEvents } from './messages/message.events.ts';
import { trackPresence } from './notifications/notification-mail.ts';
import { useRedisAdapter } from './realtime/redis-adapter.ts';
import { createLogger, type Logger } from './http/logger.ts';
import { attachRealtime, type RealtimeServer } from './realtime/realtime.ts';
import { startMailpit, type LocalMailServer } from './mail/mailpit.ts';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly http: HttpServer;
  readonly io: RealtimeServer;
  readonly database: Database;
  /** The operations this server routes (and documents). */
  readonly api: ApiRegistry;
  readonly ctx: AppContext;
  /** The Mailpit this server started because SMTP_URL is not set (its web UI shows what was sent). */
  readonly localMail: LocalMailServer | null;
  /** Stops accepting, lets in-flight requests finish, closes sockets and the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  /** An already open database (tests share one engine); otherwise one is opened from config. */
  database?: Database;
  /** Print the first-admin setup link when no admin exists (default true; tests turn it off). */
  announceSetup?: boolean;
  /** Called when the embedded engine dies under a running server. */
  onFatal?: (reason: string) => void;
}

/** Starts the whole server: database, HTTP, socket.io. Used by `npm start` and by tests alike. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const database =
    options.database ??
    (await openDatabase({
      config,
      logger,
      onEmbeddedExit: (code, signal) => options.onFatal?.(`the embedded database exited (code ${code}, signal ${signal})`),
    }));

  const { app, api, ctx, session } = createApp({ config, logger, database });
  await initModels(ctx.models);
  await ensureDefaultSpaces(ctx);
  await ctx.messages.open();
  await ctx.search.open();
  const http = createServer(app);
  http.keepAliveTimeout = 5_000;
  const io = attachRealtime(http, { config, logger, session, member: (id) => ctx.cache.member(id), onConnection: (socket) => {
      registerMessageEvents(ctx, socket);
      trackPresence(ctx, socket);
    } });
  ctx.realtime.attach(io);
  const redis = config.redisUrl ? await useRedisAdapter(io, config.redisUrl, config.databaseName, logger) : null;
  const closeRedis = redis ? redis.close : async () => undefined;
  await ctx.cache.layer.start(redis ? { pair: redis.pair, databaseName: config.databaseName } : undefined);
  // An index built by an older analyzer has other terms: rebuild it before serving (one process does).
  if (ctx.search.outdated && (await ctx.search.claimRebuild(new Date()))) {
    logger.warn('search index built by an older analyzer: rebuilding it');
    const { items, ms } = await rebuildSearchIndex(database.connection, ctx.models, ctx.messages);
    await ctx.search.open();
    logger.info({ items, ms }, 'search index rebuilt');
  }
  if (config.cache) {
    void ctx.cache.prime().then(
      (primed) => logger.info(primed, 'cache primed'),
      (error) => logger.warn({ err: error }, 'cache priming failed; documents will be read as needed'),
    );
  }
  const jobs = startPeriodicJobs(ctx);
  // Removal-order deadlines: escalate at half time (by ctx.clock).
  const supportDeadlines = startSupportDeadlines(ctx);
  // Without SMTP_URL (never in production: config refuses), mail goes to a Mailpit on loopback.
  const localMail = config.smtpUrl ? null : await startMailpit({ logger, dataDir: config.env === 'development' ? config.dataDir : undefined });
  ctx.outbox.start(config.smtpUrl ?? localMail!.smtpUrl);
  const setupToken = options.announceSetup === false ? null : await prepareFirstAdminToken(ctx);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const force = setTimeout(() => http.closeAllConnections(), config.shutdownTimeoutMs);
      force.unref();
      // io.close() disconnects every socket and then closes the HTTP server, which waits for
      // in-flight requests; idle keep-alive connections are closed so it need not wait for them.
      const httpClosed = new Promise<void>((resolve) => http.once('close', () => resolve()));
      await io.close();
      await ctx.cache.layer.stop();
      await closeRedis();
      http.closeIdleConnections();
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()));
      await httpClosed.catch(() => undefined);
      clearTimeout(force);
      jobs.stop();
      supportDeadlines.stop();
      await ctx.outbox.stop();
      await localMail?.stop();
      // Index writes still queued go in before the database closes.
      await ctx.search.idle();
      if (!options.database) await database.close();
    })());

  if (setupToken) {
    // For the operator's terminal, not the logs: the link is a secret until used.
    process.stderr.write(
      `\nNo admin exists yet. Create the first one, once, at:\n  ${config.publicUrl}/setup?token=${setupToken}\n(or run \`npm run admin:create\`)\n\n`,
    );
  }
  return { url, port, http, io, database, api, ctx, localMail, close };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`convene: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config);
  let server: RunningServer | undefined;
  let stopping = false;

  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const hardStop = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(code || 1);
    }, config.shutdownTimeoutMs + 1500);
    hardStop.unref();
    try {
      await server?.close();
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      code ||= 1;
    }
    logger.info({ code }, 'stopped');
    logger.flush();
    process.exit(code);
  };

  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));

  try {
    server = await startServer({
      config,
      logger,
      onFatal: (reason) => {
        // Serving errors without a database helps nobody: exit and let the supervisor restart us.
        logger.fatal({ reason }, 'fatal: cannot continue');
        void shutdown(reason, 1);
      },
    });
  } catch (error) {
    logger.fatal({ err: error }, 'could not start');
    process.stderr.write(`convene: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  logger.info({ url: server.url, port: server.port, publicUrl: config.publicUrl }, 'listening');
  if (config.env !== 'test') {
    process.stderr.write(`\nConvene is running at ${config.publicUrl} (listening on ${server.url})\n`);
    if (server.localMail) process.stderr.write(`Mail goes to the local Mailpit: read it at ${server.localMail.webUrl} (SMTP ${server.localMail.smtpUrl})\n`);
    process.stderr.write('\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
