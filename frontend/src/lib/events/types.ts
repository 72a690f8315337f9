import type { Marking } from '../alerts/types.ts';

export type RegistrationState = 'registered' | 'waitlisted' | 'pending' | 'none';

export interface Standing {
  state: RegistrationState;
  position: number | null;
}

export interface EventView {
  id: string;
  kind: 'workshop' | 'focus_group' | 'webinar';
  title: string;
  descriptionHtml: string;
  descriptionSource: string | null;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  mode: 'in_person' | 'online';
  city: string | null;
  venue: string | null;
  joinUrl: string | null;
  coHosts: string[];
  capacity: number;
  chathamHouse: boolean;
  review: boolean;
  showAttendees: boolean;
  counts: { registered: number; waitlisted: number; pending: number };
  placesLeft: number;
  own: Standing;
  canManage: boolean;
}

export interface Attendee {
  memberId: string;
  name: string;
  organisation: string | null;
  state: 'registered' | 'waitlisted' | 'pending';
  position: number | null;
  at: string | null;
}

export const kindLabels: Record<EventView['kind'], string> = { workshop: 'Workshop', focus_group: 'Focus group', webinar: 'Webinar' };

/** A time range in the reader's own zone, e.g. "Tue 15 Dec 2026, 14:00 – 17:00". */
export function readerRange(startsAt: string, endsAt: string, timeZone?: string): string {
  const format = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' });
  return format.formatRange(new Date(startsAt), new Date(endsAt));
}

export function standingText(own: Standing): string {
  switch (own.state) {
    case 'registered':
      return 'You have a place.';
    case 'waitlisted':
      return `You are number ${own.position} on the waitlist.`;
    case 'pending':
      return 'Your registration awaits the organiser.';
    default:
      return 'You are not registered.';
  }
}

export type MaterialKind = 'findings' | 'material';

export interface MaterialSummary {
  id: string;
  eventId: string;
  kind: MaterialKind;
  title: string;
  marking: Marking;
  pdf: { size: number; url: string } | null;
  createdAt: string;
  updatedAt: string;
  canManage: boolean;
}

export interface Material extends MaterialSummary {
  bodyHtml: string;
  bodySource: string | null;
}

export const FEEDBACK_WANTED = ['follow_up', 'written_guidance', 'tooling', 'peer_contacts'] as const;
export type FeedbackWanted = (typeof FEEDBACK_WANTED)[number];
export const wantedLabels: Record<FeedbackWanted, string> = {
  follow_up: 'A follow-up session',
  written_guidance: 'Written guidance',
  tooling: 'Tools or code',
  peer_contacts: 'Contacts with peers',
};

export interface FeedbackCounts {
  responses: number;
  rating: Record<'r1' | 'r2' | 'r3' | 'r4' | 'r5', number>;
  useful: { yes: number; no: number };
  wanted: Record<FeedbackWanted, number>;
}

export interface FeedbackStatus {
  open: boolean;
  canGive: boolean;
  given: boolean;
  results: FeedbackCounts | null;
}

/** What each marking means for an event's material (the event's organiser and registered participants are its recipients). */
export const materialMarkingHelp: Record<Marking, string> = {
  'TLP:CLEAR': 'Everyone who may see the event.',
  'TLP:GREEN': 'Everyone who may see the event (the community).',
  'TLP:AMBER': "The organisations of the organiser and the registered participants.",
  'TLP:AMBER+STRICT': "The organisations of the organiser and the registered participants only.",
  'TLP:RED': 'The organiser and the registered participants themselves.',
};
