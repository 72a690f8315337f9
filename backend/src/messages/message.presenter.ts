import { z } from 'zod';
import { MODERATION_REASONS, moderatedView } from '../moderation/moderation.types.ts';
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
    moderation: z
      .object({ visibility: z.enum(['hidden', 'warning', 'redacted']), reason: z.enum(MODERATION_REASONS) })
      .nullable()
      .describe('Null, or what moderators did: a hidden message carries only the reason; a warning is collapsed until a reader chooses to see it'),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof MessageView>;

/**
 * What a reader sees: a deleted message keeps its place (its number) but not its content; a
 * moderated one shows what `moderatedView()` allows. `isModerator` defaults to false, so a
 * broadcast to a channel's room (shared by members and moderators) always carries the member view.
 */
export function presentMessage(message: MessageDoc, viewerId: string | null, isModerator = false): MessageView {
  const deleted = message.deleted !== null;
  const view = moderatedView(message.moderation, { html: message.html, source: message.source }, { isModerator });
  const hidden = view.moderation?.visibility === 'hidden';
  return {
    id: message._id,
    channelId: message.channelId,
    seq: message.seq,
    authorId: message.authorId,
    html: deleted ? '' : view.html,
    source: deleted ? '' : view.source,
    parentSeq: message.parentSeq,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt ? message.editedAt.toISOString() : null,
    // Earlier versions carry the original: members do not learn of them on a moderated message.
    edits: deleted || (view.moderation && !isModerator) ? 0 : message.history.length,
    deleted,
    reactions: deleted || hidden ? [] : message.reactions.filter((reaction) => reaction.memberIds.length > 0).map((reaction) => ({ emoji: reaction.emoji, count: reaction.memberIds.length, mine: viewerId !== null && reaction.memberIds.includes(viewerId) })),
    pinned: message.pinned,
    moderation: deleted ? null : view.moderation,
  };
}
