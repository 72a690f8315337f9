import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { trimToNewest, trusted } from '../db/database.ts';
import { EVENT_KINDS, type EventDoc, type EventKind } from '../events/event.model.ts';
import { MEDIAN_SAMPLE_LIMIT, ACTION_KINDS, type TransparencyMonthDoc } from './moderation.model.ts';
import { MODERATION_REASONS } from './moderation.types.ts';

/** `YYYY-MM` of a date, in UTC. */
export const monthOf = (date: Date) => date.toISOString().slice(0, 7);

type Counter =
  | { report: string }
  | { action: string }
  | { reversal: true }
  | { appeal: 'received' | 'upheld' | 'overturned' }
  | { application: 'approved' | 'rejected' }
  | { support: 'technical' | 'legal' | 'removal_order' };

/**
 * Raises one counter of the month `at` falls in (an upsert with `$inc`: concurrent events never
 * lose a count). Called by the actions that do the counted thing, after they stored it.
 */
export async function countEvent(ctx: Pick<AppContext, 'models'>, counter: Counter, at = new Date()): Promise<void> {
  const field =
    'report' in counter
      ? `reports.${counter.report}`
      : 'action' in counter
        ? `actions.${counter.action}`
        : 'reversal' in counter
          ? 'reversals'
          : 'appeal' in counter
            ? `appeals.${counter.appeal}`
            : 'application' in counter
              ? `applications.${counter.application}`
              : `support.${counter.support}`;
  await ctx.models.TransparencyMonth.updateOne({ _id: monthOf(at) }, { $inc: { [field]: 1 } }, { upsert: true });
}

/** Keeps the time from an item's first report to the first action on it (bounded list per month). */
export async function recordFirstAction(ctx: Pick<AppContext, 'models'>, seconds: number, at = new Date()): Promise<void> {
  await ctx.models.TransparencyMonth.updateOne(
    { _id: monthOf(at) },
    { $push: { firstActionSeconds: { $each: [Math.max(0, Math.round(seconds))], $slice: -MEDIAN_SAMPLE_LIMIT } } },
    { upsert: true },
  );
  await trimToNewest(ctx.models.TransparencyMonth, monthOf(at), 'firstActionSeconds', MEDIAN_SAMPLE_LIMIT);
}

