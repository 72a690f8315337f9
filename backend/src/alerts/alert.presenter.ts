import { z } from 'zod';
import { m } from '../http/locale.ts';
import { reasonLabel } from '../notifications/notification-texts.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { moderatedView, type ModerationState } from '../moderation/moderation.types.ts';
import { SECTORS, TLP_MARKINGS } from '../policy/policy.ts';
import { ACK_STATES, ALERT_STATUSES, HASH_ALGORITHMS, INDICATOR_KINDS, SEVERITIES, type AlertAckDoc, type AlertDoc, type Indicator } from './alert.model.ts';

/**
 * The defanged form of an indicator: what people read. It cannot be clicked or fetched by
 * accident (`hxxps://example[.]org/x`, `192.0.2[.]1`); the real value goes only to the clipboard.
 */
export function defang(indicator: Pick<Indicator, 'kind' | 'value'>): string {
  const { kind, value } = indicator;
  switch (kind) {
    case 'url': {
      const match = /^(https?)(:\/\/)([^/?#]*)(.*)$/i.exec(value);
      if (!match) return value.replace(/\./g, '[.]');
      const [, scheme, sep, host, rest] = match;
      return `${scheme!.replace(/^http/i, 'hxxp')}${sep}${host!.replace(/\./g, '[.]')}${rest}`;
    }
    case 'domain':
      return value.replace(/\./g, '[.]');
    case 'ip':
      return value.includes(':') ? value.replace(/:/g, '[:]') : value.replace(/\./g, '[.]');
    default:
      return value;
  }
}

const Recipients = z.object({ organisationIds: z.array(z.string()), sectors: z.array(z.enum(SECTORS)), memberIds: z.array(z.string()) });
const Tags = z.object({ platforms: z.array(z.string()), tactics: z.array(z.string()), regions: z.array(z.string()) });

export const AlertSummaryView = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(ALERT_STATUSES),
    marking: z.enum(TLP_MARKINGS),
    tags: Tags,
    authorId: z.string(),
    indicatorCount: z.number(),
    updateCount: z.number(),
    publishedAt: z.string(),
    updatedAt: z.string(),
    hidden: z.boolean().describe('Hidden by moderators: content withheld'),
  })
  .meta({ id: 'AlertSummary' });
export type AlertSummaryView = z.infer<typeof AlertSummaryView>;

export const IndicatorView = z.object({
  kind: z.enum(INDICATOR_KINDS),
  value: z.string().describe('The real value: copy it, never show it as a link'),
  defanged: z.string().describe('What to show'),
  algorithm: z.enum(HASH_ALGORITHMS).nullable(),
});

export const AckView = z
  .object({ organisationId: z.string(), state: z.enum(ACK_STATES), note: z.string(), by: z.string(), at: z.string(), earlier: z.number().describe('How many earlier answers were replaced') })
  .meta({ id: 'AlertAck' });
export type AckView = z.infer<typeof AckView>;

export const AlertDetailView = AlertSummaryView.extend({
  summaryHtml: z.string(),
  summarySource: z.string(),
  moderation: z.object({ visibility: z.enum(['hidden', 'warning', 'redacted']), reason: z.string() }).nullable(),
  indicators: z.array(IndicatorView),
  timeline: z.array(
    z.object({
      id: z.string(),
      authorId: z.string(),
      at: z.string(),
      html: z.string(),
      withheld: z.enum(['hidden', 'redacted']).nullable().describe('Why the text is not shown: the alert is hidden, or redacted (its updates may repeat what was edited out)'),
      changes: z.object({
        severity: z.object({ from: z.enum(SEVERITIES), to: z.enum(SEVERITIES) }).nullable(),
        status: z.object({ from: z.enum(ALERT_STATUSES), to: z.enum(ALERT_STATUSES) }).nullable(),
        marking: z.object({ from: z.enum(TLP_MARKINGS), to: z.enum(TLP_MARKINGS) }).nullable(),
      }),
    }),
  ),
  canManage: z.boolean().describe('You may update it, widen its marking and read its board'),
  recipients: Recipients.nullable().describe('Only for its author and moderators'),
  markingHistory: z.array(z.object({ marking: z.enum(TLP_MARKINGS), recipients: Recipients, by: z.string(), at: z.string() })).nullable(),
  myAck: AckView.nullable().describe("Your organisation's acknowledgement"),
}).meta({ id: 'AlertDetail' });
export type AlertDetailView = z.infer<typeof AlertDetailView>;

const isHidden = (alert: Pick<AlertDoc, 'moderation'>) => alert.moderation?.visibility === 'hidden';
/** Moderators edited personal data out of the summary (whatever its visibility). */
const isRedacted = (alert: Pick<AlertDoc, 'moderation'>) => typeof alert.moderation?.redactedHtml === 'string';

export interface AlertViewer {
  isModerator: boolean;
  /** The reader's language: what members read instead of a hidden alert's title is worded in it. */
  locale: Locale;
}

/** What members read instead of a hidden alert's title ("Hidden by moderators: harassment"). */
export const hiddenTitle = (state: ModerationState, locale: Locale) => m.alerts_hidden_title({ reason: reasonLabel(state.reason, locale) }, { locale });

