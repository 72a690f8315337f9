import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { toActor } from '../auth/auth.ts';
import { toAppError, Unauthorized } from '../http/errors.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import type { RealtimeSocket } from '../realtime/realtime.ts';
import { Rooms, type Ack } from '../shared/realtime-events.ts';
import { accessChannel, doSendMessage } from './message.actions.ts';
import { presentMessage } from './message.presenter.ts';
import { SendMessageBody } from './message.schemas.ts';

const JoinPayload = z.strictObject({ channelId: ObjectIdParam });
const SendPayload = SendMessageBody.extend({ channelId: ObjectIdParam });

/**
 * Socket events for channels. Every event re-reads the member (status, roles, sector may have
 * changed since the handshake) and asks the same policy as HTTP; errors come back in the ack in
 * the API's error shape, never as a thrown exception.
 */
export function registerMessageEvents(ctx: AppContext, socket: RealtimeSocket): void {
  const handle = <P, T>(schema: z.ZodType<P>, run: (payload: P, member: MemberDoc) => Promise<T>) =>
    async (payload: unknown, ack: Ack<T>) => {
      if (typeof ack !== 'function') return;
      try {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          ack({ ok: false, error: { code: 'invalid_request', message: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` } });
          return;
        }
        const member = socket.data.memberId ? await ctx.models.Member.findById(socket.data.memberId).lean<MemberDoc>() : null;
        if (!member || member.status === 'suspended') throw new Unauthorized();
        ack({ ok: true, data: await run(parsed.data, member) });
      } catch (error) {
        const appError = toAppError(error);
        if (appError.status >= 500) ctx.logger.error({ err: error }, 'socket event failed');
        ack({ ok: false, error: { code: appError.code, message: appError.message } });
      }
    };

  socket.on(
    'channel.join',
    handle(JoinPayload, async ({ channelId }, member) => {
      const { channel } = await accessChannel(ctx, toActor(member), channelId);
      await socket.join(Rooms.channel(channelId));
      return { lastSeq: await ctx.messages.latestSeq(channelId, channel.lastSeq) };
    }),
  );
  socket.on(
    'channel.leave',
    handle(JoinPayload, async ({ channelId }) => {
      await socket.leave(Rooms.channel(channelId));
      return {};
    }),
  );
  socket.on(
    'message.send',
    handle(SendPayload, async ({ channelId, ...body }, member) => {
      const { message, created } = await doSendMessage(ctx, toActor(member), member, channelId, body);
      return { message: presentMessage(message, String(member._id)), created };
    }),
  );
}
