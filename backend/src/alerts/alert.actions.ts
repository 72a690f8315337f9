import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { Conflict, fieldInvalid, NotFound, type FieldIssue, isDuplicateKey } from '../http/errors.ts';
import { toActor, ACTOR_FIELDS, type ActorFields } from '../auth/auth.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import { renderMarkdown } from '../messages/render.ts';
import { canManageAlert, canSeeAlert, type Actor, type TlpMarking } from '../policy/policy.ts';
import { ackId, alertRule, severityRank, TAG_FACETS, type AlertAckDoc, type AlertDoc, type Recipients, type TagFacet, type TimelineEntry } from './alert.model.ts';
import { presentAlertSummary, shownAlert, type AlertSummaryView, type AlertViewer } from './alert.presenter.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import type { AlertFilterQuery, PublishAlertBody, UpdateAlertBody, WidenMarkingBody } from './alert.schemas.ts';
import { indexAlert } from './alert.search.ts';
import { m, msg, m as notifyText, msg as notifyMsg } from '../http/locale.ts';
import { alertTitle } from '../notifications/notification-texts.ts';

const isModerator = (actor: Actor) => actor.roles.includes('moderator') || actor.roles.includes('admin');
/** How `actor` sees alerts, reading `locale` (requestLocale, or the member's own for what the server sends them). */
export const viewerOf = (actor: Actor, locale: Locale): AlertViewer => ({ isModerator: isModerator(actor), locale });

/** Markings from most restricted to most open. */
const OPENNESS: Record<TlpMarking, number> = { 'TLP:RED': 0, 'TLP:AMBER+STRICT': 1, 'TLP:AMBER': 2, 'TLP:GREEN': 3, 'TLP:CLEAR': 4 };

/**
 * Every alert `actor` may see, newest first, as `viewer` may see it (shownAlert: for members a hidden
 * alert has no title, tags or indicators, so no filter, count or suggestion can reveal them). Alerts
 * are a modest collection (README): one read, filtered by the policy.
 */
export async function visibleAlerts(ctx: AppContext, actor: Actor, viewer: AlertViewer): Promise<AlertDoc[]> {
  const alerts = await ctx.models.Alert.find({}).sort({ publishedAt: -1 }).lean<AlertDoc[]>();
  return alerts.filter((alert) => canSeeAlert(actor, alertRule(alert))).map((alert) => shownAlert(alert, viewer));
}

/** Loads one alert the actor may see; a hidden one answers exactly like a missing one. */
export async function accessAlert(ctx: AppContext, actor: Actor | undefined, alertId: string): Promise<AlertDoc> {
  const alert = await ctx.cache.alert(alertId);
  if (!alert || !canSeeAlert(actor, alertRule(alert))) throw new NotFound(msg(m.error_alert_no_such));
  return alert;
}

/** Like accessAlert, and the actor must be its author or a moderator who can see it. */
export async function accessManagedAlert(ctx: AppContext, actor: Actor, alertId: string): Promise<AlertDoc> {
  const alert = await accessAlert(ctx, actor, alertId);
  if (!canManageAlert(actor, alertRule(alert))) throw new NotFound(msg(m.error_alert_no_such));
  return alert;
}

export function filterAlerts(alerts: AlertDoc[], filter: AlertFilterQuery): AlertDoc[] {
  const from = filter.from ? new Date(filter.from).getTime() : null;
  const to = filter.to ? new Date(filter.to).getTime() : null;
  return alerts.filter(
    (alert) =>
      (!filter.severity || alert.severity === filter.severity) &&
      (!filter.status || alert.status === filter.status) &&
      (!filter.marking || alert.marking === filter.marking) &&
      (!filter.tag || TAG_FACETS.some((facet) => alert.tags[facet].includes(filter.tag!))) &&
      (from === null || alert.publishedAt.getTime() >= from) &&
      (to === null || alert.publishedAt.getTime() < to),
  );
}

