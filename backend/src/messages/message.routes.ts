import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Permission, isModerator } from '../policy/policy.ts';
import { NotFound } from '../http/errors.ts';
import { presentChannel } from '../spaces/space.routes.ts';
import { accessChannel, doDeleteMessage, doEditMessage, doPin, doReact, doSendMessage, listPinned, readHistory } from './message.actions.ts';
import { messageModerationSource } from './message.moderation.ts';
import { MessageView, presentMessage } from './message.presenter.ts';
import { messageSearchSource } from './message.search.ts';
import { ChannelParams, EditMessageBody, HistoryQuery, MessageParams, ReactionBody, SendMessageBody } from './message.schemas.ts';
import { m, msg } from '../http/locale.ts';

const History = z
  .object({ messages: z.array(MessageView), lastSeq: z.number().describe('The newest number in the channel'), readSeq: z.number().describe('Your read position') })
  .meta({ id: 'MessagePage' });

export function messageOperations(ctx: AppContext): Operation[] {
  ctx.moderation.registerSource(messageModerationSource(ctx));
  ctx.search.registerSource(messageSearchSource(ctx));
  return [
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/messages',
      operationId: 'listMessages',
      summary: 'A page of history: the newest, older than `before`, or newer than `after` (catch-up)',
      description: 'Numbers are gap-free, so a client that saw 39 and then 41 asks for `after=39`.',
      tags: ['messages'],
      access: Permission.Converse,
      params: ChannelParams,
      query: HistoryQuery,
      responses: { 200: { description: 'Messages in order', schema: History } },
      handler: async ({ req, params, query }) => {
        const access = await accessChannel(ctx, req.actor, params.channelId);
        const [{ messages, lastSeq }, positions] = await Promise.all([readHistory(ctx, access, query), ctx.cache.readPositions(req.actor!.id)]);
        return { messages: messages.map((message) => presentMessage(message, req.actor!.id, isModerator(req.actor))), lastSeq, readSeq: positions?.channels?.[params.channelId] ?? 0 };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId',
      operationId: 'getChannel',
      summary: 'One channel you may enter',
      tags: ['messages'],
      access: Permission.Converse,
      params: ChannelParams,
      responses: { 200: { description: 'The channel' } },
      handler: async ({ req, params }) => {
        const { channel } = await accessChannel(ctx, req.actor, params.channelId);
        return { ...presentChannel(channel), lastSeq: await ctx.messages.latestSeq(params.channelId, channel.lastSeq) };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/messages',
      operationId: 'sendMessage',
      summary: 'Send a message; stored first, then broadcast. A retry with the same idempotency key returns the stored message',
      tags: ['messages'],
      access: Permission.Converse,
      params: ChannelParams,
      body: SendMessageBody,
      responses: { 201: { description: 'Stored and broadcast', schema: MessageView }, 200: { description: 'A retry: the message stored before', schema: MessageView } },
      handler: async ({ req, res, params, body }) => {
        const { message, created } = await doSendMessage(ctx, req.actor!, req.user!, params.channelId, body);
        res.status(created ? 201 : 200).json(presentMessage(message, req.actor!.id, isModerator(req.actor)));
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/api/channels/:channelId/messages/:seq',
      operationId: 'editMessage',
      summary: 'Edit your message; earlier versions are kept',
      tags: ['messages'],
      access: Permission.Converse,
      params: MessageParams,
      body: EditMessageBody,
      responses: { 200: { description: 'Edited', schema: MessageView } },
      handler: async ({ req, params, body }) => presentMessage(await doEditMessage(ctx, req.actor!, params.channelId, params.seq, body.text), req.actor!.id, isModerator(req.actor)),
    }),
    defineOperation({
      method: 'delete',
      path: '/api/channels/:channelId/messages/:seq',
      operationId: 'deleteMessage',
      summary: 'Delete a message (author or moderator): it keeps its number, loses its content; audited',
      tags: ['messages'],
      access: Permission.Converse,
      params: MessageParams,
      responses: { 200: { description: 'Deleted', schema: MessageView } },
      handler: async ({ req, params }) => presentMessage(await doDeleteMessage(ctx, req.actor!, params.channelId, params.seq, req.ip), req.actor!.id, isModerator(req.actor)),
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/messages/:seq/history',
      operationId: 'getMessageHistory',
      summary: 'Earlier versions of an edited message, oldest first',
      tags: ['messages'],
      access: Permission.Converse,
      params: MessageParams,
      responses: { 200: { description: 'Earlier versions', schema: z.array(z.object({ at: z.string(), html: z.string() })) } },
      handler: async ({ req, params }) => {
        await accessChannel(ctx, req.actor, params.channelId);
        const message = await ctx.messages.get(params.channelId, params.seq);
        if (!message || message.deleted) throw new NotFound(msg(m.error_message_no_such));
        // Earlier versions hold the original words: members never see them on a moderated message.
        if (message.moderation && !isModerator(req.actor)) return [];
        return message.history.map((revision) => ({ at: revision.at.toISOString(), html: revision.html }));
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/messages/:seq/reactions',
      operationId: 'reactToMessage',
      summary: 'Add (on: true) or remove your emoji reaction',
      tags: ['messages'],
      access: Permission.Converse,
      params: MessageParams,
      body: ReactionBody,
      responses: { 200: { description: 'The message', schema: MessageView } },
      handler: async ({ req, params, body }) => presentMessage(await doReact(ctx, req.actor!, params.channelId, params.seq, body.emoji, body.on), req.actor!.id, isModerator(req.actor)),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/messages/:seq/pin',
      operationId: 'pinMessage',
      summary: 'Pin (pinned: true) or unpin a message (moderators)',
      tags: ['messages'],
      access: Permission.ChannelManage,
      params: MessageParams,
      body: z.strictObject({ pinned: z.boolean() }).meta({ id: 'PinBody' }),
      responses: { 200: { description: 'The message', schema: MessageView } },
      handler: async ({ req, params, body }) => presentMessage(await doPin(ctx, req.actor!, params.channelId, params.seq, body.pinned), req.actor!.id, isModerator(req.actor)),
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/pins',
      operationId: 'listPinnedMessages',
      summary: 'The pinned messages of a channel',
      tags: ['messages'],
      access: Permission.Converse,
      params: ChannelParams,
      responses: { 200: { description: 'Pinned messages', schema: z.array(MessageView) } },
      handler: async ({ req, params }) => (await listPinned(ctx, await accessChannel(ctx, req.actor, params.channelId))).map((message) => presentMessage(message, req.actor!.id, isModerator(req.actor))),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/read',
      operationId: 'markChannelRead',
      summary: 'Move your read position forward in a channel',
      tags: ['messages'],
      access: Permission.Converse,
      params: ChannelParams,
      body: z.strictObject({ seq: z.number().int().min(0) }).meta({ id: 'ReadBody' }),
      responses: { 204: { description: 'Saved' } },
      handler: async ({ req, params, body }) => {
        await accessChannel(ctx, req.actor, params.channelId);
        await ctx.models.ReadPositions.updateOne({ _id: req.actor!.id }, { $max: { [`channels.${params.channelId}`]: body.seq } }, { upsert: true });
      },
    }),
  ];
}
