import type { Request } from 'express';
import { toActor } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, Forbidden, Invalid, NotFound, RateLimited, isDuplicateKey } from '../http/errors.ts';
import { doReinstate, doSuspend } from '../members/member.actions.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { accessChannel } from '../messages/message.actions.ts';
import { renderMarkdown } from '../messages/render.ts';
import type { Actor, Role } from '../policy/policy.ts';
import { presentChannel } from '../spaces/space.routes.ts';
import { Rooms, type QueueEntryPayload } from '../shared/realtime-events.ts';
import { queueKey, type ActionDoc, type QueueEntryDoc, type ReportDoc, type WellbeingDoc } from './moderation.model.ts';
import { APPEALABLE, presentAction, presentItem, presentQueueEntry, presentReport } from './moderation.presenter.ts';
import type { ActionBody, ReportBody } from './moderation.schemas.ts';
import type { ContentType, ModeratableItem, ModerationSource, ModerationState } from './moderation.types.ts';
import { countEvent, recordFirstAction } from './transparency.ts';
import { m, msg } from '../http/locale.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import { appealDecidedTitle, moderationActionTitle, moderationReversedTitle, reasonLabel } from '../notifications/notification-texts.ts';

/** Reports one member may file in an hour (429 with retryAfterSeconds past it). */
export const REPORTS_PER_HOUR = 20;
/** Queue entries per page. */
export const QUEUE_PAGE_SIZE = 50;

const CONTENT_KINDS: readonly ActionDoc['kind'][] = ['hide', 'warning', 'redact'];
const today = (now = new Date()) => now.toISOString().slice(0, 10);

function sourceOf(ctx: AppContext, type: ContentType): ModerationSource {
  const source = ctx.moderation.get(type);
  if (!source) throw new NotFound(msg(m.error_moderation_no_such_item));
  return source;
}

/** The item, if it exists and `actor` may read it; otherwise NotFound, exactly as for a missing one. */
async function accessItem(ctx: AppContext, actor: Actor, type: ContentType, id: string): Promise<{ source: ModerationSource; item: ModeratableItem }> {
  const source = sourceOf(ctx, type);
  const item = await source.load(actor, id);
  if (!item) throw new NotFound(msg(m.error_moderation_no_such_item));
  return { source, item };
}

/**
 * A member reports something they can read. The report's `_id` makes a second report by the same
 * person a duplicate insert (409); the queue entry's counters rise atomically; moderators' live
 * queues hear of it. The reporter learns nothing but that the report was stored.
 */
export async function doReport(ctx: AppContext, actor: Actor, body: ReportBody): Promise<{ at: Date }> {
  const { item } = await accessItem(ctx, actor, body.type, body.id);
  // A flood of reports would bury the real ones: each member may report REPORTS_PER_HOUR items an hour.
  await ctx.rateLimiter.hit(`report:member:${actor.id}`, REPORTS_PER_HOUR, 3600_000);
  const at = new Date();
  const report: ReportDoc = { _id: `${queueKey(body.type, body.id)}:${actor.id}`, type: body.type, itemId: body.id, reporterId: actor.id, reason: body.reason, note: body.note, at };
  try {
    await ctx.models.Report.create(report);
  } catch (error) {
    if (isDuplicateKey(error)) throw new Conflict(msg(m.error_moderation_already_reported), undefined, 'already_reported');
    throw error;
  }
  const entry = await ctx.models.ModerationQueue.findOneAndUpdate(
    { _id: queueKey(body.type, body.id) },
    {
      $inc: { [`reasons.${body.reason}`]: 1, reporters: 1 },
      $set: { lastReportAt: at, state: 'open', resolvedAt: null },
      $setOnInsert: { type: body.type, itemId: body.id, authorId: item.authorId, anonymous: item.anonymous === true, firstReportAt: at, firstActionAt: null },
    },
    { upsert: true, returnDocument: 'after' },
  ).lean<QueueEntryDoc>();
  await countEvent(ctx, { report: body.reason }, at);
  // Moderators are bound by spaces (and TLP) like everyone: those who may not read the item do not hear of it.
  const blind = await moderatorsWhoCannotRead(ctx, sourceOf(ctx, body.type), body.id);
  ctx.realtime.toRoomExcept(Rooms.moderators(), blind.map(Rooms.user), 'report.created', presentQueueEntry(entry!));
  return { at };
}

