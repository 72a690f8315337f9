import { isOpenSpace } from '../notifications/notification-mail.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, fieldInvalid, Forbidden, NotFound } from '../http/errors.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { canEnterSpace, canPostIn, isModerator, type Actor } from '../policy/policy.ts';
import { takeSlowModeTurn } from '../moderation/moderation.actions.ts';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import { Rooms } from '../shared/realtime-events.ts';

/** A claimed key whose message is not stored after this long belonged to a send that died. */
const SEND_CLAIM_TIMEOUT_MS = 30_000;
import { presentMessage } from './message.presenter.ts';
import type { SendMessageBody } from './message.schemas.ts';
import { messageId, type MessageDoc } from './message.store.ts';
import { renderMarkdown } from './render.ts';
import { indexMessage } from './message.search.ts';
import { m, msg, m as notifyText, msg as notifyMsg } from '../http/locale.ts';

export interface ChannelAccess {
  channel: ChannelDoc;
  space: SpaceDoc;
}

/**
 * Loads a channel and its space and checks that the actor may enter it. A channel in a space one
 * may not enter answers exactly like one that does not exist.
 */
export async function accessChannel(ctx: AppContext, actor: Actor | undefined, channelId: string): Promise<ChannelAccess> {
  const channel = await ctx.cache.channel(channelId);
  const space = channel ? await ctx.cache.space(channel.spaceId) : null;
  if (!channel || !space || !canEnterSpace(actor, space)) throw new NotFound(msg(m.error_no_such_channel));
  return { channel, space };
}

/** Moderators' read-only switch: sending, editing and reacting stop for everyone but moderators. */
function assertNotReadOnly(actor: Actor, channel: Pick<ChannelDoc, 'readOnly'>): void {
  if (channel.readOnly && !isModerator(actor)) throw new AppError(403, 'channel_read_only', msg(m.error_channel_read_only_by_moderators));
}

/** Serialises sends with the same idempotency key inside this process, so a fast retry waits for the first try. */
const inFlight = new Map<string, Promise<unknown>>();
async function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
  while (inFlight.has(key)) await inFlight.get(key)!.catch(() => undefined);
  const running = fn();
  inFlight.set(key, running);
  try {
    return await running;
  } finally {
    inFlight.delete(key);
  }
}

/**
 * The limit on posting, per member and per process (a token bucket: a burst, then one message per
 * interval). In memory because it sits on the path of every message; with N processes a member
 * can post at most N times the rate, which still stops a flood.
 */
export class PostingLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
  ) {}

  take(memberId: string, now = Date.now()): void {
    const bucket = this.#buckets.get(memberId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.intervalMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      throw new AppError(429, 'rate_limited', msg(m.error_message_too_fast), {
        retryAfterSeconds: Math.ceil(((1 - bucket.tokens) * this.intervalMs) / 1000),
      });
    }
    bucket.tokens -= 1;
    this.#buckets.set(memberId, bucket);
  }
}

export interface SendResult {
  message: MessageDoc;
  /** False when this was a retry of a send already stored. */
  created: boolean;
}

/**
 * Stores a message, then (and only then) broadcasts it to the channel's room. The caller has
 * validated the body. Retries with the same idempotency key return the stored message.
 */
