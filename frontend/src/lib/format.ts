import type { ApplicationStatus, MemberStatus, Role, Sector } from './api/types.ts';

export const sectorLabels: Record<Sector, string> = {
  government: 'Government',
  industry: 'Industry',
  civil_society: 'Civil society',
  academia: 'Academia',
};

export const roleLabels: Record<Role, string> = {
  liaison: 'Liaison',
  moderator: 'Moderator',
  admin: 'Admin',
  organiser: 'Organiser',
  expert: 'Expert',
  triage: 'Desk triage',
};

export const memberStatusLabels: Record<MemberStatus, string> = {
  applicant: 'Applicant',
  member: 'Member',
  suspended: 'Suspended',
  lapsed: 'Access paused',
};

export const applicationStatusLabels: Record<ApplicationStatus, string> = {
  draft: 'Saved, not yet sent',
  pending: 'Waiting for review',
  needs_info: 'Question from a moderator',
  approved: 'Approved',
  rejected: 'Not approved',
};

export function sectorLabel(sector: Sector | null | undefined): string {
  return sector ? sectorLabels[sector] : '—';
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** `seconds`: for records where the order within a minute matters (the audit log). */
export function formatDateTime(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : (seconds ? dateTimeSeconds : dateTime).format(date);
}

/** "3 hours", "2 days": how long something has been waiting. */
export function formatWaiting(hours: number): string {
  if (hours < 1) return 'less than an hour';
  if (hours < 48) {
    const whole = Math.floor(hours);
    return `${whole} hour${whole === 1 ? '' : 's'}`;
  }
  const days = Math.floor(hours / 24);
  return `${days} days`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Server messages for a field are fragments ("must be at most 100 characters"): make a sentence. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

const timeOfDay = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayWithWeekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

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

/** "Today", "Yesterday" or "Monday 9 March 2026". */
export function formatDay(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(iso) === dayKey(now.toISOString())) return 'Today';
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return 'Yesterday';
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