/** Moderators and admins for whom the source refuses the item. Staff are few; reports are rare. */
async function moderatorsWhoCannotRead(ctx: AppContext, source: ModerationSource, id: string): Promise<string[]> {
  const staff = await ctx.models.Member.find({ status: 'member', roles: trusted({ $in: ['moderator', 'admin'] as Role[] }) }).lean<MemberDoc[]>();
  const refused = await Promise.all(staff.map(async (member) => ((await source.load(toActor(member), id)) ? null : String(member._id))));
  return refused.filter((memberId): memberId is string => memberId !== null);
}

/** The moderator's wellbeing record as of today (a new UTC day starts the count again). */
export async function wellbeingOf(ctx: AppContext, moderatorId: string): Promise<{ dailyLimit: number | null; revealsToday: number }> {
  const doc = await ctx.models.Wellbeing.findById(moderatorId).lean<WellbeingDoc>();
  return { dailyLimit: doc?.dailyLimit ?? null, revealsToday: doc && doc.day === today() ? doc.reveals : 0 };
}

export async function doSetWellbeing(ctx: AppContext, actor: Actor, dailyLimit: number | null) {
  await ctx.models.Wellbeing.updateOne({ _id: actor.id }, { $set: { dailyLimit } }, { upsert: true });
  return wellbeingOf(ctx, actor.id);
}

const limitReached = (wellbeing: { dailyLimit: number | null; revealsToday: number }) => wellbeing.dailyLimit !== null && wellbeing.revealsToday >= wellbeing.dailyLimit;

/**
 * The order moderators work in. Open: items reported as terrorist content first (legal removal
 * deadlines), then by how many members reported them, then the longest-waiting first (first
 * report, oldest first), so a flood of fresh reports cannot push an older one out of sight.
 * Resolved: the most recently resolved first.
 */
function queueOrder(state: 'open' | 'resolved') {
  if (state === 'resolved') return (a: QueueEntryDoc, b: QueueEntryDoc) => (b.resolvedAt?.getTime() ?? 0) - (a.resolvedAt?.getTime() ?? 0) || a._id.localeCompare(b._id);
  const sensitive = (entry: QueueEntryDoc) => Number((entry.reasons?.terrorist_content ?? 0) > 0);
  return (a: QueueEntryDoc, b: QueueEntryDoc) =>
    sensitive(b) - sensitive(a) || b.reporters - a.reporters || a.firstReportAt.getTime() - b.firstReportAt.getTime() || a._id.localeCompare(b._id);
}

/** The newest resolved entries the resolved view pages through (open entries are all considered). */
const RESOLVED_WINDOW = 1000;

/**
 * One page of open (or resolved) items the moderator may read, in `queueOrder`; sensitive items
 * withheld once the moderator's daily limit is reached (they take no place on the page, but count in
 * the cursor). The queue is paged over what this moderator may read: `cursor` counts the readable
 * entries before the page (`nextCursor` of the previous
 * one), so an entry they may not read takes no place in the order and no cursor value tells where
 * it sits. Readability is judged entry by entry, in order, in small batches (each check is a point
 * read of a channel, an alert…).
 */