export async function doSendMessage(
  ctx: AppContext,
  actor: Actor,
  member: MemberDoc,
  channelId: string,
  body: SendMessageBody,
  /** Access already checked for this channel (a live socket that joined it). */
  checked?: ChannelAccess,
): Promise<SendResult> {
  const { channel, space } = checked ?? (await accessChannel(ctx, actor, channelId));
  if (!canPostIn(actor, space, channel)) throw new Forbidden(msg(m.error_channel_read_only));
  // A live socket keeps its channel from the join; moderation controls change without cutting
  // sockets, so they are read fresh (from the cache layer, which every write to a channel voids).
  const controls = checked ? await ctx.cache.channel(channelId) : channel;
  const moderator = isModerator(actor);
  if (controls) assertNotReadOnly(actor, controls);
  const result = await once(`${actor.id}:${body.idempotencyKey}`, async (): Promise<SendResult> => {
    // The key is claimed first (a unique insert): of two tries with one key, in any processes,
    // exactly one stores a message; the other answers with it.
    const claim = await ctx.messages.claimSendKey(channelId, actor.id, body.idempotencyKey);
    if (!claim.claimed) {
      if (claim.seq !== null) {
        const stored = await ctx.messages.get(channelId, claim.seq);
        if (stored) return { message: stored, created: false };
      }
      const abandoned = Date.now() - claim.at.getTime() > SEND_CLAIM_TIMEOUT_MS;
      if (!abandoned || !(await ctx.messages.takeOverSendKey(channelId, actor.id, body.idempotencyKey, claim.at))) {
        throw new Conflict(msg(m.error_message_send_in_progress), undefined, 'send_in_progress');
      }
    }
    let base: Omit<MessageDoc, '_id' | 'seq' | 'createdAt'>;
    try {
      ctx.postingLimiter.take(actor.id);
      let parentSeq: number | null = null;
      if (body.parentSeq !== undefined) {
        const parent = await ctx.messages.get(channelId, body.parentSeq);
        if (!parent || parent.deleted) throw fieldInvalid([{ location: 'body', path: 'parentSeq', message: msg(m.error_message_no_parent) }]);
        parentSeq = parent.parentSeq ?? parent.seq; // threads are one level deep
      }
      const mentioned = await mentionable(ctx, space, body.mentions, actor.id);
      const html = renderMarkdown(body.text);
      // Moderators are not slowed down: they may need to speak in a channel they calmed.
      if (controls?.slowModeSeconds && !moderator) await takeSlowModeTurn(ctx, channelId, actor.id, controls.slowModeSeconds);
      base = { channelId, authorId: actor.id, source: body.text, html, parentSeq, mentions: mentioned.map((item) => String(item._id)), idempotencyKey: body.idempotencyKey, editedAt: null, history: [], deleted: null, reactions: [], pinned: false, rev: 0 };
    } catch (error) {
      // Refused before anything was stored: free the key, so a corrected retry may use it.
      await ctx.messages.releaseSendKey(channelId, actor.id, body.idempotencyKey);
      throw error;
    }

    // Claim the next free number by inserting under it; on a collision, try the next.
    // The channel's lastSeq (read a moment ago) is only where to start: a taken number is skipped.
    let seq = ctx.messages.nextCandidate(channelId, channel.lastSeq);
    let message: MessageDoc;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 10_000) throw new Error('could not claim a sequence number');
      message = { _id: messageId(channelId, seq), seq, createdAt: new Date(), ...base };
      if (await ctx.messages.tryInsert(message)) break;
      seq++;
    }
    // Stored: the room hears of it now; the bookkeeping below is not on the readers' path.
    ctx.realtime.toRoom(Rooms.channel(channelId), 'message.created', presentMessage(message!, null));
    // Queued, not awaited: indexing must not slow the send down.
    void indexMessage(ctx, message!, space._id);
    await Promise.all([
      ctx.models.Channel.updateOne({ _id: channel._id }, { $max: { lastSeq: seq } }),
      ctx.messages.completeSendKey(channelId, actor.id, body.idempotencyKey, seq),
      // What one wrote oneself is read.
      ctx.models.ReadPositions.updateOne({ _id: actor.id }, { $max: { [`channels.${channelId}`]: seq } }, { upsert: true }),
    ]);
    return { message: message!, created: true };
  });

  if (result.created) {
    await notifyParentAuthor(ctx, space, channel, member, result.message);
    for (const target of await mentionable(ctx, space, result.message.mentions, actor.id)) {
      await ctx.notifier.notify(target._id, {
        kind: 'message.mention',
        title: notifyMsg(notifyText.notify_mention, { name: member.name, channel: channel.name }),
        body: '',
        link: `/channels/${channelId}#${result.message.seq}`,
      }, { spaceOpen: isOpenSpace(space) });
    }
  }
  return result;
}

