import { z } from 'zod';
import type { QueueEntryPayload } from '../shared/realtime-events.ts';
import { ACTION_KINDS, type ActionDoc, type QueueEntryDoc, type ReportDoc } from './moderation.model.ts';
import { CONTENT_TYPES, MODERATION_REASONS, type ModeratableItem } from './moderation.types.ts';
import type { Locale } from '../shared/i18n/locale.ts';

export const QueueEntryView = z
  .object({
    key: z.string().describe('`<type>:<id>`'),
    type: z.enum(CONTENT_TYPES),
    itemId: z.string(),
    reasons: z.record(z.string(), z.number()).describe('Reports per reason'),
    reporters: z.number(),
    firstReportAt: z.string(),
    lastReportAt: z.string(),
    state: z.enum(['open', 'resolved']),
    sensitive: z.boolean().describe('Reported as terrorist content: its text comes only on an explicit reveal'),
  })
  .meta({ id: 'QueueEntry' });

export function presentQueueEntry(entry: QueueEntryDoc): QueueEntryPayload {
  return {
    key: entry._id,
    type: entry.type,
    itemId: entry.itemId,
    reasons: { ...entry.reasons } as Record<string, number>,
    reporters: entry.reporters,
    firstReportAt: entry.firstReportAt.toISOString(),
    lastReportAt: entry.lastReportAt.toISOString(),
    state: entry.state,
    sensitive: (entry.reasons.terrorist_content ?? 0) > 0,
  };
}

const StateView = z.object({ visibility: z.enum(['visible', 'hidden', 'warning']), reason: z.enum(MODERATION_REASONS), redacted: z.boolean() }).nullable();
const presentState = (state: ActionDoc['before']) => (state ? { visibility: state.visibility, reason: state.reason, redacted: state.redactedHtml !== null } : null);

/** An action as moderators see it: who acted is theirs to know. */
export const ActionView = z
  .object({
    id: z.string(),
    type: z.enum(CONTENT_TYPES),
    itemId: z.string(),
    authorId: z.string().describe('Empty for an anonymous item'),
    anonymous: z.boolean(),
    kind: z.enum(ACTION_KINDS),
    reason: z.enum(MODERATION_REASONS),
    note: z.string(),
    by: z.string(),
    at: z.string(),
    before: StateView,
    after: StateView,
    link: z.string(),
    reversed: z.object({ by: z.string(), at: z.string(), note: z.string() }).nullable(),
    appeal: z
      .object({ note: z.string(), at: z.string(), decision: z.object({ outcome: z.enum(['upheld', 'overturned']), note: z.string(), by: z.string(), at: z.string() }).nullable() })
      .nullable(),
  })
  .meta({ id: 'ModerationAction' });
export type ActionView = z.infer<typeof ActionView>;

export function presentAction(action: ActionDoc): ActionView {
  return {
    id: String(action._id),
    type: action.type,
    itemId: action.itemId,
    authorId: action.anonymous ? '' : action.authorId,
    anonymous: action.anonymous === true,
    kind: action.kind,
    reason: action.reason,
    note: action.note,
    by: action.by,
    at: action.at.toISOString(),
    before: presentState(action.before),
    after: presentState(action.after),
    link: action.link,
    reversed: action.reversed ? { by: action.reversed.by, at: action.reversed.at.toISOString(), note: action.reversed.note } : null,
    appeal: action.appeal
      ? {
          note: action.appeal.note,
          at: action.appeal.at.toISOString(),
          decision: action.appeal.decision ? { ...action.appeal.decision, at: action.appeal.decision.at.toISOString() } : null,
        }
      : null,
  };
}

/** An action as its author sees it: the reason, the note and the decisions, never who acted or who reported. */
export const OwnActionView = ActionView.omit({ by: true, authorId: true, anonymous: true, before: true, after: true })
  .extend({
    reversed: z.object({ at: z.string() }).nullable(),
    appeal: z.object({ note: z.string(), at: z.string(), decision: z.object({ outcome: z.enum(['upheld', 'overturned']), note: z.string(), at: z.string() }).nullable() }).nullable(),
    appealable: z.boolean(),
  })
  .meta({ id: 'OwnModerationAction' });
export type OwnActionView = z.infer<typeof OwnActionView>;

export const APPEALABLE: readonly ActionDoc['kind'][] = ['hide', 'warning', 'redact', 'warn', 'suspend'];

export function presentOwnAction(action: ActionDoc): OwnActionView {
  const full = presentAction(action);
  return {
    id: full.id,
    type: full.type,
    itemId: full.itemId,
    kind: full.kind,
    reason: full.reason,
    note: full.note,
    at: full.at,
    link: full.link,
    reversed: full.reversed ? { at: full.reversed.at } : null,
    appeal: full.appeal ? { note: full.appeal.note, at: full.appeal.at, decision: full.appeal.decision ? { outcome: full.appeal.decision.outcome, note: full.appeal.decision.note, at: full.appeal.decision.at } : null } : null,
    appealable: APPEALABLE.includes(action.kind) && action.appeal === null && action.reversed === null,
  };
}

export const ReportView = z.object({ reason: z.enum(MODERATION_REASONS), note: z.string(), at: z.string() }).meta({ id: 'Report' });
/** Reporters stay anonymous even to moderators: the reason and the note are what a decision needs. */
export const presentReport = (report: ReportDoc) => ({ reason: report.reason, note: report.note, at: report.at.toISOString() });

export const ItemView = z
  .object({
    type: z.enum(CONTENT_TYPES),
    id: z.string(),
    authorId: z.string().describe('Empty for an anonymous item'),
    anonymous: z.boolean(),
    title: z.string(),
    html: z.string().describe('Empty while concealed'),
    source: z.string(),
    createdAt: z.string(),
    link: z.string(),
    moderation: StateView,
    redactedHtml: z.string().nullable(),
    concealed: z.boolean().describe('Sensitive content not yet revealed by this moderator'),
  })
  .meta({ id: 'ModeratableItem' });

export function presentItem(item: ModeratableItem, concealed: boolean, locale: Locale): z.infer<typeof ItemView> {
  return {
    type: item.ref.type,
    id: item.ref.id,
    authorId: item.anonymous ? '' : item.authorId,
    anonymous: item.anonymous === true,
    title: item.title(locale),
    html: concealed ? '' : item.html,
    source: concealed ? '' : item.source,
    createdAt: item.createdAt.toISOString(),
    link: item.link,
    moderation: presentState(item.moderation),
    redactedHtml: concealed ? null : item.moderation?.redactedHtml ?? null,
    concealed,
  };
}