export async function listQueue(ctx: AppContext, actor: Actor, state: 'open' | 'resolved', cursor = 0, pageSize = QUEUE_PAGE_SIZE) {
  const [all, wellbeing] = await Promise.all([
    state === 'open'
      ? ctx.models.ModerationQueue.find({ state }).lean<QueueEntryDoc[]>()
      : ctx.models.ModerationQueue.find({ state }).sort({ resolvedAt: -1 }).limit(RESOLVED_WINDOW).lean<QueueEntryDoc[]>(),
    wellbeingOf(ctx, actor.id),
  ]);
  const ordered = all.sort(queueOrder(state));
  const withholdSensitive = limitReached(wellbeing);
  const entries: QueueEntryPayload[] = [];
  let withheldSensitive = 0;
  /** Readable entries seen so far, and those of them taken by this page (listed or withheld). */
  let readableSeen = 0;
  let taken = 0;
  let more = false;
  for (let position = 0; position < ordered.length && !more; ) {
    const batch = ordered.slice(position, position + Math.max(10, Math.min(cursor + pageSize + 1 - readableSeen, 50)));
    position += batch.length;
    const readable = await Promise.all(batch.map(async (entry) => ((await ctx.moderation.get(entry.type)?.load(actor, entry.itemId)) ? entry : null)));
    for (const entry of readable) {
      if (!entry) continue;
      readableSeen++;
      if (readableSeen <= cursor) continue;
      if (entries.length >= pageSize) {
        more = true;
        break;
      }
      taken++;
      const view = presentQueueEntry(entry);
      if (withholdSensitive && view.sensitive) withheldSensitive++;
      else entries.push(view);
    }
  }
  return { entries, withheldSensitive, nextCursor: more ? cursor + taken : null, wellbeing };
}

/**
 * One item for review: the item and its neighbours (concealed when it was reported as terrorist
 * content, unless `reveal`), the reports' reasons and notes, what was done to it, and the author's
 * history. A reveal counts against the moderator's daily limit, atomically.
 */
export async function queueDetail(ctx: AppContext, actor: Actor, locale: Locale, type: ContentType, id: string, reveal: boolean, req?: Pick<Request, 'ip'>) {
  const { source, item } = await accessItem(ctx, actor, type, id);
  const key = queueKey(type, id);
  const [entry, reports, actions, history, context] = await Promise.all([
    ctx.models.ModerationQueue.findById(key).lean<QueueEntryDoc>(),
    ctx.models.Report.find({ type, itemId: id }).sort({ at: 1 }).lean<ReportDoc[]>(),
    ctx.models.ModerationAction.find({ type, itemId: id }).sort({ at: -1 }).lean<ActionDoc[]>(),
    // An anonymous author has no history here: listing it would tie their name to this item.
    item.anonymous ? Promise.resolve([] as ActionDoc[]) : ctx.models.ModerationAction.find({ authorId: item.authorId, anonymous: false }).sort({ at: -1 }).limit(50).lean<ActionDoc[]>(),
    source.context(actor, id, 3),
  ]);
  const sensitive = entry ? presentQueueEntry(entry).sensitive : false;
  if (sensitive && reveal) await takeReveal(ctx, actor, key, req);
  const concealed = sensitive && !reveal;
  return {
    entry: entry ? presentQueueEntry(entry) : null,
    item: presentItem(item, concealed, locale),
    context: context.map((neighbour) => presentItem(neighbour, concealed, locale)),
    reports: reports.map(presentReport),
    actions: actions.map(presentAction),
    authorHistory: (await readableActions(ctx, actor, history.filter((action) => !(action.type === type && action.itemId === id)))).slice(0, 20).map(presentAction),
    wellbeing: await wellbeingOf(ctx, actor.id),
  };
}

/**
 * The actions whose item `actor` may read (spaces, TLP): an action names and quotes its item, so
 * the others are not theirs to know of. Each distinct item is loaded once, all at once.
 */
