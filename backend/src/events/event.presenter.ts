import { z } from 'zod';
import { canManageEvent, ROLES, SECTORS, type Actor } from '../policy/policy.ts';
import { EVENT_KINDS, EVENT_MODES, eventRule, type EventDoc } from './event.model.ts';
import { rosterCounts } from './event.actions.ts';
import { standingOf } from './event.roster.ts';

export const StandingView = z
  .object({ state: z.enum(['registered', 'waitlisted', 'pending', 'none']), position: z.number().nullable().describe('1-based waitlist position') })
  .meta({ id: 'EventStanding' });

export const EventView = z
  .object({
    id: z.string(),
    kind: z.enum(EVENT_KINDS),
    title: z.string(),
    descriptionHtml: z.string().describe('Sanitised HTML'),
    descriptionSource: z.string().nullable().describe('Markdown (managers only, for editing)'),
    startsAt: z.string(),
    endsAt: z.string(),
    timeZone: z.string(),
    mode: z.enum(EVENT_MODES),
    city: z.string().nullable(),
    venue: z.string().nullable().describe('Registered participants and managers only'),
    joinUrl: z.string().nullable().describe('Registered participants and managers only'),
    coHosts: z.array(z.string()),
    capacity: z.number(),
    audience: z.object({ sectors: z.array(z.enum(SECTORS)), roles: z.array(z.enum(ROLES)) }),
    chathamHouse: z.boolean(),
    review: z.boolean(),
    showAttendees: z.boolean(),
    counts: z.object({ registered: z.number(), waitlisted: z.number(), pending: z.number() }),
    placesLeft: z.number(),
    own: StandingView,
    canManage: z.boolean(),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof EventView>;

/** May this person learn where the event happens (venue, join link)? Registered participants and its managers. */
export function mayKnowWhere(actor: Actor, event: EventDoc): boolean {
  return standingOf(event.registrations, actor.id).state === 'registered' || canManageEvent(actor, eventRule(event));
}

/** Precondition: the actor may see the event. Venue and join link only for those who may know where. */
export function presentEvent(event: EventDoc, actor: Actor): EventView {
  const canManage = canManageEvent(actor, eventRule(event));
  const where = mayKnowWhere(actor, event);
  const counts = rosterCounts(event.registrations);
  return {
    id: String(event._id),
    kind: event.kind,
    title: event.title,
    descriptionHtml: event.descriptionHtml,
    descriptionSource: canManage ? event.descriptionSource : null,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    timeZone: event.timeZone,
    mode: event.mode,
    city: event.city,
    venue: where ? event.venue : null,
    joinUrl: where ? event.joinUrl : null,
    coHosts: event.coHosts,
    capacity: event.capacity,
    audience: { sectors: event.audience.sectors, roles: event.audience.roles },
    chathamHouse: event.chathamHouse,
    review: event.review,
    showAttendees: event.showAttendees,
    counts,
    placesLeft: Math.max(0, event.capacity - counts.registered),
    own: standingOf(event.registrations, actor.id),
    canManage,
  };
}

export const AttendeeView = z
  .object({
    memberId: z.string(),
    name: z.string(),
    organisation: z.string().nullable(),
    state: z.enum(['registered', 'waitlisted', 'pending']),
    position: z.number().nullable(),
    at: z.string().nullable().describe('When they asked (managers only)'),
  })
  .meta({ id: 'EventAttendee' });
