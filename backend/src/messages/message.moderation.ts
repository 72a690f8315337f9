import type { AppContext } from '../context.ts';
import type { ModeratableItem, ModerationSource, ModerationState } from '../moderation/moderation.types.ts';
import type { Actor } from '../policy/policy.ts';
import { m } from '../http/locale.ts';
import { Rooms } from '../shared/realtime-events.ts';
import { accessChannel, type ChannelAccess } from './message.actions.ts';
import { indexMessage } from './message.search.ts';
import { presentMessage } from './message.presenter.ts';
import type { MessageDoc } from './message.store.ts';

const MESSAGE_ID = /^([0-9a-f]{24}):([1-9][0-9]{0,15})$/;

function parse(id: string): { channelId: string; seq: number } | null {
  const match = MESSAGE_ID.exec(id);
  return match ? { channelId: match[1]!, seq: Number(match[2]) } : null;
}

function toItem(access: ChannelAccess, message: MessageDoc): ModeratableItem {
  return {
    ref: { type: 'message', id: message._id },
    authorId: message.authorId,
    spaceId: String(access.space._id),
    channelId: message.channelId,
    title: (locale) => m.moderation_item_message({ channel: `#${access.channel.name}`, seq: String(message.seq) }, { locale }),
    html: message.html,
    source: message.source,
    createdAt: message.createdAt,
    moderation: message.moderation ?? null,
    link: `/channels/${message.channelId}#${message.seq}`,
  };
}

async function access(ctx: AppContext, actor: Actor, channelId: string): Promise<ChannelAccess | null> {
  try {
    return await accessChannel(ctx, actor, channelId);
  } catch {
    return null;
  }
}

/**
 * Messages as moderation sees them: `id` is `<channelId>:<seq>`. Reading follows the channel's
 * rule (a space one may not enter holds nothing one can report or moderate).
 */
export function messageModerationSource(ctx: AppContext): ModerationSource {
  return {
    type: 'message',
    async load(actor, id) {
      const ref = parse(id);
      const channel = ref && (await access(ctx, actor, ref.channelId));
      if (!ref || !channel) return null;
      const message = await ctx.messages.get(ref.channelId, ref.seq);
      return message && !message.deleted ? toItem(channel, message) : null;
    },
    async context(actor, id, around) {
      const ref = parse(id);
      const channel = ref && (await access(ctx, actor, ref.channelId));
      if (!ref || !channel) return [];
      const messages = await ctx.messages.range(ref.channelId, Math.max(1, ref.seq - around), ref.seq + around);
      return messages.filter((message) => message.seq !== ref.seq && !message.deleted).map((message) => toItem(channel, message));
    },
    async setState(id: string, state: ModerationState | null) {
      const ref = parse(id);
      if (!ref) return;
      const updated = await ctx.messages.update(ref.channelId, ref.seq, { $set: { moderation: state } });
      if (!updated) return;
      // The room holds members and moderators alike: it hears the member view (never a hidden or
      // redacted original); moderators' clients fetch the original over HTTP.
      ctx.realtime.toRoom(Rooms.channel(ref.channelId), 'message.updated', presentMessage(updated, null));
      const channel = await ctx.models.Channel.findById(ref.channelId, { spaceId: 1 }).lean();
      // Hidden stays indexed (flagged: moderators still find it); redacted words never reach the index.
      if (channel) await indexMessage(ctx, updated, channel.spaceId, { now: true });
    },
  };
}
