import type { Types } from 'mongoose';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { indexedState, moderatedView } from '../moderation/moderation.types.ts';
import { canEnterSpace, isModerator } from '../policy/policy.ts';
import type { SearchDocument, SearchPresentation, SearchRef, SearchSource } from '../search/search.types.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import type { MessageDoc } from './message.store.ts';

const hiddenByModerators = (message: MessageDoc) => message.moderation?.visibility === 'hidden';

export const messageSearchKey = (channelId: string, seq: number) => `message:${channelId}:${seq}`;

/** What the index keeps of a message. Call after every stored change (moderation too). */
export function messageSearchDocument(message: MessageDoc, spaceId: string | Types.ObjectId): SearchDocument {
  return {
    key: messageSearchKey(message.channelId, message.seq),
    type: 'message',
    spaceId: String(spaceId),
    channelId: message.channelId,
    authorId: message.authorId,
    tags: [],
    createdAt: message.createdAt,
    title: '',
    // Redacted personal data never reaches the index (no search for it can find the message).
    text: moderatedView(indexedState(message.moderation), message, { isModerator: false }).source,
    hidden: hiddenByModerators(message),
  };
}

/** The channels of `refs` and their spaces, each loaded once (both are small collections). */
async function placesOf(ctx: AppContext, refs: SearchRef[]): Promise<{ channels: Map<string, ChannelDoc>; spaces: Map<string, SpaceDoc> }> {
  const channelIds = [...new Set(refs.map((ref) => ref.channelId).filter((id): id is string => Boolean(id)))];
  const channelDocs = channelIds.length ? await ctx.models.Channel.find({ _id: trusted({ $in: channelIds }) }).lean<ChannelDoc[]>() : [];
  const spaceIds = [...new Set(channelDocs.map((channel) => String(channel.spaceId)))];
  const spaceDocs = spaceIds.length ? await ctx.models.Space.find({ _id: trusted({ $in: spaceIds }) }).lean<SpaceDoc[]>() : [];
  return {
    channels: new Map(channelDocs.map((channel) => [String(channel._id), channel])),
    spaces: new Map(spaceDocs.map((space) => [String(space._id), space])),
  };
}

/**
 * Messages as search finds them, by the rule of reading a channel: the actor may enter the
 * channel's space (as it is now, not as it was when indexed), the channel exists, and a message
 * hidden by moderators is found by moderators only. Deleted messages leave the index; `present`
 * loads each message again and drops one deleted meanwhile.
 */
export function messageSearchSource(ctx: AppContext): SearchSource {
  return {
    type: 'message',
    async visible(actor, refs) {
      const { channels, spaces } = await placesOf(ctx, refs);
      const out = new Set<string>();
      for (const ref of refs) {
        const channel = ref.channelId ? channels.get(ref.channelId) : undefined;
        const space = channel ? spaces.get(String(channel.spaceId)) : undefined;
        if (!channel || !space || !canEnterSpace(actor, space)) continue;
        if (ref.hidden && !isModerator(actor)) continue;
        out.add(ref.key);
      }
      return out;
    },
    async present(actor, refs) {
      const { channels, spaces } = await placesOf(ctx, refs);
      const out = new Map<string, SearchPresentation>();
      // One query per storage block touched (a page is ≤ 50 hits).
      const wanted = new Map<string, { channelId: string; seqs: number[] }>();
      for (const ref of refs) {
        const seq = Number(ref.key.slice(ref.key.lastIndexOf(':') + 1));
        const channelId = ref.channelId!;
        const block = `${channelId}:${ctx.messages.blockOf(seq)}`;
        const entry = wanted.get(block) ?? { channelId, seqs: [] };
        entry.seqs.push(seq);
        wanted.set(block, entry);
      }
      for (const { channelId, seqs } of wanted.values()) {
        const block = ctx.messages.blockOf(seqs[0]!);
        const found = await ctx.messages.collection(channelId, block).find({ _id: { $in: seqs.map((seq) => `${channelId}:${seq}`) } }).toArray();
        for (const message of found) {
          if (message.deleted || (hiddenByModerators(message) && !isModerator(actor))) continue;
          const channel = channels.get(channelId);
          const space = channel ? spaces.get(String(channel.spaceId)) : undefined;
          if (!channel || !space) continue;
          // What this reader reads on the message itself: the redacted text, unless a moderator.
          const shown = moderatedView(message.moderation, message, { isModerator: isModerator(actor) });
          out.set(messageSearchKey(channelId, message.seq), {
            title: `#${channel.name} · ${space.name}`,
            // Snippets are plain text: Markdown's emphasis and code marks would only be noise.
            text: shown.source.replace(/\*\*|__|~~|`+/g, ''),
            link: `/channels/${channelId}#${message.seq}`,
            concealed: message.moderation?.visibility === 'warning',
          });
        }
      }
      return out;
    },
  };
}

/**
 * Hands a stored message to the index: a new one is queued (the sender's reply does not wait for
 * it); with `now` (an edit, a deletion, a moderation action) it is written before this resolves, so
 * words that are gone are never found. Never throws: the message is stored whatever happens to its
 * index entry.
 */
export async function indexMessage(ctx: AppContext, message: MessageDoc, spaceId: string | Types.ObjectId, options: { now?: boolean } = {}): Promise<void> {
  const job = message.deleted ? ctx.search.remove(messageSearchKey(message.channelId, message.seq), options) : ctx.search.index(messageSearchDocument(message, spaceId), options);
  await job.catch((error: unknown) => ctx.logger.error({ err: error }, 'search: could not queue a message'));
}
