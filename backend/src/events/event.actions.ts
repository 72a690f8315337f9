import { indexEvent } from './event.search.ts';
import type { Request } from 'express';
import { toActor } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { Conflict, fieldInvalid, NotFound, type FieldIssue } from '../http/errors.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { renderMarkdown } from '../messages/render.ts';
import { canManageEvent, canSeeEvent, type Actor } from '../policy/policy.ts';
import { eventRule, type EventDoc, type Registration } from './event.model.ts';
import { addRegistration, changedStandings, countOf, decide, removeRegistration, settle, standingOf, type Standing } from './event.roster.ts';
import { checkEventShape, type CreateEventBody, type UpdateEventBody } from './event.schemas.ts';
import { m, msg } from '../http/locale.ts';
import { eventStandingBody, eventStandingTitle } from '../notifications/notification-texts.ts';

/** Events one member may create per hour, and registration changes per hour. */
export const CREATE_RATE_LIMIT = { limit: 20, windowMs: 3600_000 } as const;
export const REGISTER_RATE_LIMIT = { limit: 60, windowMs: 3600_000 } as const;
/** Compare-and-set attempts before a roster write gives up (each loser re-reads and retries at once). */
const MAX_ATTEMPTS = 200;

/** Loads an event and checks the actor may see it; "not allowed" reads exactly like "no such event". */
export async function accessEvent(ctx: AppContext, actor: Actor | undefined, eventId: string): Promise<EventDoc> {
  const event = await ctx.models.Event.findById(eventId).lean<EventDoc>();
  if (!event || !canSeeEvent(actor, eventRule(event))) throw new NotFound(msg(m.error_event_no_such));
  return event;
}

/** Like accessEvent, and the actor must be its organiser or a moderator who can see it. */
export async function accessManagedEvent(ctx: AppContext, actor: Actor, eventId: string): Promise<EventDoc> {
  const event = await accessEvent(ctx, actor, eventId);
  if (!canManageEvent(actor, eventRule(event))) throw new NotFound(msg(m.error_event_no_such));
  return event;
}

/** The events the actor may see (a small collection, read whole), soonest first. */
export async function visibleEvents(ctx: AppContext, actor: Actor): Promise<EventDoc[]> {
  const events = await ctx.models.Event.find({}).lean<EventDoc[]>();
  return events.filter((event) => canSeeEvent(actor, eventRule(event))).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** Precondition: the actor holds EventOrganise and the body has passed its schema. */
export async function doCreateEvent(ctx: AppContext, actor: Actor, body: CreateEventBody, req: Request): Promise<EventDoc> {
  await ctx.rateLimiter.hit(`event-create:member:${actor.id}`, CREATE_RATE_LIMIT.limit, CREATE_RATE_LIMIT.windowMs);
  const { description, ...rest } = body;
  const created = await ctx.models.Event.create({
    ...rest,
    organiserId: actor.id,
    descriptionSource: description,
    descriptionHtml: renderMarkdown(description),
    startsAt: new Date(body.startsAt),
    endsAt: new Date(body.endsAt),
    registrations: [],
    rev: 0,
  });
  const event = created.toObject() as EventDoc;
  await indexEvent(ctx, event);
  await ctx.audit.record({ action: 'event.created', actorId: actor.id, target: { type: 'event', id: event._id }, details: { kind: event.kind, mode: event.mode, capacity: event.capacity, audience: event.audience }, req });
  return event;
}

/**
 * One compare-and-set write of an event: `change` computes the new fields from the event as read; the
 * write lands only if nobody wrote in between (`rev`), else it is computed again from the fresh copy.
 * One document, one atomic write: the roster can never hold more registered people than places.
 */
async function casEvent(ctx: AppContext, eventId: string, change: (event: EventDoc) => Partial<EventDoc>): Promise<{ before: EventDoc; after: EventDoc }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const before = await ctx.models.Event.findById(eventId).lean<EventDoc>();
    if (!before) throw new NotFound(msg(m.error_event_no_such));
    const fields = change(before);
    const after = await ctx.models.Event.findOneAndUpdate({ _id: before._id, rev: before.rev }, { $set: fields, $inc: { rev: 1 } }, { returnDocument: 'after' }).lean<EventDoc>();
    if (after) return { before, after };
  }
  throw new Conflict(msg(m.error_event_busy), undefined, 'event_busy');
}

