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