/** ISO 8601 week of a date, `2026-W48`. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function weeklyCounts(alerts: AlertDoc[]) {
  const weeks = new Map<string, { week: string; low: number; medium: number; high: number; critical: number }>();
  for (const alert of alerts) {
    const week = isoWeek(alert.publishedAt);
    const row = weeks.get(week) ?? { week, low: 0, medium: 0, high: 0, critical: 0 };
    row[alert.severity] += 1;
    weeks.set(week, row);
  }
  return [...weeks.values()].sort((a, b) => a.week.localeCompare(b.week));
}

/** Tags of one facet on alerts the actor may see, most used first; never a moderator-hidden alert's (for anyone). */
export function tagSuggestions(alerts: AlertDoc[], facet: TagFacet, prefix: string): { tag: string; count: number }[] {
  const wanted = prefix.trim().toLowerCase();
  const counts = new Map<string, number>();
  for (const alert of alerts.filter((item) => item.moderation?.visibility !== 'hidden')) for (const tag of alert.tags[facet]) if (tag.startsWith(wanted)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts.entries()].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag)).slice(0, 20);
}

/** Named organisations and people must exist (people: verified members). 400 naming the field otherwise. */
async function checkRecipientsExist(ctx: AppContext, recipients: Recipients, prefix: string): Promise<void> {
  const issues: FieldIssue[] = [];
  if (recipients.organisationIds.length) {
    const found = await ctx.models.Organisation.find({ _id: trusted({ $in: recipients.organisationIds }) }, { _id: 1 }).lean();
    const known = new Set(found.map((org) => String(org._id)));
    recipients.organisationIds.forEach((id, index) => !known.has(id) && issues.push({ location: 'body', path: `${prefix}organisationIds.${index}`, message: msg(m.error_field_no_such_organisation) }));
  }
  if (recipients.memberIds.length) {
    const found = await ctx.models.Member.find({ _id: trusted({ $in: recipients.memberIds }), status: 'member' }, { _id: 1 }).lean();
    const known = new Set(found.map((member) => String(member._id)));
    recipients.memberIds.forEach((id, index) => !known.has(id) && issues.push({ location: 'body', path: `${prefix}memberIds.${index}`, message: msg(m.error_field_no_such_member) }));
  }
  if (issues.length) throw fieldInvalid(issues);
}

function audienceRecord(marking: TlpMarking, recipients: Recipients, by: string, at: Date) {
  return { marking, recipients: { organisationIds: [...recipients.organisationIds], sectors: [...recipients.sectors], memberIds: [...recipients.memberIds] }, by, at };
}

/** Publishes an alert: stored, audited, indexed, then pushed to everyone who may see it. */
export async function doPublishAlert(ctx: AppContext, actor: Actor, body: PublishAlertBody, req: Pick<Request, 'ip'>): Promise<AlertDoc> {
  await checkRecipientsExist(ctx, body.recipients, 'recipients.');
  const now = new Date();
  const created = await ctx.models.Alert.create({
    authorId: actor.id,
    title: body.title,
    summarySource: body.summary,
    summaryHtml: renderMarkdown(body.summary),
    severity: body.severity,
    status: body.status,
    marking: body.marking,
    recipients: body.recipients,
    tags: body.tags,
    indicators: body.indicators,
    timeline: [],
    markingHistory: [audienceRecord(body.marking, body.recipients, actor.id, now)],
    moderation: null,
    publishedAt: now,
    updatedAt: now,
  });
  const alert = created.toObject() as AlertDoc;
  await ctx.audit.record({ action: 'alert.published', actorId: actor.id, target: { type: 'alert', id: alert._id }, details: { marking: alert.marking, severity: alert.severity }, req });
  await indexAlert(ctx, alert);
  await fanOut(ctx, alert, 'created', actor.id);
  return alert;
}