/**
 * After a roster write: each person whose standing changed hears it live (their own standing only,
 * never the venue or link), people whose state changed get a notification, the organiser gets the
 * new counts. Only people who may still see the event hear anything.
 */
async function announce(ctx: AppContext, before: EventDoc, after: EventDoc, actorId: string, req: Request | undefined): Promise<void> {
  const changes = changedStandings(before.registrations, after.registrations);
  const ids = [...changes.keys()];
  const members = ids.length ? await ctx.models.Member.find({ _id: trusted({ $in: ids }) }).lean<MemberDoc[]>() : [];
  const rule = eventRule(after);
  for (const member of members) {
    const id = String(member._id);
    const change = changes.get(id)!;
    if (!canSeeEvent(toActor(member), rule)) continue;
    ctx.realtime.toMember(id, 'registration.updated', { eventId: String(after._id), state: change.to.state, position: change.to.position });
    if (change.from.state !== change.to.state && id !== actorId) {
      await ctx.notifier.notify(id, { kind: 'event.registration', title: eventStandingTitle(change.to.state, after.title), body: eventStandingBody(change.to), link: `/events/${String(after._id)}` });
    }
    if (change.from.state === 'waitlisted' && change.to.state === 'registered') {
      await ctx.audit.record({ action: 'event.promoted', actorId, target: { type: 'event', id: after._id }, details: { memberId: id }, req });
    }
  }
  ctx.realtime.toMember(after.organiserId, 'event.roster_changed', { eventId: String(after._id), ...rosterCounts(after.registrations) });
}

export const rosterCounts = (registrations: readonly Registration[]) => ({
  registered: countOf(registrations, 'registered'),
  waitlisted: countOf(registrations, 'waitlisted'),
  pending: countOf(registrations, 'pending'),
});

/**
 * Registers the actor, or puts them on the waitlist, or (events under review) asks the organiser.
 * Precondition: the actor may see the event (accessEvent).
 */
export async function doRegister(ctx: AppContext, actor: Actor, event: EventDoc, req: Request): Promise<Standing> {
  await ctx.rateLimiter.hit(`event-register:member:${actor.id}`, REGISTER_RATE_LIMIT.limit, REGISTER_RATE_LIMIT.windowMs);
  const now = ctx.clock.date();
  const { before, after } = await casEvent(ctx, String(event._id), (current) => {
    if (current.endsAt <= now) throw new Conflict(msg(m.error_event_over), undefined, 'event_over');
    if (current.registrations.some((item) => item.memberId === actor.id)) throw new Conflict(msg(m.error_event_already_registered), undefined, 'already_registered');
    return { registrations: addRegistration(current.registrations, current.capacity, actor.id, current.review, now) };
  });
  const standing = standingOf(after.registrations, actor.id);
  const action = standing.state === 'registered' ? 'event.registered' : standing.state === 'waitlisted' ? 'event.waitlisted' : 'event.registration_requested';
  await ctx.audit.record({ action, actorId: actor.id, target: { type: 'event', id: after._id }, details: standing.position ? { position: standing.position } : {}, req });
  await announce(ctx, before, after, actor.id, req);
  return standing;
}

/**
 * The actor withdraws (registered, waiting or pending); a freed place goes to the head of the waitlist,
 * but only before the event ends: afterwards the roster is the record of who took part (it opens the
 * materials and the feedback), and a place freed then would give someone who waited a part they never had.
 */