/** Why a timeline entry's text is not shown (null: it is). */
export type TimelineWithheld = 'hidden' | 'redacted' | null;

/**
 * Which timeline text a viewer may not read. Redaction edits only the summary, and an update may
 * repeat the same personal data: so once an alert is redacted, members see its timeline entries'
 * metadata (who, when, what changed) but not their text, until a moderator reverses it.
 */
export function timelineWithheld(alert: Pick<AlertDoc, 'moderation'>, viewer: AlertViewer): TimelineWithheld {
  if (viewer.isModerator) return null;
  if (isHidden(alert)) return 'hidden';
  return isRedacted(alert) ? 'redacted' : null;
}

/**
 * An alert as `viewer` may see it, for every path that reads several alerts (lists, counts, tags,
 * the banner, socket events, exports, the feed, search). Moderators see it as written; for everyone
 * else a hidden alert keeps its place (marking, severity, status, dates) but its title reads the
 * hidden marker and its tags, indicators, summary and timeline text are gone; a redacted one shows
 * the redacted summary and its timeline without text. Applying it twice changes nothing. The
 * moderation state itself is kept, so callers can still tell a hidden alert apart.
 * Precondition: the viewer may see the alert (canSeeAlert).
 */
export function shownAlert(alert: AlertDoc, viewer: AlertViewer): AlertDoc {
  if (viewer.isModerator || !alert.moderation) return alert;
  const summary = moderatedView(alert.moderation, { html: alert.summaryHtml, source: alert.summarySource }, viewer);
  const withheld = timelineWithheld(alert, viewer);
  const hidden = isHidden(alert);
  return {
    ...alert,
    title: hidden ? hiddenTitle(alert.moderation, viewer.locale) : alert.title,
    summaryHtml: summary.html,
    summarySource: summary.source,
    tags: hidden ? { platforms: [], tactics: [], regions: [] } : alert.tags,
    indicators: hidden ? [] : alert.indicators,
    timeline: withheld ? alert.timeline.map((entry) => ({ ...entry, source: '', html: '' })) : alert.timeline,
  };
}

/** Precondition: the viewer may see the alert (canSeeAlert). */
export function presentAlertSummary(alert: AlertDoc, viewer: AlertViewer): AlertSummaryView {
  const shown = shownAlert(alert, viewer);
  return {
    id: String(shown._id),
    title: shown.title,
    severity: shown.severity,
    status: shown.status,
    marking: shown.marking,
    tags: { platforms: [...shown.tags.platforms], tactics: [...shown.tags.tactics], regions: [...shown.tags.regions] },
    authorId: shown.authorId,
    indicatorCount: shown.indicators.length,
    updateCount: shown.timeline.length,
    publishedAt: shown.publishedAt.toISOString(),
    updatedAt: shown.updatedAt.toISOString(),
    hidden: isHidden(shown),
  };
}

export function presentAck(ack: AlertAckDoc): AckView {
  return { organisationId: ack.organisationId, state: ack.state, note: ack.note, by: ack.by, at: ack.at.toISOString(), earlier: ack.history.length };
}

/** Precondition: the viewer may see the alert. Recipients and marking history only for managers. */
export function presentAlertDetail(alert: AlertDoc, viewer: AlertViewer & { canManage: boolean }, myAck: AlertAckDoc | null): AlertDetailView {
  const view = moderatedView(alert.moderation, { html: alert.summaryHtml, source: alert.summarySource }, viewer);
  const shown = shownAlert(alert, viewer);
  const withheld = timelineWithheld(alert, viewer);
  return {
    ...presentAlertSummary(alert, viewer),
    summaryHtml: shown.summaryHtml,
    summarySource: shown.summarySource,
    moderation: view.moderation,
    indicators: shown.indicators.map((indicator) => ({ kind: indicator.kind, value: indicator.value, defanged: defang(indicator), algorithm: indicator.algorithm ?? null })),
    timeline: shown.timeline.map((entry, index) => ({
      id: entry.id,
      authorId: entry.authorId,
      at: entry.at.toISOString(),
      html: entry.html,
      // Only entries that had text say so (a widening has none).
      withheld: alert.timeline[index]!.source || alert.timeline[index]!.html ? withheld : null,
      changes: { severity: entry.changes?.severity ?? null, status: entry.changes?.status ?? null, marking: entry.changes?.marking ?? null },
    })),
    canManage: viewer.canManage,
    recipients: viewer.canManage ? { organisationIds: [...alert.recipients.organisationIds], sectors: [...alert.recipients.sectors], memberIds: [...alert.recipients.memberIds] } : null,
    markingHistory: viewer.canManage
      ? alert.markingHistory.map((record) => ({
          marking: record.marking,
          recipients: { organisationIds: [...record.recipients.organisationIds], sectors: [...record.recipients.sectors], memberIds: [...record.recipients.memberIds] },
          by: record.by,
          at: record.at.toISOString(),
        }))
      : null,
    myAck: myAck ? presentAck(myAck) : null,
  };
}