/** Appends a timeline entry (text, and any change of severity or status); nothing changes silently. */
export async function doUpdateAlert(ctx: AppContext, actor: Actor, alertId: string, body: UpdateAlertBody, req: Pick<Request, 'ip'>): Promise<AlertDoc> {
  const alert = await accessManagedAlert(ctx, actor, alertId);
  const entry: TimelineEntry = {
    id: randomUUID(),
    authorId: actor.id,
    at: new Date(),
    source: body.text,
    html: renderMarkdown(body.text),
    changes: {
      severity: body.severity && body.severity !== alert.severity ? { from: alert.severity, to: body.severity } : null,
      status: body.status && body.status !== alert.status ? { from: alert.status, to: body.status } : null,
      marking: null,
    },
  };
  const updated = await ctx.models.Alert.findOneAndUpdate(
    { _id: alert._id },
    { $push: { timeline: entry }, $set: { severity: body.severity ?? alert.severity, status: body.status ?? alert.status, updatedAt: entry.at } },
    { returnDocument: 'after' },
  ).lean<AlertDoc>();
  if (!updated) throw new NotFound(msg(m.error_alert_no_such));
  await ctx.audit.record({ action: 'alert.updated', actorId: actor.id, target: { type: 'alert', id: alert._id }, details: { severity: entry.changes.severity, status: entry.changes.status }, req });
  await indexAlert(ctx, updated);
  await fanOut(ctx, updated, 'updated', actor.id);
  return updated;
}

/**
 * Would everyone who could see an alert under `before` still see it under `after`? Markings may
 * only open up (RED → AMBER+STRICT → AMBER → GREEN → CLEAR) and recipients only be added: what was
 * shared cannot be unshared, so a narrowing would pretend earlier readers never saw it.
 */
async function keepsEveryViewer(ctx: AppContext, before: { marking: TlpMarking; recipients: Recipients }, after: { marking: TlpMarking; recipients: Recipients }): Promise<boolean> {
  if (OPENNESS[after.marking] < OPENNESS[before.marking]) return false;
  if (after.marking === 'TLP:CLEAR' || after.marking === 'TLP:GREEN') return true;
  const orgs = new Set(after.recipients.organisationIds);
  const sectors = new Set(after.marking === 'TLP:AMBER' ? after.recipients.sectors : []);
  const people = new Set(after.marking === 'TLP:RED' ? after.recipients.memberIds : []);
  switch (before.marking) {
    case 'TLP:RED': {
      if (after.marking === 'TLP:RED') return before.recipients.memberIds.every((id) => people.has(id));
      const members = await ctx.models.Member.find({ _id: trusted({ $in: before.recipients.memberIds }) }).lean<MemberDoc[]>();
      return members.length === before.recipients.memberIds.length && members.every((member) => (member.organisationId && orgs.has(String(member.organisationId))) || (member.sector && sectors.has(member.sector)));
    }
    case 'TLP:AMBER+STRICT':
    case 'TLP:AMBER': {
      if (!before.recipients.sectors.every((sector) => sectors.has(sector))) return false;
      const missing = before.recipients.organisationIds.filter((id) => !orgs.has(id));
      if (missing.length === 0) return true;
      const organisations = await ctx.models.Organisation.find({ _id: trusted({ $in: missing }) }).lean<OrganisationDoc[]>();
      return organisations.length === missing.length && organisations.every((org) => sectors.has(org.sector));
    }
    default:
      return false;
  }
}

