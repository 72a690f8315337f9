import { z } from 'zod';
import type { MessageDoc } from './message.store.ts';

export const MessageView = z
  .object({
    id: z.string().describe('`<channelId>:<seq>`'),
    channelId: z.string(),
    seq: z.number().describe('Gap-free position in the channel: 1, 2, 3 …'),
    authorId: z.string(),
    html: z.string().describe('Sanitised HTML; the only form clients display'),
    source: z.string().describe('The Markdown as written (empty once deleted)'),
    parentSeq: z.number().nullable(),
    createdAt: z.string(),
    editedAt: z.string().nullable(),
    edits: z.number().describe('How many earlier versions exist'),
    deleted: z.boolean(),
    reactions: z.array(z.object({ emoji: z.string(), count: z.number(), mine: z.boolean() })),
    pinned: z.boolean(),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof MessageView>;

/** What a reader sees: a deleted message keeps its place (its number) but not its content. */
export function presentMessage(message: MessageDoc, viewerId: string | null): MessageView {
  const deleted = message.deleted !== null;
  return {
    id: message._id,
    channelId: message.channelId,
    seq: message.seq,
    authorId: message.authorId,
    html: deleted ? '' : message.html,
    source: deleted ? '' : message.source,
    parentSeq: message.parentSeq,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt ? message.editedAt.toISOString() : null,
    edits: deleted ? 0 : message.history.length,
    deleted,
    reactions: deleted ? [] : message.reactions.filter((reaction) => reaction.memberIds.length > 0).map((reaction) => ({ emoji: reaction.emoji, count: reaction.memberIds.length, mine: viewerId !== null && reaction.memberIds.includes(viewerId) })),
    pinned: message.pinned,
  };
}
