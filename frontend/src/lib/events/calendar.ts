/**
 * Calendar arithmetic in the reader's own zone (the browser's): a month page runs from its first
 * local midnight to the next month's, and an event sits on every local day it overlaps.
 */

/** A calendar month; `month` is 1–12. */
export interface MonthRef {
  year: number;
  month: number;
}

const pad = (value: number) => String(value).padStart(2, '0');

export const monthKey = (ref: MonthRef) => `${ref.year}-${pad(ref.month)}`;

/** `YYYY-MM-DD` of a moment, in the reader's zone. */
export const dayKey = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

export const thisMonth = (now = new Date()): MonthRef => ({ year: now.getFullYear(), month: now.getMonth() + 1 });

/** A `YYYY-MM` from the address, or null when it is missing or not a month. */
export function parseMonth(value: string | null): MonthRef | null {
  const match = value ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value) : null;
  if (!match) return null;
  const year = Number(match[1]);
  return year >= 1970 ? { year, month: Number(match[2]) } : null;
}

export function shiftMonth(ref: MonthRef, delta: number): MonthRef {
  const index = ref.year * 12 + (ref.month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** The month's first local midnight and the next month's (what the list API takes as from and to). */
export function monthRange(ref: MonthRef): { from: Date; to: Date } {
  return { from: new Date(ref.year, ref.month - 1, 1), to: new Date(ref.year, ref.month, 1) };
}

/** The weekday weeks start on for this locale (0 Sunday … 6 Saturday); Monday where the browser cannot say. */
export function firstWeekday(tag?: string): number {
  try {
    const info = new Intl.Locale(tag ?? new Intl.DateTimeFormat().resolvedOptions().locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
    const firstDay = info.getWeekInfo?.().firstDay ?? info.weekInfo?.firstDay;
    if (firstDay) return firstDay % 7;
  } catch {
    // An unknown locale tag: fall through.
  }
  return 1;
}

/** Weekday names in display order, in `tag`'s language, short for the column header and long for its `abbr`. */
export function weekdayNames(firstDay: number, tag: string): { short: string; long: string }[] {
  const short = new Intl.DateTimeFormat(tag, { weekday: 'short' });
  const long = new Intl.DateTimeFormat(tag, { weekday: 'long' });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, index) => {
    const day = new Date(2023, 0, 1 + ((firstDay + index) % 7));
    return { short: short.format(day), long: long.format(day) };
  });
}

/** The month as rows of seven cells; cells before the first and after the last day are null. */
export function monthWeeks(ref: MonthRef, firstDay: number): (Date | null)[][] {
  const first = new Date(ref.year, ref.month - 1, 1);
  const days = new Date(ref.year, ref.month, 0).getDate();
  const cells: (Date | null)[] = Array.from({ length: (first.getDay() - firstDay + 7) % 7 }, () => null);
  for (let day = 1; day <= days; day += 1) cells.push(new Date(ref.year, ref.month - 1, day));
  while (cells.length % 7 !== 0) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, row) => cells.slice(row * 7, row * 7 + 7));
}

/**
 * The local days of `ref` an event overlaps, as `dayKey`s: one for most events, several for one
 * that runs past midnight. An event ending exactly at midnight does not reach the next day.
 */
export function eventDays(startsAt: string, endsAt: string, ref: MonthRef): string[] {
  const { from, to } = monthRange(ref);
  const start = Math.max(Date.parse(startsAt), from.getTime());
  const end = Math.min(Math.max(Date.parse(endsAt) - 1, Date.parse(startsAt)), to.getTime() - 1);
  const out: string[] = [];
  const cursor = new Date(start);
  cursor.setHours(0, 0, 0, 0);
  while (cursor.getTime() <= end && out.length < 31) {
    out.push(dayKey(cursor));
    cursor.setDate(cursor.getDate() + 1);
  }
  return out;
}
