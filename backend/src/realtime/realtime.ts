import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import type { Logger } from '../http/logger.ts';
import { REALTIME_PATH, type ClientToServerEvents, type ServerToClientEvents } from '../shared/realtime-events.ts';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * A browser always sends Origin on a WebSocket handshake and on cross-origin requests; a page on
 * another site must not ride on a member's cookies (cross-site WebSocket hijacking). Allowed: the
 * public URL's origin, configured extra origins (the Vite dev server), and the request's own host.
 */
export function originAllowed(req: IncomingMessage, config: Pick<Config, 'publicUrl' | 'allowedOrigins'>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser's cross-site request: same-origin XHR omits it
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === new URL(config.publicUrl).origin) return true;
  if (config.allowedOrigins.includes(parsed.origin)) return true;
  return parsed.host === req.headers.host;
}

const PingPayload = z.strictObject({});

export function attachRealtime(httpServer: HttpServer, deps: { config: Config; logger: Logger }): RealtimeServer {
  const { config, logger } = deps;
  const io: RealtimeServer = new Server(httpServer, {
    path: REALTIME_PATH,
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    // No CORS headers at all: the app and its socket share one origin.
    cors: undefined,
    allowRequest: (req, callback) => {
      const ok = originAllowed(req, config);
      if (!ok) logger.warn({ origin: String(req.headers.origin).slice(0, 200) }, 'socket handshake refused: foreign origin');
      callback(ok ? null : 'origin not allowed', ok);
    },
  });

  io.on('connection', (socket) => {
    socket.emit('session.ready', { serverTime: new Date().toISOString() });
    socket.on('system.ping', (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!PingPayload.safeParse(payload).success) {
        ack({ ok: false, error: { code: 'invalid_request', message: 'system.ping takes an empty object.' } });
        return;
      }
      ack({ ok: true, data: { serverTime: new Date().toISOString() } });
    });
  });
  return io;
}