/** Widens who may see an alert (author or a moderator who can see it); recorded on the alert and audited. */
export async function doWidenMarking(ctx: AppContext, actor: Actor, alertId: string, body: WidenMarkingBody, req: Pick<Request, 'ip'>): Promise<AlertDoc> {
  const alert = await accessManagedAlert(ctx, actor, alertId);
  await checkRecipientsExist(ctx, body.recipients, 'recipients.');
  const same =
    body.marking === alert.marking &&
    (['organisationIds', 'sectors', 'memberIds'] as const).every((key) => body.recipients[key].length === alert.recipients[key].length && body.recipients[key].every((value: string) => (alert.recipients[key] as string[]).includes(value)));
  if (same) throw new Conflict(msg(m.error_alert_marking_unchanged), undefined, 'marking_unchanged');
  if (!(await keepsEveryViewer(ctx, alert, body))) {
    throw new Conflict(
      msg(m.error_alert_marking_narrowed),
      { from: alert.marking, to: body.marking },
      'marking_narrowed',
    );
  }
  const at = new Date();
  const entry: TimelineEntry = {
    id: randomUUID(),
    authorId: actor.id,
    at,
    source: '',
    html: '',
    changes: { severity: null, status: null, marking: body.marking !== alert.marking ? { from: alert.marking, to: body.marking } : null },
  };
  const updated = await ctx.models.Alert.findOneAndUpdate(
    { _id: alert._id },
    { $set: { marking: body.marking, recipients: body.recipients, updatedAt: at }, $push: { markingHistory: audienceRecord(body.marking, body.recipients, actor.id, at), timeline: entry } },
    { returnDocument: 'after' },
  ).lean<AlertDoc>();
  if (!updated) throw new NotFound(msg(m.error_alert_no_such));
  await ctx.audit.record({
    action: 'alert.marking_widened',
    actorId: actor.id,
    target: { type: 'alert', id: alert._id },
    details: { from: alert.marking, to: body.marking, organisations: body.recipients.organisationIds.length, sectors: body.recipients.sectors, people: body.recipients.memberIds.length },
    req,
  });
  await indexAlert(ctx, updated);
  await fanOut(ctx, updated, 'updated', actor.id);
  return updated;
}

/** Does an alert match a member's subscriptions (any facet: a shared tag at or above its minimum severity)? */
export function matchesSubscription(alert: AlertDoc, facets: Record<TagFacet, { tags: string[]; minSeverity: AlertDoc['severity'] }> | undefined): boolean {
  if (!facets) return false;
  return TAG_FACETS.some((facet) => {
    const wanted = facets[facet];
    return wanted && wanted.tags.some((tag) => alert.tags[facet].includes(tag)) && severityRank(alert.severity) >= severityRank(wanted.minSeverity);
  });
}

/** Verified members, as the policy sees them (the members collection is small). */
async function memberActors(ctx: AppContext): Promise<Actor[]> {
  return (await memberReaders(ctx)).map((reader) => reader.actor);
}

/** The same, each with the language they read (their profile's choice, else the base language). */
async function memberReaders(ctx: AppContext): Promise<{ actor: Actor; locale: Locale }[]> {
  const members = await ctx.models.Member.find({ status: 'member' }, { ...ACTOR_FIELDS, locale: 1 }).lean<(ActorFields & Pick<MemberDoc, 'locale'>)[]>();
  return members.map((member) => ({ actor: toActor(member), locale: member.locale ?? baseLocale }));
}

/**
 * After a stored change: every member who may see the alert gets the live event in their own room
 * (nobody else hears of it); those whose subscriptions match also get a notification. The person
 * who made the change is not notified of it.
 */
export async function fanOut(ctx: AppContext, alert: AlertDoc, change: 'created' | 'updated', byId: string | null): Promise<void> {
  const rule = alertRule(alert);
  const [readers, subscriptions] = await Promise.all([memberReaders(ctx), ctx.models.AlertSubscription.find({}, { facets: 1 }).lean()]);
  const facetsOf = new Map(subscriptions.map((sub) => [String(sub._id), sub.facets]));
  // Each person hears of it as they may see it: members get a hidden alert's marker, not its title or tags.
  // (A hidden alert's marker is worded in each member's language: one summary per kind of viewer and language.)
  const summaries = new Map<string, AlertSummaryView>();
  const summaryFor = (viewer: AlertViewer) => {
    const key = `${viewer.isModerator}:${viewer.locale}`;
    if (!summaries.has(key)) summaries.set(key, presentAlertSummary(alert, viewer));
    return summaries.get(key)!;
  };
  const hidden = alert.moderation?.visibility === 'hidden';
  const critical = alert.severity === 'critical' && alert.status === 'active' && !hidden;
  for (const { actor, locale } of readers) {
    if (!canSeeAlert(actor, rule)) continue;
    const matched = actor.id !== byId && !hidden && matchesSubscription(alert, facetsOf.get(actor.id));
    const summary = summaryFor(viewerOf(actor, locale));
    ctx.realtime.toMember(actor.id, change === 'created' ? 'alert.created' : 'alert.updated', { ...summary, matchesSubscription: matched });
    if (matched) {
      await ctx.notifier.notify(actor.id, {
        kind: change === 'created' ? 'alert.published' : 'alert.updated',
        title: alertTitle(change === 'created' ? 'created' : 'updated', alert),
        body: notifyMsg(notifyText.notify_alert_matches),
        link: `/alerts/${String(alert._id)}`,
      }, { tlp: alert.marking, skip: critical });
    }
  }
  // Critical and active: mailed to everyone away who may see it, once per member (not only subscribers).
  if (critical) await ctx.notificationMail.criticalAlert(alert, byId);
}