async function readableActions(ctx: AppContext, actor: Actor, actions: ActionDoc[]): Promise<ActionDoc[]> {
  const keys = [...new Set(actions.map((action) => queueKey(action.type, action.itemId)))];
  const byKey = new Map(actions.map((action) => [queueKey(action.type, action.itemId), action]));
  const loaded = await Promise.all(keys.map(async (key) => [key, Boolean(await ctx.moderation.get(byKey.get(key)!.type)?.load(actor, byKey.get(key)!.itemId))] as const));
  const readable = new Set(loaded.filter(([, ok]) => ok).map(([key]) => key));
  return actions.filter((action) => readable.has(queueKey(action.type, action.itemId)));
}

async function takeReveal(ctx: AppContext, actor: Actor, key: string, req?: Pick<Request, 'ip'>): Promise<void> {
  const day = today();
  const doc = await ctx.models.Wellbeing.findById(actor.id).lean<WellbeingDoc>();
  if (!doc) await ctx.models.Wellbeing.updateOne({ _id: actor.id }, { $setOnInsert: { dailyLimit: null, day, reveals: 0 } }, { upsert: true });
  else if (doc.day !== day) await ctx.models.Wellbeing.updateOne({ _id: actor.id, day: doc.day }, { $set: { day, reveals: 0 } });
  const limit = doc?.dailyLimit ?? null;
  const filter = limit === null ? { _id: actor.id, day } : { _id: actor.id, day, reveals: trusted({ $lt: limit }) };
  const taken = await ctx.models.Wellbeing.findOneAndUpdate(filter, { $inc: { reveals: 1 } });
  if (!taken) throw new AppError(403, 'daily_limit_reached', msg(m.error_moderation_daily_limit));
  await ctx.audit.record({ action: 'moderation.revealed', actorId: actor.id, target: { type: 'content', id: key }, req });
}

function nextState(kind: ActionDoc['kind'], before: ModerationState | null, body: ActionBody, actor: Actor, at: Date): ModerationState | null {
  if (!CONTENT_KINDS.includes(kind)) return before;
  const base = { reason: body.reason, note: body.note, redactedHtml: before?.redactedHtml ?? null, redactedSource: before?.redactedSource ?? null, by: actor.id, at };
  if (kind === 'hide') return { ...base, visibility: 'hidden' };
  if (kind === 'warning') return { ...base, visibility: 'warning' };
  const text = body.redactedText!;
  return { ...base, visibility: before?.visibility ?? 'visible', redactedHtml: renderMarkdown(text), redactedSource: text };
}

/**
 * A moderator acts on an item: stores the new state (content kinds), suspends (through the
 * members' own suspension, which cuts sessions and sockets), records the action with the state
 * before and after, audits it, tells the author the reason (never who reported), resolves the
 * queue entry and counts it for the transparency report.
 */
export async function doAct(ctx: AppContext, actor: Actor, body: ActionBody, req: Request): Promise<ActionDoc> {
  const { source, item } = await accessItem(ctx, actor, body.type, body.id);
  // Nobody judges their own content, not even to dismiss reports about it: another moderator does.
  if (item.authorId === actor.id) throw new AppError(403, 'own_content', msg(m.error_moderation_own_content));
  const at = new Date();
  const before = item.moderation;
  const after = nextState(body.kind, before, body, actor, at);
  if (body.kind === 'suspend' && item.anonymous) {
    throw new Conflict(msg(m.error_moderation_anonymous_author), undefined, 'anonymous_author');
  }
  // The suspension's reason is stored once, so in the base language (with the moderator's note as written).
  if (body.kind === 'suspend') await doSuspend(ctx, actor, item.authorId, `${reasonLabel(body.reason, baseLocale)}${body.note ? `: ${body.note}` : ''}`, req);
  if (CONTENT_KINDS.includes(body.kind)) await source.setState(body.id, after);
  const action = await ctx.models.ModerationAction.create({
    type: body.type,
    itemId: body.id,
    authorId: item.authorId,
    anonymous: item.anonymous === true,
    kind: body.kind,
    reason: body.reason,
    note: body.note,
    by: actor.id,
    at,
    before,
    after,
    link: item.link,
    reversed: null,
    appeal: null,
    appealState: 'none',
  });
  await ctx.audit.record({ action: 'moderation.action', actorId: actor.id, target: { type: body.type, id: body.id }, details: { kind: body.kind, reason: body.reason, actionId: String(action._id) }, req });
  if (body.kind !== 'dismiss') {
    await ctx.notifier.notify(item.authorId, { kind: 'moderation.action', title: moderationActionTitle(body.kind, body.reason), body: body.note, link: '/moderation/mine' });
  }
  const key = queueKey(body.type, body.id);
  await ctx.models.ModerationQueue.updateOne({ _id: key }, { $set: { state: 'resolved', resolvedAt: at } });
  const first = await ctx.models.ModerationQueue.findOneAndUpdate({ _id: key, firstActionAt: null }, { $set: { firstActionAt: at } }).lean<QueueEntryDoc>();
  if (first) await recordFirstAction(ctx, (at.getTime() - first.firstReportAt.getTime()) / 1000, at);
  await countEvent(ctx, { action: body.kind }, at);
  return action.toObject();
}

