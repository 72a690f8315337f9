import type { Marking } from '../alerts/types.ts';
import { m } from '../i18n/i18n.ts';
import { formatNumber } from '../format.ts';
import { formatLocale } from '../i18n/i18n.ts';

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

// The page's language is fixed for the life of the page (changing it reloads), so these tables
// are worded once, in it, when the module loads.

export const kindLabels: Record<EventView['kind'], string> = {
  workshop: m.events_kind_workshop(),
  focus_group: m.events_kind_focus_group(),
  webinar: m.events_kind_webinar(),
};

/** A time range in the reader's own zone (or `timeZone`), in their language, e.g. "Tue 15 Dec 2026, 14:00 – 17:00". */
export function readerRange(startsAt: string, endsAt: string, timeZone?: string): string {
  const format = new Intl.DateTimeFormat(formatLocale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' });
  return format.formatRange(new Date(startsAt), new Date(endsAt));
}

export function standingText(own: Standing): string {
  switch (own.state) {
    case 'registered':
      return m.events_standing_registered();
    case 'waitlisted':
      return m.events_standing_waitlisted({ position: formatNumber(own.position ?? 0) });
    case 'pending':
      return m.events_standing_pending();
    default:
      return m.events_standing_none();
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
  follow_up: m.events_wanted_follow_up(),
  written_guidance: m.events_wanted_written_guidance(),
  tooling: m.events_wanted_tooling(),
  peer_contacts: m.events_wanted_peer_contacts(),
};

/** The counts (null until there are `shownFrom` answers, so that no one's answer can be told apart). */
export interface FeedbackCounts {
  responses: number;
  shownFrom: number;
  rating: Record<'r1' | 'r2' | 'r3' | 'r4' | 'r5', number> | null;
  useful: { yes: number; no: number } | null;
  wanted: Record<FeedbackWanted, number> | null;
}

export interface FeedbackStatus {
  open: boolean;
  canGive: boolean;
  given: boolean;
  results: FeedbackCounts | null;
}

/** What each marking means for an event's material (the event's organiser and registered participants are its recipients). */
export const materialMarkingHelp: Record<Marking, string> = {
  'TLP:CLEAR': m.events_marking_help_clear(),
  'TLP:GREEN': m.events_marking_help_green(),
  'TLP:AMBER': m.events_marking_help_amber(),
  'TLP:AMBER+STRICT': m.events_marking_help_amber_strict(),
  'TLP:RED': m.events_marking_help_red(),
};