/** Mentioned members who may enter the space (nobody else learns the message exists). */
async function mentionable(ctx: AppContext, space: SpaceDoc, ids: string[], authorId: string): Promise<MemberDoc[]> {
  const wanted = [...new Set(ids)].filter((id) => id !== authorId);
  if (wanted.length === 0) return [];
  const members = await ctx.models.Member.find({ _id: trusted({ $in: wanted }) }).lean<MemberDoc[]>();
  return members.filter((member) =>
    canEnterSpace({ id: String(member._id), status: member.status, roles: member.roles, sector: member.sector, organisationId: member.organisationId ? String(member.organisationId) : null }, space),
  );
}

/** A page of history: the newest `limit` messages, or those before / after a number. */
export async function readHistory(ctx: AppContext, access: ChannelAccess, query: { before?: number; after?: number; limit: number }): Promise<{ messages: MessageDoc[]; lastSeq: number }> {
  const channelId = String(access.channel._id);
  const lastSeq = await ctx.messages.latestSeq(channelId, access.channel.lastSeq);
  let from: number;
  let to: number;
  if (query.after !== undefined) {
    from = query.after + 1;
    to = Math.min(lastSeq, query.after + query.limit);
  } else {
    to = Math.min(lastSeq, (query.before ?? lastSeq + 1) - 1);
    from = Math.max(1, to - query.limit + 1);
  }
  return { messages: await ctx.messages.range(channelId, from, to), lastSeq };
}

/** Edits keep every earlier version. Only the author edits; nobody edits a deleted message. */
export async function doEditMessage(ctx: AppContext, actor: Actor, channelId: string, seq: number, text: string): Promise<MessageDoc> {
  const { channel, space } = await accessChannel(ctx, actor, channelId);
  const message = await ctx.messages.get(channelId, seq);
  if (!message || message.deleted) throw new NotFound(msg(m.error_message_no_such));
  if (message.authorId !== actor.id) throw new Forbidden(msg(m.error_message_edit_author_only));
  // An edit would slip past a hide or a redaction: the author appeals instead.
  if (message.moderation && message.moderation.visibility !== 'warning') throw new AppError(409, 'moderated', msg(m.error_message_moderated));
  if (!canPostIn(actor, space, channel)) throw new Forbidden(msg(m.error_channel_read_only));
  assertNotReadOnly(actor, channel);
  const updated = await ctx.messages.update(channelId, seq, {
    $set: { source: text, html: renderMarkdown(text), editedAt: new Date() },
    $push: { history: { at: message.editedAt ?? message.createdAt, source: message.source, html: message.html } },
  });
  ctx.realtime.toRoom(Rooms.channel(channelId), 'message.updated', presentMessage(updated!, null));
  await indexMessage(ctx, updated!, space._id, { now: true });
  return updated!;
}

/** Soft delete by the author or a moderator: the number stays, the content goes from every view; audited. */
export async function doDeleteMessage(ctx: AppContext, actor: Actor, channelId: string, seq: number, ip: string | undefined): Promise<MessageDoc> {
  const { space } = await accessChannel(ctx, actor, channelId);
  const message = await ctx.messages.get(channelId, seq);
  if (!message || message.deleted) throw new NotFound(msg(m.error_message_no_such));
  const moderator = actor.roles.includes('moderator') || actor.roles.includes('admin');
  if (message.authorId !== actor.id && !moderator) throw new Forbidden(msg(m.error_message_delete_author_only));
  const updated = await ctx.messages.update(channelId, seq, { $set: { deleted: { at: new Date(), by: actor.id } } });
  await ctx.audit.record({
    action: 'message.deleted',
    actorId: actor.id,
    target: { type: 'message', id: messageId(channelId, seq) },
    details: { byModerator: message.authorId !== actor.id },
    req: { ip },
  });
  ctx.realtime.toRoom(Rooms.channel(channelId), 'message.updated', presentMessage(updated!, null));
  await indexMessage(ctx, updated!, space._id, { now: true });
  return updated!;
}