function sameState(a: ModerationState | null | undefined, b: ModerationState | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.visibility === b.visibility &&
    a.reason === b.reason &&
    a.note === b.note &&
    a.redactedHtml === b.redactedHtml &&
    a.redactedSource === b.redactedSource &&
    a.by === b.by &&
    new Date(a.at).getTime() === new Date(b.at).getTime()
  );
}

const NO_SUCH_ACTION = msg(m.error_moderation_no_such_action);

/**
 * The action and its item, if `actor` may read the item (spaces, TLP). An action on an item they
 * may not read is, to them, no action at all: the same 404, code and message as a missing id, and
 * whatever its kind, before anything else about it is checked.
 */
async function accessAction(ctx: AppContext, actor: Actor, actionId: string): Promise<{ action: ActionDoc; source: ModerationSource; item: ModeratableItem }> {
  const action = await ctx.models.ModerationAction.findById(actionId).lean<ActionDoc>();
  const source = action ? ctx.moderation.get(action.type) : undefined;
  const item = action && source ? await source.load(actor, action.itemId) : null;
  if (!action || !source || !item) throw new NotFound(NO_SUCH_ACTION);
  return { action, source, item };
}

/** What must hold before an action can be undone; returns how to undo it. Precondition: `accessAction`. */
async function prepareReversal(ctx: AppContext, actor: Actor, { action, source, item }: { action: ActionDoc; source: ModerationSource; item: ModeratableItem }): Promise<() => Promise<void>> {
  if (action.by === actor.id) throw new Forbidden(msg(m.error_moderation_review_own_action));
  if (action.reversed) throw new Conflict(msg(m.error_moderation_already_reversed), undefined, 'already_reversed');
  if (CONTENT_KINDS.includes(action.kind)) {
    // Undoing an action that a later one replaced would wipe the later one out.
    if (!sameState(item.moderation, action.after)) throw new Conflict(msg(m.error_moderation_superseded), undefined, 'superseded');
    return () => source.setState(action.itemId, action.before);
  }
  if (action.kind === 'suspend') {
    const author = await ctx.cache.member(action.authorId);
    if (!author || author.status !== 'suspended') throw new Conflict(msg(m.error_moderation_not_suspended_any_more), undefined, 'not_suspended');
  }
  return async () => {
    if (action.kind === 'dismiss') await ctx.models.ModerationQueue.updateOne({ _id: queueKey(action.type, action.itemId) }, { $set: { state: 'open', resolvedAt: null } });
  };
}