/** The actor's organisation's answer, or null. */
export async function ownAck(ctx: AppContext, actor: Actor, alertId: string): Promise<AlertAckDoc | null> {
  if (!actor.organisationId) return null;
  return ctx.cache.alertAck(ackId(alertId, actor.organisationId));
}

/** Answers one member may give per hour, over all alerts (each is audited and fans out to sockets). */
export const ACK_RATE_LIMIT = { limit: 60, windowMs: 3600_000 } as const;
/** Earlier answers kept per organisation and alert: the newest ones (the audit log keeps every change). */
export const ACK_HISTORY_LIMIT = 50;

/** A member answers for their organisation; a later answer replaces it and keeps the earlier one (the last ACK_HISTORY_LIMIT). */
export async function doAcknowledge(ctx: AppContext, actor: Actor, alertId: string, body: { state: AlertAckDoc['state']; note: string }, req: Pick<Request, 'ip'>): Promise<AlertAckDoc> {
  const alert = await accessAlert(ctx, actor, alertId);
  await ctx.rateLimiter.hit(`alert-ack:member:${actor.id}`, ACK_RATE_LIMIT.limit, ACK_RATE_LIMIT.windowMs);
  if (!actor.organisationId) throw new Conflict(msg(m.error_alert_no_organisation), undefined, 'no_organisation');
  const id = ackId(alertId, actor.organisationId);
  const at = new Date();
  const previous = await ctx.models.AlertAck.findById(id).lean<AlertAckDoc>();
  const answer = { state: body.state, note: body.note.trim(), by: actor.id, at };
  let ack: AlertAckDoc | null;
  if (!previous) {
    try {
      ack = (await ctx.models.AlertAck.create({ _id: id, alertId, organisationId: actor.organisationId, ...answer, history: [] })).toObject() as AlertAckDoc;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Someone from the same organisation answered at the same moment: this answer replaces theirs.
      ack = await replaceAck(ctx, id, answer);
    }
  } else {
    ack = await replaceAck(ctx, id, answer);
  }
  if (!ack) throw new NotFound(msg(m.error_alert_no_such));
  await ctx.audit.record({ action: 'alert.acknowledged', actorId: actor.id, target: { type: 'alert', id: alertId }, details: { state: body.state }, req });
  const rule = alertRule(alert);
  const payload = { alertId, organisationId: actor.organisationId, state: ack.state, at: ack.at.toISOString() };
  for (const member of await memberActors(ctx)) {
    if (canSeeAlert(member, rule) && (member.organisationId === actor.organisationId || canManageAlert(member, rule))) ctx.realtime.toMember(member.id, 'alert.acknowledged', payload);
  }
  return ack;
}

/**
 * Replaces the organisation's answer, keeping the one it replaces in a history of at most
 * ACK_HISTORY_LIMIT. FerretDB ignores `$push`'s `$slice`, so the capped history is written whole,
 * guarded by the answer it replaces (`at` and `by`): two answers at the same moment cannot both
 * record the same earlier one or lose each other; the later one tries again on the fresh document.
 */