/** Keeps the time from a support request's opening to the desk's first reply (bounded list per month). */
export async function recordFirstSupportResponse(ctx: Pick<AppContext, 'models'>, seconds: number, at = new Date()): Promise<void> {
  await ctx.models.TransparencyMonth.updateOne(
    { _id: monthOf(at) },
    { $push: { supportFirstResponseSeconds: { $each: [Math.max(0, Math.round(seconds))], $slice: -MEDIAN_SAMPLE_LIMIT } } },
    { upsert: true },
  );
  await trimToNewest(ctx.models.TransparencyMonth, monthOf(at), 'supportFirstResponseSeconds', MEDIAN_SAMPLE_LIMIT);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const counts = <T extends readonly string[]>(keys: T) => z.object(Object.fromEntries(keys.map((key) => [key, z.number().int()])) as Record<T[number], z.ZodNumber>);

export const TransparencyMonth = z
  .object({
    month: z.string().describe('YYYY-MM (UTC)'),
    reports: counts(MODERATION_REASONS).describe('Reports received, by reason'),
    actions: counts(ACTION_KINDS).describe('Moderation actions taken, by type'),
    reversals: z.number().int(),
    medianSecondsToFirstAction: z.number().nullable().describe('Median time from an item’s first report to the first action on it'),
    appeals: z.object({ received: z.number().int(), upheld: z.number().int(), overturned: z.number().int() }),
    applications: z.object({ approved: z.number().int(), rejected: z.number().int() }),
    supportRequests: z
      .object({ technical: z.number().int(), legal: z.number().int(), removal_order: z.number().int() })
      .describe('Support-desk requests opened, by kind (legal removal orders counted apart from other legal requests)'),
    medianSecondsToFirstSupportResponse: z.number().nullable().describe('Median time from a support request’s opening to the desk’s first reply (replies in that month)'),
    eventsHeld: counts(EVENT_KINDS).describe('Events that have ended, by kind, in the month they started'),
    eventAttendance: z.number().int().describe('Registered participants of those events (places held when the event ended)'),
  })
  .meta({ id: 'TransparencyMonth' });
export const TransparencyReport = z.object({ generatedAt: z.string(), months: z.array(TransparencyMonth) }).meta({ id: 'TransparencyReport' });
export type TransparencyReport = z.infer<typeof TransparencyReport>;

const fill = <T extends readonly string[]>(keys: T, source: Record<string, number> | undefined) => Object.fromEntries(keys.map((key) => [key, source?.[key] ?? 0])) as Record<T[number], number>;

/** What the report needs of an event that has ended: nothing that names it. */
export interface HeldEvent {
  kind: EventKind;
  startsAt: Date;
  registered: number;
}

type EventCounts = { held: Partial<Record<EventKind, number>>; attendance: number };

function eventsByMonth(events: readonly HeldEvent[]): Map<string, EventCounts> {
  const out = new Map<string, EventCounts>();
  for (const event of events) {
    const month = monthOf(event.startsAt);
    const entry = out.get(month) ?? { held: {}, attendance: 0 };
    entry.held[event.kind] = (entry.held[event.kind] ?? 0) + 1;
    entry.attendance += event.registered;
    out.set(month, entry);
  }
  return out;
}

/** Counts only: no names, no ids, no content. Newest month first; a month with only events still shows. */
export function presentTransparency(stored: TransparencyMonthDoc[], held: readonly HeldEvent[] = []): TransparencyReport {
  const events = eventsByMonth(held);
  const months: TransparencyMonthDoc[] = [...stored, ...[...events.keys()].filter((month) => !stored.some((doc) => doc._id === month)).map((month) => ({ _id: month }) as TransparencyMonthDoc)];
  return {
    generatedAt: new Date().toISOString(),
    months: months
      .sort((a, b) => b._id.localeCompare(a._id))
      .map((month) => ({
        month: month._id,
        reports: fill(MODERATION_REASONS, month.reports),
        actions: fill(ACTION_KINDS, month.actions),
        reversals: month.reversals ?? 0,
        medianSecondsToFirstAction: median(month.firstActionSeconds ?? []),
        appeals: fill(['received', 'upheld', 'overturned'] as const, month.appeals),
        applications: fill(['approved', 'rejected'] as const, month.applications),
        supportRequests: fill(['technical', 'legal', 'removal_order'] as const, month.support),
        medianSecondsToFirstSupportResponse: median(month.supportFirstResponseSeconds ?? []),
        eventsHeld: fill(EVENT_KINDS, events.get(month._id)?.held),
        eventAttendance: events.get(month._id)?.attendance ?? 0,
      })),
  };
}

/**
 * The months collection holds one small document per month, and events are a small collection too
 * (dozens a year): reading both whole is cheap. Events are counted from what they are now, not kept
 * as counters, so an event moved or resized before it ended is counted as it was held.
 */
export async function readTransparency(ctx: Pick<AppContext, 'models'>, now = new Date()): Promise<TransparencyReport> {
  const [months, ended] = await Promise.all([
    ctx.models.TransparencyMonth.find({}).lean<TransparencyMonthDoc[]>(),
    ctx.models.Event.find({ endsAt: trusted({ $lte: now }) }, { kind: 1, startsAt: 1, registrations: 1 }).lean<Pick<EventDoc, 'kind' | 'startsAt' | 'registrations'>[]>(),
  ]);
  const held = ended.map((event) => ({ kind: event.kind, startsAt: event.startsAt, registered: event.registrations.filter((item) => item.state === 'registered').length }));
  return presentTransparency(months, held);
}
