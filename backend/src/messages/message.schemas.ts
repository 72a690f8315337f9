import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { MAX_MESSAGE_LENGTH } from './render.ts';

export const MessageText = text({ min: 1, max: MAX_MESSAGE_LENGTH })
  .refine((value) => value.trim().length > 0, localized(m.error_field_not_empty))
  .describe(`Markdown, at most ${MAX_MESSAGE_LENGTH} characters`);
export const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, - or _').describe('Chosen by the client; a retry with the same key returns the same message');

export const SendMessageBody = z
  .strictObject({
    text: MessageText,
    idempotencyKey: IdempotencyKey,
    parentSeq: z.number().int().min(1).optional().describe('Reply in the thread of this message'),
    mentions: z.array(ObjectIdParam).max(20).default([]).describe('Members to notify'),
  })
  .meta({ id: 'SendMessageBody' });
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const EditMessageBody = z.strictObject({ text: MessageText }).meta({ id: 'EditMessageBody' });
export const ReactionBody = z
  .strictObject({ emoji: z.string().regex(/^(\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f){1,16}$/u, localized(m.error_message_emoji)), on: z.boolean() })
  .meta({ id: 'ReactionBody' });

export const ChannelParams = z.object({ channelId: ObjectIdParam });
export const MessageParams = z.object({ channelId: ObjectIdParam, seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export const HistoryQuery = z
  .strictObject({
    before: z.coerce.number().int().min(1).optional().describe('Messages numbered below this (older page)'),
    after: z.coerce.number().int().min(0).optional().describe('Messages numbered above this (catch-up)'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((query) => query.before === undefined || query.after === undefined, { ...localized(m.error_message_before_or_after), path: ['before'] });
