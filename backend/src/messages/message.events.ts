import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { toActor } from '../auth/auth.ts';
import { toAppError, Unauthorized } from '../http/errors.ts';
import { m } from '../http/locale.ts';
import { parseIn } from '../http/schemas.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { presenceOf } from '../realtime/presence.ts';
import type { RealtimeSocket } from '../realtime/realtime.ts';
import { isLocale, type Locale } from '../shared/i18n/locale.ts';
import { Rooms, type Ack } from '../shared/realtime-events.ts';
import { accessChannel, doSendMessage, type ChannelAccess } from './message.actions.ts';
import { presentMessage } from './message.presenter.ts';
import { SendMessageBody } from './message.schemas.ts';

const JoinPayload = z.strictObject({ channelId: ObjectIdParam });
const SendPayload = SendMessageBody.extend({ channelId: ObjectIdParam });

/**
 * Socket events for channels, asking the same policy as HTTP; errors come back in the ack in the
 * API's error shape, never as a thrown exception.
 *
 * The member and the channels this socket joined are loaded once and kept for the socket's life:
 * every change that could alter what they may do (suspension, role, status, their organisation's
 * sector, a space's rule, a channel archived) cuts their sockets at once, so a live socket never
 * holds stale rights, and a message costs no re-reads on its hot path.
 */
export function registerMessageEvents(ctx: AppContext, socket: RealtimeSocket): void {
  let member: MemberDoc | null | undefined;
  const joined = new Map<string, ChannelAccess>();
  const loadMember = async () => {
    if (member === undefined) member = socket.data.memberId ? await ctx.cache.member(socket.data.memberId) : null;
    return member;
  };

  // The member's language (their profile as loaded for this socket), else the handshake's.
  const localeOf = (): Locale => (member && isLocale(member.locale) ? member.locale : socket.data.locale);

  const handle = <P, T>(schema: z.ZodType<P>, run: (payload: P, member: MemberDoc) => Promise<T>) =>
    async (payload: unknown, ack: Ack<T>) => {
      if (typeof ack !== 'function') return;
      try {
        const parsed = parseIn(schema, payload, localeOf());
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue?.path.join('.') || 'payload';
          const message = issue ? m.error_validation({ where, problem: issue.message }, { locale: localeOf() }) : m.error_invalid_request({}, { locale: localeOf() });
          ack({ ok: false, error: { code: 'invalid_request', message } });
          return;
        }
        const current = await loadMember();
        if (!current || current.status !== 'member') throw new Unauthorized();
        ack({ ok: true, data: await run(parsed.data, current) });
      } catch (error) {
        const appError = toAppError(error);
        if (appError.status >= 500) ctx.logger.error({ err: error }, 'socket event failed');
        ack({ ok: false, error: { code: appError.code, message: appError.messageIn(localeOf()) } });
      }
    };

  socket.on(
    'channel.join',
    handle(JoinPayload, async ({ channelId }, member) => {
      const access = await accessChannel(ctx, toActor(member), channelId);
      joined.set(channelId, access);
      await socket.join(Rooms.channel(channelId));
      presenceOf(socket.nsp).changed(channelId, String(member._id), true);
      return { lastSeq: await ctx.messages.latestSeq(channelId, access.channel.lastSeq) };
    }),
  );
  socket.on(
    'channel.leave',
    handle(JoinPayload, async ({ channelId }, member) => {
      if (!socket.rooms.has(Rooms.channel(channelId))) return {};
      await socket.leave(Rooms.channel(channelId));
      joined.delete(channelId);
      presenceOf(socket.nsp).changed(channelId, String(member._id), false);
      return {};
    }),
  );
  socket.on(
    'channel.presence',
    handle(JoinPayload, async ({ channelId }, member) => {
      await accessChannel(ctx, toActor(member), channelId);
      const sockets = await socket.nsp.in(Rooms.channel(channelId)).fetchSockets();
      return { memberIds: [...new Set(sockets.map((other) => other.data.memberId).filter((id): id is string => Boolean(id)))] };
    }),
  );

  // Typing: only in a room this socket joined (joining was authorized), at most every 2 s.
  const lastTyping = new Map<string, number>();
  socket.on('typing', (payload: unknown) => {
    const parsed = JoinPayload.safeParse(payload);
    const memberId = socket.data.memberId;
    if (!parsed.success || !memberId) return;
    const room = Rooms.channel(parsed.data.channelId);
    const now = Date.now();
    if (!socket.rooms.has(room) || now - (lastTyping.get(room) ?? 0) < 2000) return;
    lastTyping.set(room, now);
    void ctx.cache
      .member(memberId)
      .then((member) => {
        if (member && member.status === 'member') socket.to(room).emit('typing', { channelId: parsed.data.channelId, memberId, name: member.name });
      });
  });

  socket.on('disconnecting', () => {
    const memberId = socket.data.memberId;
    if (!memberId) return;
    for (const room of socket.rooms) {
      if (room.startsWith('channel:')) presenceOf(socket.nsp).changed(room.slice('channel:'.length), memberId, false);
    }
  });
  socket.on(
    'message.send',
    handle(SendPayload, async ({ channelId, ...body }, member) => {
      const { message, created } = await doSendMessage(ctx, toActor(member), member, channelId, body, joined.get(channelId));
      return { message: presentMessage(message, String(member._id)), created };
    }),
  );
}
