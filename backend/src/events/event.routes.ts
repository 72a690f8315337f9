import { eventSearchSource } from './event.search.ts';
import { z } from 'zod';
import { toActor } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Conflict, fieldInvalid, Forbidden, NotFound } from '../http/errors.ts';
import { hashFeedToken, newFeedToken } from '../alerts/alert.feed.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import { canManageEvent, Permission } from '../policy/policy.ts';
import { accessEvent, accessManagedEvent, doCancelRegistration, doCreateEvent, doDecide, doRegister, doUpdateEvent, visibleEvents } from './event.actions.ts';
import { icsCalendar } from './event.ics.ts';
import { eventRule, type EventDoc, type EventFeedDoc } from './event.model.ts';
import { AttendeeView, EventView, mayKnowWhere, presentEvent, StandingView } from './event.presenter.ts';
import { standingOf } from './event.roster.ts';
import { CreateEventBody, DecisionBody, EventListQuery, EventParams, FeedQuery, RegistrationParams, UpdateEventBody } from './event.schemas.ts';
import { m, msg, requestLocale } from '../http/locale.ts';
import { isLocale } from '../shared/i18n/locale.ts';

const EventList = z
  .object({
    events: z.array(EventView),
    cities: z.array(z.string()).describe('The cities of every event you may see, whatever the filters (for a city filter), sorted'),
  })
  .meta({ id: 'EventList' });
const FeedStatus = z.object({ active: z.boolean(), createdAt: z.string().nullable() }).meta({ id: 'EventFeedStatus' });

function matches(event: EventDoc, query: EventListQuery, now: Date): boolean {
  if (query.when === 'upcoming' && event.endsAt <= now) return false;
  if (query.when === 'past' && event.endsAt > now) return false;
  if (query.mode && event.mode !== query.mode) return false;
  if (query.city && (event.city ?? '').toLowerCase() !== query.city.toLowerCase()) return false;
  if (query.month && event.startsAt.toISOString().slice(0, 7) !== query.month) return false;
  // A window keeps every event that overlaps it, so a workshop across midnight shows on both days.
  if (query.from && event.endsAt.getTime() <= Date.parse(query.from)) return false;
  if (query.to && event.startsAt.getTime() >= Date.parse(query.to)) return false;
  return true;
}

function sendIcs(res: import('express').Response, body: string, name: string): void {
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.ics"`);
  res.status(200).send(body);
}