async function applyReversal(ctx: AppContext, actor: Actor, action: ActionDoc, undo: () => Promise<void>, note: string, req: Request): Promise<ActionDoc> {
  const reversed = await ctx.models.ModerationAction.findOneAndUpdate(
    { _id: action._id, reversed: null },
    { $set: { reversed: { by: actor.id, at: new Date(), note } } },
    { returnDocument: 'after' },
  ).lean<ActionDoc>();
  if (!reversed) throw new Conflict(msg(m.error_moderation_already_reversed), undefined, 'already_reversed');
  await undo();
  if (action.kind === 'suspend') await doReinstate(ctx, actor, action.authorId, req);
  await ctx.audit.record({ action: 'moderation.reversed', actorId: actor.id, target: { type: action.type, id: action.itemId }, details: { kind: action.kind, actionId: String(action._id) }, req });
  if (action.kind !== 'dismiss') {
    await ctx.notifier.notify(action.authorId, { kind: 'moderation.reversed', title: moderationReversedTitle(action.kind), body: note, link: '/moderation/mine' });
  }
  await countEvent(ctx, { reversal: true });
  return reversed;
}

/** Another moderator undoes an action: the item's state goes back to exactly what it was before. */
export async function doReverse(ctx: AppContext, actor: Actor, actionId: string, note: string, req: Request): Promise<ActionDoc> {
  const access = await accessAction(ctx, actor, actionId);
  const undo = await prepareReversal(ctx, actor, access);
  return applyReversal(ctx, actor, access.action, undo, note, req);
}

/** The actions taken against the actor's content, newest first. */
export async function listOwnActions(ctx: AppContext, actor: Actor): Promise<ActionDoc[]> {
  return ctx.models.ModerationAction.find({ authorId: actor.id }).sort({ at: -1 }).limit(100).lean<ActionDoc[]>();
}

/** The author appeals an action once (a conditional update claims the one appeal). */
export async function doAppeal(ctx: AppContext, actor: Actor, actionId: string, note: string, req: Request): Promise<ActionDoc> {
  const action = await ctx.models.ModerationAction.findById(actionId).lean<ActionDoc>();
  // Someone else's action looks exactly like none at all.
  if (!action || action.authorId !== actor.id) throw new NotFound(NO_SUCH_ACTION);
  if (!APPEALABLE.includes(action.kind)) throw new Invalid(msg(m.error_moderation_not_appealable), undefined, 'not_appealable');
  if (action.reversed) throw new Conflict(msg(m.error_moderation_already_reversed), undefined, 'already_reversed');
  const updated = await ctx.models.ModerationAction.findOneAndUpdate(
    { _id: action._id, appealState: 'none' },
    { $set: { appeal: { note, at: new Date(), decision: null }, appealState: 'pending' } },
    { returnDocument: 'after' },
  ).lean<ActionDoc>();
  if (!updated) throw new Conflict(msg(m.error_moderation_already_appealed), undefined, 'already_appealed');
  await ctx.audit.record({ action: 'moderation.appealed', actorId: actor.id, target: { type: action.type, id: action.itemId }, details: { actionId }, req });
  await countEvent(ctx, { appeal: 'received' });
  return updated;
}

/** Appeals waiting, about items the moderator may read (an appeal quotes and links its item). */
export async function listPendingAppeals(ctx: AppContext, actor: Actor): Promise<ActionDoc[]> {
  const pending = await ctx.models.ModerationAction.find({ appealState: 'pending' }).sort({ at: 1 }).limit(200).lean<ActionDoc[]>();
  return readableActions(ctx, actor, pending);
}

