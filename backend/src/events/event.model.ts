import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { ROLES, SECTORS, type EventRule, type Role, type Sector } from '../policy/policy.ts';

export const EVENT_KINDS = ['workshop', 'focus_group', 'webinar'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EVENT_MODES = ['in_person', 'online'] as const;
export type EventMode = (typeof EVENT_MODES)[number];
export const REGISTRATION_STATES = ['registered', 'waitlisted', 'pending'] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

/** One person's place on an event's roster. Waitlisted entries keep their order in the array. */
export interface Registration {
  memberId: string;
  state: RegistrationState;
  /** When they asked (first registration, or the moment an organiser's approval put them in line). */
  at: Date;
}

/**
 * An event. Events are a small collection (dozens a year): lists read it whole and filter by the
 * policy in memory. The roster lives in the event's own document, so every registration change is one
 * single-document write guarded by `rev` (compare-and-set): two people can never take the last place.
 */
export interface EventDoc {
  _id: Types.ObjectId;
  organiserId: string;
  kind: EventKind;
  title: string;
  descriptionSource: string;
  descriptionHtml: string;
  startsAt: Date;
  endsAt: Date;
  /** IANA zone the event is held in (times are stored as instants). */
  timeZone: string;
  mode: EventMode;
  /** In person: the city, shown to everyone who may see the event. */
  city: string | null;
  /** In person: the venue; online: the join link. Only for registered participants and managers. */
  venue: string | null;
  joinUrl: string | null;
  coHosts: string[];
  capacity: number;
  audience: { sectors: Sector[]; roles: Role[] };
  chathamHouse: boolean;
  /** Registrations wait for an organiser's decision. */
  review: boolean;
  /** Registered participants see each other. */
  showAttendees: boolean;
  registrations: Registration[];
  /** Raised by every write: the compare-and-set guard. */
  rev: number;
  createdAt: Date;
  updatedAt: Date;
}

export type EventModel = Model<EventDoc>;

export const eventRule = (event: Pick<EventDoc, 'organiserId' | 'audience'>): EventRule => ({ organiserId: event.organiserId, audience: event.audience });

const registrationSchema = new Schema<Registration>({ memberId: String, state: { type: String, enum: REGISTRATION_STATES }, at: Date }, { _id: false });

export function registerEvent(connection: Connection): EventModel {
  const schema = new Schema<EventDoc>(
    {
      organiserId: { type: String, required: true },
      kind: { type: String, enum: EVENT_KINDS, required: true },
      title: { type: String, required: true },
      descriptionSource: { type: String, default: '' },
      descriptionHtml: { type: String, default: '' },
      startsAt: { type: Date, required: true },
      endsAt: { type: Date, required: true },
      timeZone: { type: String, required: true },
      mode: { type: String, enum: EVENT_MODES, required: true },
      city: { type: String, default: null },
      venue: { type: String, default: null },
      joinUrl: { type: String, default: null },
      coHosts: { type: [String], default: [] },
      capacity: { type: Number, required: true },
      audience: {
        type: new Schema({ sectors: [{ type: String, enum: SECTORS }], roles: [{ type: String, enum: ROLES }] }, { _id: false }),
        default: () => ({ sectors: [], roles: [] }),
      },
      chathamHouse: { type: Boolean, default: false },
      review: { type: Boolean, default: false },
      showAttendees: { type: Boolean, default: false },
      registrations: { type: [registrationSchema], default: [] },
      rev: { type: Number, default: 0 },
    },
    { collection: 'events', timestamps: true },
  );
  return connection.model<EventDoc>('Event', schema);
}

/** One document per member: the hash of their personal calendar feed token (the token is shown once). */
export interface EventFeedDoc {
  _id: string;
  tokenHash: string | null;
  createdAt: Date | null;
}

export function registerEventFeed(connection: Connection): Model<EventFeedDoc> {
  const schema = new Schema<EventFeedDoc>({ _id: String, tokenHash: { type: String, default: null }, createdAt: { type: Date, default: null } }, { collection: 'event_feeds' });
  schema.index({ tokenHash: 1 });
  return connection.model<EventFeedDoc>('EventFeed', schema);
}
