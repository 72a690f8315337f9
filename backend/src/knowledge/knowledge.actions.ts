import { Types } from 'mongoose';
import type { AppContext } from '../context.ts';
import type { ChannelKind } from '../channels/channel.model.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, Forbidden, NotFound } from '../http/errors.ts';
import { takeSlowModeTurn } from '../moderation/moderation.actions.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { accessChannel, type ChannelAccess } from '../messages/message.actions.ts';
import { canEnterSpace, canPostIn, isModerator, type Actor } from '../policy/policy.ts';
import { Rooms, type KnowledgeChangedPayload } from '../shared/realtime-events.ts';
import type { Names, Viewer } from './knowledge.presenter.ts';
import type { Anonymity, KnowledgeItem } from './knowledge.store.ts';
import { anonymityOf } from './knowledge.anonymity.ts';
import { indexedState, moderatedView, type ModerationState } from '../moderation/moderation.types.ts';
import { m, msg, requestLocale } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import type { Request } from 'express';

export const newItemId = () => new Types.ObjectId().toHexString();

/**
 * Loads a channel of the given kind and checks the actor may enter its space. A channel one may
 * not enter, or of another kind, answers exactly like one that does not exist.
 */
export async function accessKnowledge(ctx: AppContext, actor: Actor | undefined, channelId: string, kind: ChannelKind): Promise<ChannelAccess> {
  const access = await accessChannel(ctx, actor, channelId);
  if (access.channel.kind !== kind) throw new NotFound(msg(m.error_no_such_channel));
  return access;
}

/**
 * As `accessKnowledge`, and the actor may write in it: neither channel nor space archived, and
 * the channel not made read-only by moderators (who may still write, as in discussions). Every
 * knowledge write goes through here: asking, answering, voting, accepting, sharing, commenting,
 * uploading, suggesting and editing the library.
 */
export async function accessKnowledgeForWriting(ctx: AppContext, actor: Actor, channelId: string, kind: ChannelKind): Promise<ChannelAccess> {
  const access = await accessKnowledge(ctx, actor, channelId, kind);
  if (!canPostIn(actor, access.space, access.channel)) throw new Forbidden(msg(m.error_channel_read_only));
  if (access.channel.readOnly && !isModerator(actor)) throw new AppError(403, 'channel_read_only', msg(m.error_channel_read_only_by_moderators));
  return access;
}

/**
 * Slow mode for posts (questions, answers, papers, comments), through the same per-member turn as
 * messages: one post per `slowModeSeconds` in the channel, moderators exempt; 429 otherwise.
 * Call it last before storing, once the post is known to be valid.
 */
export async function takePostingTurn(ctx: AppContext, actor: Actor, access: ChannelAccess): Promise<void> {
  if (access.channel.slowModeSeconds && !isModerator(actor)) await takeSlowModeTurn(ctx, String(access.channel._id), actor.id, access.channel.slowModeSeconds);
}

/** A member reading in a language: what the knowledge actions that answer with views are given (the routes' `readerOf`). */
export type Reader = Actor & { readonly locale: Locale };

/** The member behind a request, reading in the request's language (requestLocale). */
export const readerOf = (req: Request): Reader => ({ ...req.actor!, locale: requestLocale(req) });

export const viewerOf = (reader: Reader): Viewer => ({ id: reader.id, isModerator: isModerator(reader), locale: reader.locale });

/** Names of the authors of these items that are not anonymous (the members collection is small). */
export async function namesOf(ctx: AppContext, items: { authorId: string; anonymous?: boolean; creditId?: string | null }[]): Promise<Names> {
  const ids = new Set<string>();
  for (const item of items) {
    if (!item.anonymous) ids.add(item.authorId);
    if (item.creditId) ids.add(item.creditId);
  }
  if (ids.size === 0) return new Map();
  const members = await ctx.models.Member.find({ _id: trusted({ $in: [...ids] }) }, { name: 1 }).lean<Pick<MemberDoc, '_id' | 'name'>[]>();
  return new Map(members.map((member) => [String(member._id), member.name]));
}

/** How a post the actor makes anonymously now is signed (see Anonymity). */
export async function anonymityFor(ctx: AppContext, actor: Actor): Promise<Pick<Anonymity, 'anonLabel' | 'anonSector' | 'anonDescription'>> {
  const profile = await ctx.models.AnonymousProfile.findById(actor.id).lean();
  return anonymityOf(actor.sector, profile?.description ?? '');
}

/** Remembers an anonymous post for its author's own data export. */
export async function recordAnonymousPost(ctx: AppContext, authorId: string, post: { channelId: string; itemId: string; type: 'question' | 'answer' }): Promise<void> {
  await ctx.models.AnonymousProfile.updateOne({ _id: authorId }, { $push: { posts: { ...post, at: new Date() } }, $setOnInsert: { description: '' } }, { upsert: true });
}

/** Tells the channel's room that something changed; no content, no author (see KnowledgeChangedPayload). */
export function announce(ctx: AppContext, payload: KnowledgeChangedPayload): void {
  ctx.realtime.toRoom(Rooms.channel(payload.channelId), 'knowledge.changed', payload);
}

/** May this member (by id) still read the channel's space? Used before notifying them. */
export async function memberMayEnter(ctx: AppContext, memberId: string, access: ChannelAccess): Promise<MemberDoc | null> {
  const member = await ctx.cache.member(memberId);
  if (!member) return null;
  const actor: Actor = { id: String(member._id), status: member.status, roles: member.roles, sector: member.sector, organisationId: member.organisationId ? String(member.organisationId) : null };
  return canEnterSpace(actor, access.space) ? member : null;
}

/** Plain text for the search index: Markdown source, one line. */
export const plain = (source: string) => source.replace(/\s+/g, ' ').trim();

/**
 * What the search index may hold of an item: the text members may read, or would read were it not
 * hidden (redacted personal data never reaches the index, so no search for it can find the item),
 * and whether it is hidden (the index shows hidden items to moderators only).
 */
export function indexedText(item: { moderation: ModerationState | null; html: string; source: string }): { text: string; hidden: boolean } {
  return { text: plain(moderatedView(indexedState(item.moderation), item, { isModerator: false }).source), hidden: item.moderation?.visibility === 'hidden' };
}

/** Moderators hid this item and `viewer` is not one: what belongs to it (answers, comments) is withheld too. */
export const hiddenFrom = (item: { moderation: KnowledgeItem['moderation'] }, viewer: Pick<Viewer, 'isModerator'>) => item.moderation?.visibility === 'hidden' && !viewer.isModerator;

/**
 * Nobody but moderators adds to a hidden question or paper: members would not see their own answer
 * or comment (a hidden item's replies are withheld), and the discussion is closed while it is hidden.
 */
export function assertOpenForReplies(item: { moderation: KnowledgeItem['moderation'] }, actor: Actor, what: 'question' | 'paper'): void {
  if (hiddenFrom(item, { isModerator: isModerator(actor) })) throw new Conflict(msg(what === 'question' ? m.error_question_hidden : m.error_paper_hidden), undefined, 'moderated');
}

/** An item the actor may see in a search hit or the review queue: hidden ones only for moderators. */
export const visibleToActor = (item: KnowledgeItem, actor: Actor) => item.moderation?.visibility !== 'hidden' || isModerator(actor);