export function eventOperations(ctx: AppContext): Operation[] {
  ctx.search.registerSource(eventSearchSource(ctx));
  return [
    defineOperation({
      method: 'get',
      path: '/api/events',
      operationId: 'listEvents',
      summary: 'Events your sector and roles open, soonest first, filtered by time, mode, city, month or a from–to window; with the cities of all of them',
      tags: ['events'],
      access: Permission.EventsRead,
      query: EventListQuery,
      responses: { 200: { description: 'Events', schema: EventList } },
      handler: async ({ req, query }) => {
        const now = new Date();
        const visible = await visibleEvents(ctx, req.actor!);
        const events = visible.filter((event) => matches(event, query, now));
        if (query.when === 'past') events.reverse();
        // The city is public to whoever may see the event (the venue is not), so the list of cities is too.
        const cities = [...new Set(visible.flatMap((event) => (event.mode === 'in_person' && event.city ? [event.city] : [])))].sort((a, b) => a.localeCompare(b));
        return { events: events.map((event) => presentEvent(event, req.actor!)), cities };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/events',
      operationId: 'createEvent',
      summary: 'Create a workshop, focus group or webinar (organisers and moderators); audited',
      tags: ['events'],
      access: Permission.EventOrganise,
      body: CreateEventBody,
      responses: { 201: { description: 'Created', schema: EventView } },
      handler: async ({ req, body }) => presentEvent(await doCreateEvent(ctx, req.actor!, body, req), req.actor!),
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId',
      operationId: 'getEvent',
      summary: 'One event, with your own standing; venue and join link only once you have a place',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'The event', schema: EventView } },
      handler: async ({ req, params }) => presentEvent(await accessEvent(ctx, req.actor, params.eventId), req.actor!),
    }),
    defineOperation({
      method: 'patch',
      path: '/api/events/:eventId',
      operationId: 'updateEvent',
      summary: 'Edit an event (its organiser or a moderator); a raised capacity promotes from the waitlist at once; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      body: UpdateEventBody,
      responses: { 200: { description: 'The event', schema: EventView } },
      handler: async ({ req, params, body }) => {
        const event = await accessManagedEvent(ctx, req.actor!, params.eventId);
        if (Object.keys(body).length === 0) throw fieldInvalid([{ location: 'body', path: '', message: msg(m.error_event_change_something) }]);
        return presentEvent(await doUpdateEvent(ctx, req.actor!, event, body, req), req.actor!);
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/events/:eventId/registration',
      operationId: 'registerForEvent',
      summary: 'Register: a place if one is free, else the end of the waitlist (or pending, if the event reviews registrations); 409 event_over once it has ended; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'Your standing', schema: StandingView } },
      handler: async ({ req, params }) => doRegister(ctx, req.actor!, await accessEvent(ctx, req.actor, params.eventId), req),
    }),
    defineOperation({
      method: 'delete',
      path: '/api/events/:eventId/registration',
      operationId: 'cancelEventRegistration',
      summary: 'Cancel your registration, waitlist place or request; a freed place goes to the next on the waitlist; after the event has ended a freed place goes to nobody (the roster is then the record of who took part); audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 204: { description: 'Cancelled' } },
      handler: async ({ req, params }) => doCancelRegistration(ctx, req.actor!, await accessEvent(ctx, req.actor, params.eventId), req),
    }),
    defineOperation({
      method: 'post',
      path: '/api/events/:eventId/registrations/:memberId/decision',
      operationId: 'decideEventRegistration',
      summary: 'Approve or decline a pending registration (organiser or moderator); approved ones get a place if free, else join the waitlist; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      params: RegistrationParams,
      body: DecisionBody,
      responses: { 200: { description: "The member's standing", schema: StandingView } },
      handler: async ({ req, params, body }) => doDecide(ctx, req.actor!, await accessManagedEvent(ctx, req.actor!, params.eventId), params.memberId, body.approve, req),
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/attendees',
      operationId: 'listEventAttendees',
      summary: 'Managers: everyone on the roster, waitlist in order. Registered participants: the other registered participants, if the event shows them',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'Attendees', schema: z.array(AttendeeView) } },
      handler: async ({ req, params }) => {
        const actor = req.actor!;
        const event = await accessEvent(ctx, actor, params.eventId);
        const manager = canManageEvent(actor, eventRule(event));
        if (!manager && !(event.showAttendees && standingOf(event.registrations, actor.id).state === 'registered')) throw new Forbidden(msg(m.error_event_attendees_organisers_only));
        const locale = requestLocale(req);
        const entries = manager ? event.registrations : event.registrations.filter((item) => item.state === 'registered');
        const members = entries.length ? await ctx.models.Member.find({ _id: trusted({ $in: entries.map((item) => item.memberId) }) }, { name: 1, organisationId: 1 }).lean<MemberDoc[]>() : [];
        const orgIds = [...new Set(members.flatMap((member) => (member.organisationId ? [String(member.organisationId)] : [])))];
        const orgs = orgIds.length ? await ctx.models.Organisation.find({ _id: trusted({ $in: orgIds }) }, { name: 1 }).lean<OrganisationDoc[]>() : [];
        const memberById = new Map(members.map((member) => [String(member._id), member]));
        const orgName = new Map(orgs.map((org) => [String(org._id), org.name]));
        return entries.map((item) => {
          const member = memberById.get(item.memberId);
          return {
            memberId: item.memberId,
            name: member?.name ?? m.events_attendee_former_member({}, { locale }),
            organisation: member?.organisationId ? (orgName.get(String(member.organisationId)) ?? null) : null,
            state: item.state,
            position: standingOf(event.registrations, item.memberId).position,
            at: manager ? item.at.toISOString() : null,
          };
        });
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/events/:eventId/event.ics',
      operationId: 'exportEventIcs',
      summary: 'The event as an iCalendar file; the venue or join link only once you have a place',
      tags: ['events'],
      access: Permission.EventsRead,
      params: EventParams,
      responses: { 200: { description: 'An iCalendar object', contentType: 'text/calendar' } },
      handler: async ({ req, res, params }) => {
        const event = await accessEvent(ctx, req.actor, params.eventId);
        sendIcs(res, icsCalendar([{ event, showWhere: mayKnowWhere(req.actor!, event) }], ctx.config.publicUrl, event.title, requestLocale(req)), `convene-event-${params.eventId}`);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/me/event-feed',
      operationId: 'getEventFeedStatus',
      summary: 'Whether you have a calendar feed token (the token itself is shown only once)',
      tags: ['events'],
      access: Permission.EventsRead,
      responses: { 200: { description: 'Status', schema: FeedStatus } },
      handler: async ({ req }) => {
        const feed = await ctx.models.EventFeed.findById(req.actor!.id).lean<EventFeedDoc>();
        return { active: Boolean(feed?.tokenHash), createdAt: feed?.tokenHash ? (feed.createdAt?.toISOString() ?? null) : null };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/me/event-feed',
      operationId: 'createEventFeedToken',
      summary: 'Create (or rotate) your personal calendar feed token; the previous one stops working. Shown once; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      responses: { 201: { description: 'The token and the feed address', schema: z.object({ token: z.string(), url: z.string(), createdAt: z.string() }) } },
      handler: async ({ req }) => {
        const actor = req.actor!;
        const { token, hash } = newFeedToken();
        const now = new Date();
        // One document per member holds the only valid hash: one atomic replace.
        const previous = await ctx.models.EventFeed.findOneAndUpdate({ _id: actor.id }, { $set: { tokenHash: hash, createdAt: now } }, { upsert: true, returnDocument: 'before' }).lean<EventFeedDoc>();
        await ctx.audit.record({ action: 'event.feed_token_created', actorId: actor.id, target: { type: 'member', id: actor.id }, details: { rotated: Boolean(previous?.tokenHash) }, req });
        return { token, url: `${ctx.config.publicUrl.replace(/\/$/, '')}/api/feeds/events.ics?token=${token}`, createdAt: now.toISOString() };
      },
    }),
    defineOperation({
      method: 'delete',
      path: '/api/me/event-feed',
      operationId: 'revokeEventFeedToken',
      summary: 'Revoke your calendar feed token; audited',
      tags: ['events'],
      access: Permission.EventsRead,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ req }) => {
        const actor = req.actor!;
        const feed = await ctx.models.EventFeed.findOneAndUpdate({ _id: actor.id, tokenHash: trusted({ $ne: null }) }, { $set: { tokenHash: null, createdAt: null } }, { returnDocument: 'before' }).lean<EventFeedDoc>();
        if (!feed) throw new Conflict(msg(m.error_event_no_calendar_token), undefined, 'no_feed_token');
        await ctx.audit.record({ action: 'event.feed_token_revoked', actorId: actor.id, target: { type: 'member', id: actor.id }, req });
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/feeds/events.ics',
      operationId: 'eventCalendarFeed',
      summary: 'Your iCalendar feed of the events you have a place at, by personal token (in the query string: paths are logged, query strings are not)',
      tags: ['events'],
      access: 'public',
      query: FeedQuery,
      responses: { 200: { description: 'An iCalendar object', contentType: 'text/calendar' } },
      handler: async ({ req, res, query }) => {
        const owner = await ctx.models.EventFeed.findOne({ tokenHash: hashFeedToken(query.token) }, { _id: 1 }).lean();
        const member = owner ? await ctx.cache.member(owner._id) : null;
        // A revoked token, or one whose owner is suspended or gone, answers like one that never existed.
        if (!member || member.status !== 'member') throw new NotFound(msg(m.error_no_such_feed));
        const actor = toActor(member);
        const mine = (await visibleEvents(ctx, actor)).filter((event) => standingOf(event.registrations, actor.id).state === 'registered');
        // A calendar app fetches the feed without a session: its owner's chosen language, else the request's.
        const locale = isLocale(member.locale) ? member.locale : requestLocale(req);
        sendIcs(res, icsCalendar(mine.map((event) => ({ event, showWhere: true })), ctx.config.publicUrl, m.events_ics_calendar_name({}, { locale }), locale), 'convene-events');
      },
    }),
  ];
}