/** A reply notifies the author of the message replied to, if they may still read the channel. */
async function notifyParentAuthor(ctx: AppContext, space: SpaceDoc, channel: ChannelDoc, member: MemberDoc, message: MessageDoc): Promise<void> {
  if (message.parentSeq === null) return;
  const parent = await ctx.messages.get(message.channelId, message.parentSeq);
  if (!parent || parent.authorId === message.authorId || message.mentions.includes(parent.authorId)) return;
  const [author] = await mentionable(ctx, space, [parent.authorId], message.authorId);
  if (!author) return;
  await ctx.notifier.notify(author._id, {
    kind: 'message.reply',
    title: notifyMsg(notifyText.notify_reply, { name: member.name, channel: channel.name }),
    body: '',
    link: `/channels/${message.channelId}#${message.seq}`,
  }, { spaceOpen: isOpenSpace(space) });
}

/** Adds or removes the actor's reaction. Conditional on `rev`, retried on a concurrent change. */
export async function doReact(ctx: AppContext, actor: Actor, channelId: string, seq: number, emoji: string, on: boolean): Promise<MessageDoc> {
  const { space, channel } = await accessChannel(ctx, actor, channelId);
  if (!canPostIn(actor, space, channel)) throw new Forbidden(msg(m.error_channel_read_only));
  assertNotReadOnly(actor, channel);
  for (let attempt = 0; attempt < 20; attempt++) {
    const message = await ctx.messages.get(channelId, seq);
    if (!message || message.deleted) throw new NotFound(msg(m.error_message_no_such));
    const reactions = message.reactions.map((reaction) => ({ emoji: reaction.emoji, memberIds: reaction.memberIds.filter((id) => id !== actor.id || reaction.emoji !== emoji) }));
    if (on) {
      const existing = reactions.find((reaction) => reaction.emoji === emoji);
      if (existing) existing.memberIds.push(actor.id);
      else if (reactions.length >= 20) throw new Conflict(msg(m.error_message_too_many_reactions), undefined, 'too_many_reactions');
      else reactions.push({ emoji, memberIds: [actor.id] });
    }
    const next = reactions.filter((reaction) => reaction.memberIds.length > 0);
    const updated = await ctx.messages.updateIf(channelId, seq, message.rev, { $set: { reactions: next }, $inc: { rev: 1 } });
    if (updated) {
      ctx.realtime.toRoom(Rooms.channel(channelId), 'message.updated', presentMessage(updated, null));
      return updated;
    }
  }
  throw new Conflict(msg(m.error_message_busy), undefined, 'busy');
}

/** Moderators pin and unpin messages; the channel keeps the list. */
export async function doPin(ctx: AppContext, actor: Actor, channelId: string, seq: number, pinned: boolean): Promise<MessageDoc> {
  const { channel } = await accessChannel(ctx, actor, channelId);
  const message = await ctx.messages.get(channelId, seq);
  if (!message || message.deleted) throw new NotFound(msg(m.error_message_no_such));
  const updated = await ctx.messages.update(channelId, seq, { $set: { pinned } });
  await ctx.models.Channel.updateOne({ _id: channel._id }, pinned ? { $addToSet: { pinnedSeqs: seq } } : { $pull: { pinnedSeqs: seq } });
  ctx.realtime.toRoom(Rooms.channel(channelId), 'message.updated', presentMessage(updated!, null));
  return updated!;
}

export async function listPinned(ctx: AppContext, access: ChannelAccess): Promise<MessageDoc[]> {
  const channelId = String(access.channel._id);
  const messages = await Promise.all((access.channel.pinnedSeqs ?? []).map((seq) => ctx.messages.get(channelId, seq)));
  return messages.filter((message): message is MessageDoc => message !== null && message.deleted === null).sort((a, b) => a.seq - b.seq);
}