/** A moderator other than the one who acted decides an appeal: uphold, or overturn (which reverses the action). */
export async function doDecideAppeal(ctx: AppContext, actor: Actor, actionId: string, outcome: 'uphold' | 'overturn', note: string, req: Request): Promise<ActionDoc> {
  const access = await accessAction(ctx, actor, actionId);
  const { action } = access;
  if (action.appealState !== 'pending') throw new Conflict(msg(m.error_moderation_no_pending_appeal), undefined, 'no_pending_appeal');
  if (action.by === actor.id) throw new Forbidden(msg(m.error_moderation_decide_own_appeal));
  const undo = outcome === 'overturn' ? await prepareReversal(ctx, actor, access) : null;
  const decided = await ctx.models.ModerationAction.findOneAndUpdate(
    { _id: action._id, appealState: 'pending' },
    { $set: { 'appeal.decision': { outcome: outcome === 'uphold' ? 'upheld' : 'overturned', note, by: actor.id, at: new Date() }, appealState: 'decided' } },
    { returnDocument: 'after' },
  ).lean<ActionDoc>();
  if (!decided) throw new Conflict(msg(m.error_moderation_no_pending_appeal), undefined, 'no_pending_appeal');
  await ctx.audit.record({ action: 'moderation.appeal_decided', actorId: actor.id, target: { type: action.type, id: action.itemId }, details: { actionId, outcome }, req });
  await countEvent(ctx, { appeal: outcome === 'uphold' ? 'upheld' : 'overturned' });
  await ctx.notifier.notify(action.authorId, {
    kind: 'moderation.appeal_decided',
    title: appealDecidedTitle(outcome),
    body: note,
    link: '/moderation/mine',
  });
  return undo ? applyReversal(ctx, actor, decided, undo, note, req) : decided;
}

/** Read-only, slow mode and the pinned notice, set by a moderator who may enter the channel's space. */
export async function doSetChannelControls(
  ctx: AppContext,
  actor: Actor,
  channelId: string,
  body: { readOnly?: boolean; slowModeSeconds?: number; notice?: string | null },
  req: Request,
) {
  await accessChannel(ctx, actor, channelId);
  const set: Record<string, unknown> = {};
  if (body.readOnly !== undefined) set.readOnly = body.readOnly;
  if (body.slowModeSeconds !== undefined) set.slowModeSeconds = body.slowModeSeconds;
  if (body.notice !== undefined) set.notice = body.notice && body.notice.trim() ? { source: body.notice, html: renderMarkdown(body.notice), at: new Date() } : null;
  const channel = await ctx.models.Channel.findOneAndUpdate({ _id: channelId }, { $set: set }, { returnDocument: 'after' }).lean();
  if (!channel) throw new NotFound(msg(m.error_no_such_channel));
  const view = presentChannel(channel);
  ctx.realtime.toRoom(Rooms.channel(channelId), 'channel.updated', { channelId, readOnly: view.readOnly, slowModeSeconds: view.slowModeSeconds, noticeHtml: view.noticeHtml });
  await ctx.audit.record({ action: 'channel.controls_changed', actorId: actor.id, target: { type: 'channel', id: channelId }, details: { changed: Object.keys(set), readOnly: body.readOnly, slowModeSeconds: body.slowModeSeconds }, req });
  return view;
}

/**
 * Slow mode: claims the member's next turn in a channel, or throws 429 with the seconds to wait.
 * Atomic across processes: a conditional update on the member's turn document, or its first insert.
 */
export async function takeSlowModeTurn(ctx: AppContext, channelId: string, memberId: string, seconds: number, now = new Date()): Promise<void> {
  const id = `${channelId}:${memberId}`;
  const cutoff = new Date(now.getTime() - seconds * 1000);
  if (await ctx.models.SlowModeTurn.findOneAndUpdate({ _id: id, at: trusted({ $lte: cutoff }) }, { $set: { at: now } })) return;
  try {
    await ctx.models.SlowModeTurn.create({ _id: id, at: now });
    return;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const turn = await ctx.models.SlowModeTurn.findById(id).lean();
  const wait = Math.max(1, Math.ceil(((turn?.at.getTime() ?? now.getTime()) + seconds * 1000 - now.getTime()) / 1000));
  throw new RateLimited(wait, msg(m.error_moderation_slow_mode, { count: seconds, wait }));
}