export async function doCancelRegistration(ctx: AppContext, actor: Actor, event: EventDoc, req: Request): Promise<void> {
  await ctx.rateLimiter.hit(`event-register:member:${actor.id}`, REGISTER_RATE_LIMIT.limit, REGISTER_RATE_LIMIT.windowMs);
  const now = ctx.clock.date();
  let was: Standing = { state: 'none', position: null };
  const { before, after } = await casEvent(ctx, String(event._id), (current) => {
    was = standingOf(current.registrations, actor.id);
    if (was.state === 'none') throw new Conflict(msg(m.error_event_not_registered), undefined, 'not_registered');
    if (current.endsAt <= now) return { registrations: current.registrations.filter((item) => item.memberId !== actor.id) };
    return { registrations: removeRegistration(current.registrations, current.capacity, actor.id) };
  });
  await ctx.audit.record({ action: 'event.registration_cancelled', actorId: actor.id, target: { type: 'event', id: after._id }, details: { was: was.state }, req });
  await announce(ctx, before, after, actor.id, req);
}

/** An organiser decides a pending request. Precondition: accessManagedEvent. */
export async function doDecide(ctx: AppContext, actor: Actor, event: EventDoc, memberId: string, approve: boolean, req: Request): Promise<Standing> {
  const now = new Date();
  const { before, after } = await casEvent(ctx, String(event._id), (current) => {
    if (standingOf(current.registrations, memberId).state !== 'pending') throw new NotFound(msg(m.error_event_no_pending_registration));
    return { registrations: decide(current.registrations, current.capacity, memberId, approve, now) };
  });
  await ctx.audit.record({ action: 'event.registration_decided', actorId: actor.id, target: { type: 'event', id: after._id }, details: { memberId, approve }, req });
  await announce(ctx, before, after, actor.id, req);
  return standingOf(after.registrations, memberId);
}

/**
 * Edits an event. A new capacity applies at once: raising it promotes from the waitlist in order (after
 * the end too: the organiser's decision); other edits after the end promote nobody.
 * Turning review off does not decide pending requests (the organiser still does). Precondition: accessManagedEvent.
 */
export async function doUpdateEvent(ctx: AppContext, actor: Actor, event: EventDoc, body: UpdateEventBody, req: Request): Promise<EventDoc> {
  const now = ctx.clock.date();
  const { before, after } = await casEvent(ctx, String(event._id), (current) => {
    const merged = {
      mode: body.mode ?? current.mode,
      city: body.city !== undefined ? body.city : current.city,
      venue: body.venue !== undefined ? body.venue : current.venue,
      joinUrl: body.joinUrl !== undefined ? body.joinUrl : current.joinUrl,
      startsAt: body.startsAt ?? current.startsAt.toISOString(),
      endsAt: body.endsAt ?? current.endsAt.toISOString(),
    };
    const issues: FieldIssue[] = [];
    checkEventShape(merged, (path, message) => issues.push({ location: 'body', path, message }));
    if (issues.length > 0) throw fieldInvalid(issues);
    const { description, startsAt, endsAt, ...rest } = body;
    const capacity = body.capacity ?? current.capacity;
    return {
      ...rest,
      ...(description !== undefined ? { descriptionSource: description, descriptionHtml: renderMarkdown(description) } : {}),
      ...(startsAt ? { startsAt: new Date(startsAt) } : {}),
      ...(endsAt ? { endsAt: new Date(endsAt) } : {}),
      // After the end only a capacity the organiser sets moves people up (their decision); any other edit leaves the record as it is.
      registrations: current.endsAt <= now && body.capacity === undefined ? current.registrations : settle(current.registrations, capacity),
    };
  });
  await indexEvent(ctx, after);
  await ctx.audit.record({
    action: 'event.updated',
    actorId: actor.id,
    target: { type: 'event', id: after._id },
    details: { fields: Object.keys(body), ...(body.capacity !== undefined ? { capacity: { from: before.capacity, to: after.capacity } } : {}), ...(body.audience ? { audience: after.audience } : {}) },
    req,
  });
  await announce(ctx, before, after, actor.id, req);
  return after;
}
