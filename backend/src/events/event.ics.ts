import { m } from '../http/locale.ts';
import { plainText } from '../messages/render.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import type { EventDoc } from './event.model.ts';

/** RFC 5545 TEXT escaping: backslash, semicolon, comma, and newlines as `\n`. */
export function icsText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // Continuation lines start with a space, which counts toward their 75.
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** What the calendar entry may say of where: only for people who may know it. */
export interface IcsEvent {
  event: EventDoc;
  showWhere: boolean;
}

/** The entry's texts are in the reader's language; its syntax (property names, UTC stamps) is RFC 5545's. */
function vevent({ event, showWhere }: IcsEvent, base: string, now: Date, locale: Locale): string[] {
  const id = String(event._id);
  const online = () => (showWhere && event.joinUrl ? m.events_ics_online_at({ url: event.joinUrl }, { locale }) : m.events_ics_online({}, { locale }));
  const where = event.mode === 'online' ? online() : [showWhere ? event.venue : null, event.city].filter(Boolean).join(', ');
  const notes = [
    m.events_ics_time_zone({ zone: event.timeZone }, { locale }),
    event.coHosts.length ? m.events_ics_co_hosted({ hosts: new Intl.ListFormat(locale, { type: 'unit' }).format(event.coHosts) }, { locale }) : null,
    event.chathamHouse ? m.events_ics_chatham({}, { locale }) : null,
    '',
    plainText(event.descriptionSource),
  ].filter((line) => line !== null);
  return [
    'BEGIN:VEVENT',
    `UID:${id}@convene`,
    `DTSTAMP:${stamp(now)}`,
    `DTSTART:${stamp(event.startsAt)}`,
    `DTEND:${stamp(event.endsAt)}`,
    `SUMMARY:${icsText(event.chathamHouse ? m.events_ics_summary_chatham({ title: event.title }, { locale }) : event.title)}`,
    `DESCRIPTION:${icsText(notes.join('\n'))}`,
    ...(where ? [`LOCATION:${icsText(where)}`] : []),
    `URL:${base}/events/${id}`,
    'END:VEVENT',
  ];
}

/** An iCalendar object (CRLF line ends, folded lines, escaped text), worded in `locale`. Times are UTC instants. */
export function icsCalendar(events: IcsEvent[], publicUrl: string, name: string, locale: Locale, now = new Date()): string {
  const base = publicUrl.replace(/\/$/, '');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Convene//Events//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icsText(name)}`, ...events.flatMap((item) => vevent(item, base, now, locale)), 'END:VCALENDAR'];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
