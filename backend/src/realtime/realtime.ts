import type { Request, RequestHandler } from 'express';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { m, requestLocale } from '../http/locale.ts';
import type { Logger } from '../http/logger.ts';
import { isLocale, type Locale } from '../shared/i18n/locale.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { ABSOLUTE_MS, IDLE_MS } from '../auth/auth.ts';
import { REALTIME_PATH, Rooms, type ClientToServerEvents, type ServerToClientEvents } from '../shared/realtime-events.ts';

export interface SocketData {
  /** The signed-in member, or null for a visitor's socket (which joins no rooms). */
  memberId: string | null;
  sessionId?: string;
  signedInAt?: number;
  /** A moderator or admin: joins the moderators' room (a role change cuts the socket). */
  moderator?: boolean;
  /**
   * The language of the acks' error messages: the member's choice on their profile, else the
   * handshake's cookie or Accept-Language (as for HTTP), else English.
   */
  locale: Locale;
}
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeDependencies {
  config: Config;
  logger: Logger;
  /** The same express-session middleware as HTTP: the socket is authenticated by the session cookie. */
  session: RequestHandler;
  /** Loads a member by id (through the cache layer). */
  member: (id: string) => Promise<MemberDoc | null>;
  /** Registers the event handlers of every capability on a new socket. */
  onConnection?: (socket: RealtimeSocket) => void;
}

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

export function attachRealtime(httpServer: HttpServer, deps: RealtimeDependencies): RealtimeServer {
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

  // Runs express-session on the handshake request: same cookie, same store, no second token.
  io.engine.use(deps.session);
  io.use(async (socket, next) => {
    try {
      socket.data.memberId = null;
      const req = socket.request as Request;
      socket.data.locale = requestLocale(req);
      const session = req.session as { passport?: { user?: { id?: string } }; signedInAt?: number } | undefined;
      const ref = session?.passport?.user;
      // The session's absolute lifetime holds for sockets too.
      const signedInAt = session?.signedInAt ?? 0;
      if (ref?.id && Date.now() - signedInAt < ABSOLUTE_MS) {
        socket.data.signedInAt = signedInAt;
        const member = await deps.member(ref.id);
        if (member && member.status !== 'suspended') {
          socket.data.memberId = String(member._id);
          if (isLocale(member.locale)) socket.data.locale = member.locale;
          socket.data.sessionId = req.sessionID;
          socket.data.moderator = member.status === 'member' && (member.roles.includes('moderator') || member.roles.includes('admin'));
        }
      }
      next();
    } catch (error) {
      next(error as Error);
    }
  });

  io.on('connection', (socket) => {
    const memberId = socket.data.memberId;
    if (memberId) {
      void socket.join([Rooms.user(memberId), Rooms.session(socket.data.sessionId!), ...(socket.data.moderator ? [Rooms.moderators()] : [])]);
      // A socket lives no longer than its session could without a request: it is cut at the
      // session's absolute end or after the idle timeout, and reconnects only if the cookie is still good.
      const remaining = Math.min((socket.data.signedInAt ?? 0) + ABSOLUTE_MS - Date.now(), IDLE_MS);
      const timer = setTimeout(() => {
        socket.emit('session.ended', { reason: 'signed_out' });
        socket.disconnect(true);
      }, Math.max(0, remaining));
      timer.unref();
      socket.once('disconnect', () => clearTimeout(timer));
    }
    deps.onConnection?.(socket);
    socket.emit('session.ready', { serverTime: new Date().toISOString(), memberId });
    socket.on('system.ping', (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!PingPayload.safeParse(payload).success) {
        ack({ ok: false, error: { code: 'invalid_request', message: m.error_socket_ping_payload({}, { locale: socket.data.locale }) } });
        return;
      }
      ack({ ok: true, data: { serverTime: new Date().toISOString() } });
    });
  });
  return io;
}