async function replaceAck(ctx: AppContext, id: string, answer: { state: AlertAckDoc['state']; note: string; by: string; at: Date }): Promise<AlertAckDoc | null> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = await ctx.models.AlertAck.findById(id).lean<AlertAckDoc>();
    if (!current) return null;
    const history = [...current.history, { state: current.state, note: current.note, by: current.by, at: current.at }].slice(-ACK_HISTORY_LIMIT);
    const replaced = await ctx.models.AlertAck.findOneAndUpdate({ _id: id, at: current.at, by: current.by }, { $set: { ...answer, history } }, { returnDocument: 'after' }).lean<AlertAckDoc>();
    if (replaced) return replaced;
  }
  throw new Conflict(msg(m.error_alert_ack_conflict), undefined, 'ack_conflict');
}

export interface BoardRow {
  organisationId: string;
  name: string;
  sector: string;
  recipient: boolean;
  ack: AlertAckDoc | null;
}

/**
 * The board for an alert's author and moderators: every recipient organisation (AMBER: named ones
 * and those in named sectors; AMBER+STRICT: named ones; RED: the named people's), responded or not;
 * for CLEAR and GREEN (everyone is a recipient) the organisations that answered, and how many there are.
 * Precondition: the caller checked canManageAlert.
 */
export async function readBoard(ctx: AppContext, alert: AlertDoc): Promise<{ rows: BoardRow[]; organisations: number }> {
  const alertId = String(alert._id);
  const [acks, organisations] = await Promise.all([ctx.models.AlertAck.find({ alertId }).lean<AlertAckDoc[]>(), ctx.models.Organisation.find({}).lean<OrganisationDoc[]>()]);
  const ackOf = new Map(acks.map((ack) => [ack.organisationId, ack]));
  let recipientIds: Set<string>;
  const { organisationIds, sectors, memberIds } = alert.recipients;
  switch (alert.marking) {
    case 'TLP:AMBER':
      recipientIds = new Set([...organisationIds, ...organisations.filter((org) => sectors.includes(org.sector)).map((org) => String(org._id))]);
      break;
    case 'TLP:AMBER+STRICT':
      recipientIds = new Set(organisationIds);
      break;
    case 'TLP:RED': {
      const members = memberIds.length ? await ctx.models.Member.find({ _id: trusted({ $in: memberIds }) }).lean<MemberDoc[]>() : [];
      recipientIds = new Set(members.filter((member) => member.organisationId).map((member) => String(member.organisationId)));
      break;
    }
    default:
      recipientIds = new Set();
  }
  const open = alert.marking === 'TLP:CLEAR' || alert.marking === 'TLP:GREEN';
  const rows = organisations
    .filter((org) => recipientIds.has(String(org._id)) || ackOf.has(String(org._id)))
    .map((org) => ({ organisationId: String(org._id), name: org.name, sector: org.sector, recipient: open || recipientIds.has(String(org._id)), ack: ackOf.get(String(org._id)) ?? null }))
    .sort((a, b) => Number(Boolean(a.ack)) - Number(Boolean(b.ack)) || a.name.localeCompare(b.name));
  return { rows, organisations: open ? organisations.length : recipientIds.size };
}

/**
 * Critical, active alerts the actor may see that their organisation has not acknowledged yet (not
 * their own: an author is not asked to acknowledge what they published).
 */
export async function bannerAlerts(ctx: AppContext, actor: Actor, viewer: AlertViewer): Promise<AlertDoc[]> {
  const critical = (await visibleAlerts(ctx, actor, viewer)).filter(
    (alert) => alert.severity === 'critical' && alert.status === 'active' && alert.moderation?.visibility !== 'hidden' && alert.authorId !== actor.id,
  );
  if (critical.length === 0 || !actor.organisationId) return critical;
  const answered = await ctx.models.AlertAck.find({ _id: trusted({ $in: critical.map((alert) => ackId(String(alert._id), actor.organisationId!)) }) }, { alertId: 1 }).lean();
  const done = new Set(answered.map((ack) => ack.alertId));
  return critical.filter((alert) => !done.has(String(alert._id)));
}
