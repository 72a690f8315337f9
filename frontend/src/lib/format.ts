import { formatLocale, locale, m } from './i18n/i18n.ts';
import type { ApplicationStatus, MemberStatus, Role, Sector } from './api/types.ts';
import type { ConnectionState } from './realtime/connection.svelte.ts';

const SECTOR_LABELS: Record<Sector, () => string> = {
  government: m.format_sector_government,
  industry: m.format_sector_industry,
  civil_society: m.format_sector_civil_society,
  academia: m.format_sector_academia,
};

const ROLE_LABELS: Record<Role, () => string> = {
  liaison: m.format_role_liaison,
  moderator: m.format_role_moderator,
  admin: m.format_role_admin,
  organiser: m.format_role_organiser,
  expert: m.format_role_expert,
  triage: m.format_role_triage,
};

const MEMBER_STATUS_LABELS: Record<MemberStatus, () => string> = {
  applicant: m.format_member_status_applicant,
  member: m.format_member_status_member,
  suspended: m.format_member_status_suspended,
  lapsed: m.format_member_status_lapsed,
};

const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, () => string> = {
  draft: m.format_application_status_draft,
  pending: m.format_application_status_pending,
  needs_info: m.format_application_status_needs_info,
  approved: m.format_application_status_approved,
  rejected: m.format_application_status_rejected,
};

/** A sector's name in the reader's language; "—" when there is none. */
export function sectorLabel(sector: Sector | null | undefined): string {
  return sector ? SECTOR_LABELS[sector]() : '—';
}

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role]();
}

export function memberStatusLabel(status: MemberStatus): string {
  return MEMBER_STATUS_LABELS[status]();
}

export function applicationStatusLabel(status: ApplicationStatus): string {
  return APPLICATION_STATUS_LABELS[status]();
}

const CONNECTION_LABELS: Record<ConnectionState, () => string> = {
  connecting: m.format_connection_connecting,
  connected: m.format_connection_connected,
  reconnecting: m.format_connection_reconnecting,
  offline: m.format_connection_offline,
};

/** The live connection's state in words, in the header and on the status page alike. */
export function connectionLabel(state: ConnectionState): string {
  return CONNECTION_LABELS[state]();
}

const dateTime = new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(formatLocale, { dateStyle: 'medium', timeStyle: 'medium' });
const numbers = new Intl.NumberFormat(formatLocale);
const hours = new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'hour', unitDisplay: 'long' });
const days = new Intl.NumberFormat(formatLocale, { style: 'unit', unit: 'day', unitDisplay: 'long' });
const relative = new Intl.RelativeTimeFormat(formatLocale, { numeric: 'auto' });
const lists = new Intl.ListFormat(formatLocale, { style: 'long', type: 'conjunction' });
const collator = new Intl.Collator(formatLocale, { sensitivity: 'base', numeric: true });

/** A number in the reader's language ("1,234", "1 234", "١٬٢٣٤"). */
export function formatNumber(value: number): string {
  return numbers.format(value);
}

/** "a, b and c" in the reader's language. */
export function formatList(items: readonly string[]): string {
  return lists.format(items);
}

/** The same list cut into its items and the words between them, for isolating each item (NameList). */
export function listParts(items: readonly string[]): { type: 'element' | 'literal'; value: string }[] {
  return lists.formatToParts(items);
}

/** For sorting names the way the reader's language sorts them. */
export function compareText(a: string, b: string): number {
  return collator.compare(a, b);
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

const RELATIVE_STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "5 minutes ago", "in 2 days", "yesterday": how far an instant is from now. */
export function formatRelative(iso: string, now = Date.now()): string {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return iso;
  let value = (time - now) / 1000;
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), 'year');
}

/** `seconds`: for records where the order within a minute matters (the audit log). */
export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : (seconds ? dateTimeSeconds : dateTime).format(date);
}

/** "3 hours", "2 days": how long something has been waiting. */
export function formatWaiting(waited: number): string {
  if (waited < 1) return m.format_less_than_an_hour();
  if (waited < 48) return hours.format(Math.floor(waited));
  return days.format(Math.floor(waited / 24));
}

/** Server messages for a field are fragments ("must be at most 100 characters"): make a sentence. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toLocaleUpperCase(locale) + trimmed.slice(1);
  // Chinese ends a sentence with its own full stop; the others here with ".".
  return /[.!?。！？؟]$/.test(capital) ? capital : `${capital}${locale === 'zh-Hans' ? '。' : '.'}`;
}

const timeOfDay = new Intl.DateTimeFormat(formatLocale, { hour: '2-digit', minute: '2-digit' });
const dayWithWeekday = new Intl.DateTimeFormat(formatLocale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** "14:05": when a message was written (the day is in the separator above it). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeOfDay.format(date);
}

/** A local calendar day, for comparing two instants. */
export function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/** "Today", "Yesterday" or "Monday 9 March 2026", in the reader's language. */
export function formatDay(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(iso) === dayKey(now.toISOString())) return capitalise(relative.format(0, 'day'));
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return capitalise(relative.format(-1, 'day'));
  return dayWithWeekday.format(date);
}

/** Up to two initials of a name, for an avatar. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}
