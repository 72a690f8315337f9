import { z } from 'zod';
import { m, msg, type Localized } from '../http/locale.ts';
import { inParseLocale, localized, text, worded } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { ROLES, SECTORS } from '../policy/policy.ts';
import { EVENT_KINDS, EVENT_MODES } from './event.model.ts';

export const MAX_DESCRIPTION_LENGTH = 20_000;
export const MAX_CAPACITY = 10_000;
export const MAX_CO_HOSTS = 10;

/** A named IANA zone that this runtime knows (`Europe/Berlin`, `UTC`); offsets like `+01:00` are not zones. */
export function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z.string().max(64).refine(isTimeZone, localized(m.error_event_time_zone)).describe('IANA time zone the event is held in');
const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset or Z');
const Audience = z
  .strictObject({ sectors: z.array(z.enum(SECTORS)).max(SECTORS.length), roles: z.array(z.enum(ROLES)).max(ROLES.length) })
  .describe('Who may see and register, like a space\'s access rule: empty lists mean "any"');
const HttpsUrl = text({ max: 500 })
  .pipe(z.url({ protocol: /^https$/ }))
  .describe('https link to the online meeting');

const fields = {
  kind: z.enum(EVENT_KINDS).describe('workshop, focus_group or webinar'),
  title: text({ min: 3, max: 140 }),
  description: text({ max: MAX_DESCRIPTION_LENGTH }).describe('Markdown'),
  startsAt: Instant,
  endsAt: Instant,
  timeZone: TimeZone,
  mode: z.enum(EVENT_MODES).describe('in_person or online'),
  city: text({ min: 1, max: 80 }).nullable().describe('In person: the city (shown to everyone who sees the event)'),
  venue: text({ min: 1, max: 300 }).nullable().describe('In person: the venue (shown only to registered participants)'),
  joinUrl: HttpsUrl.nullable().describe('Online: the join link (shown only to registered participants)'),
  coHosts: z.array(text({ min: 1, max: 120 })).max(MAX_CO_HOSTS).describe('Co-hosting organisations, by name'),
  capacity: z.number().int().min(1).max(MAX_CAPACITY),
  audience: Audience,
  chathamHouse: z.boolean().describe('Held under the Chatham House Rule'),
  review: z.boolean().describe('Registrations wait for an organiser to approve them'),
  showAttendees: z.boolean().describe('Registered participants see each other'),
};

type Where = { mode?: string; city?: string | null; venue?: string | null; joinUrl?: string | null; startsAt?: string; endsAt?: string };

/** Checks that need several fields at once; for an update, `merged` is the event as it would become. */
export function checkEventShape(merged: Where, report: (path: string, message: Localized) => void): void {
  if (merged.startsAt && merged.endsAt && Date.parse(merged.endsAt) <= Date.parse(merged.startsAt)) report('endsAt', msg(m.error_event_end_after_start));
  if (merged.mode === 'in_person') {
    if (!merged.city) report('city', msg(m.error_event_city_required));
    if (merged.joinUrl) report('joinUrl', msg(m.error_event_online_only));
  }
  if (merged.mode === 'online' && merged.venue) report('venue', msg(m.error_event_in_person_only));
}

export const CreateEventBody = z
  .strictObject({
    ...fields,
    description: fields.description.default(''),
    city: fields.city.default(null),
    venue: fields.venue.default(null),
    joinUrl: fields.joinUrl.default(null),
    coHosts: fields.coHosts.default([]),
    audience: Audience.default({ sectors: [], roles: [] }),
    chathamHouse: fields.chathamHouse.default(false),
    review: fields.review.default(false),
    showAttendees: fields.showAttendees.default(false),
  })
  .superRefine((body, ctx) => checkEventShape(body, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message: inParseLocale(message) })))
  .meta({ id: 'CreateEventBody' });
export type CreateEventBody = z.infer<typeof CreateEventBody>;

/** Every field optional; raising the capacity gives the new places to the waitlist at once. */
export const UpdateEventBody = z
  .strictObject({
    title: fields.title.optional(),
    kind: fields.kind.optional(),
    description: fields.description.optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    timeZone: fields.timeZone.optional(),
    mode: fields.mode.optional(),
    city: fields.city.optional(),
    venue: fields.venue.optional(),
    joinUrl: fields.joinUrl.optional(),
    coHosts: fields.coHosts.optional(),
    capacity: fields.capacity.optional(),
    audience: Audience.optional(),
    chathamHouse: fields.chathamHouse.optional(),
    review: fields.review.optional(),
    showAttendees: fields.showAttendees.optional(),
  })
  .describe('At least one field (checked once the event is found, so a hidden event answers 404 first)')
  .meta({ id: 'UpdateEventBody' });
export type UpdateEventBody = z.infer<typeof UpdateEventBody>;

export const EventParams = z.strictObject({ eventId: ObjectIdParam });
export const RegistrationParams = z.strictObject({ eventId: ObjectIdParam, memberId: ObjectIdParam });
export const DecisionBody = z.strictObject({ approve: z.boolean().describe('true: give a place (or a waitlist position); false: decline') }).meta({ id: 'RegistrationDecisionBody' });

/** The longest window `from`–`to` may span (a calendar shows a month; a year leaves room for agendas). */
export const MAX_RANGE_MS = 400 * 86_400_000;

export const EventListQuery = z
  .strictObject({
    when: z.enum(['upcoming', 'past', 'all']).default('upcoming').describe('upcoming (not yet ended), past, or all; combined with the other filters'),
    mode: z.enum(EVENT_MODES).optional().describe('in_person or online'),
    city: text({ min: 1, max: 80 }).optional().describe('Only events in this city (case-insensitive)'),
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, localized(m.error_field_month)).optional().describe('Only events starting in this month (UTC)'),
    from: Instant.optional().describe('Only events that end after this instant (a calendar page in the reader\'s zone: its first midnight)'),
    to: Instant.optional().describe('Only events that start before this instant (the next page\'s first midnight); at most 400 days after from'),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to) {
      const span = Date.parse(query.to) - Date.parse(query.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', message: worded(m.error_field_after_from), path: ['to'] });
      else if (span > MAX_RANGE_MS) ctx.addIssue({ code: 'custom', message: worded(m.error_field_range_max, { days: 400 }), path: ['to'] });
    }
  });
export type EventListQuery = z.infer<typeof EventListQuery>;

export const FeedQuery = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, localized(m.error_field_feed_token)) });
