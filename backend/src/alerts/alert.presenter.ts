import { z } from 'zod';
import { moderatedView } from '../moderation/moderation.types.ts';
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

const isHidden = (alert: AlertDoc) => alert.moderation?.visibility === 'hidden';

/** Precondition: the viewer may see the alert (canSeeAlert). */
export function presentAlertSummary(alert: AlertDoc): AlertSummaryView {
  return {
    id: String(alert._id),
    title: alert.title,
    severity: alert.severity,
    status: alert.status,
    marking: alert.marking,
    tags: { platforms: [...alert.tags.platforms], tactics: [...alert.tags.tactics], regions: [...alert.tags.regions] },
    authorId: alert.authorId,
    indicatorCount: alert.indicators.length,
    updateCount: alert.timeline.length,
    publishedAt: alert.publishedAt.toISOString(),
    updatedAt: alert.updatedAt.toISOString(),
    hidden: isHidden(alert),
  };
}

export function presentAck(ack: AlertAckDoc): AckView {
  return { organisationId: ack.organisationId, state: ack.state, note: ack.note, by: ack.by, at: ack.at.toISOString(), earlier: ack.history.length };
}

/** Precondition: the viewer may see the alert. Recipients and marking history only for managers. */
export function presentAlertDetail(alert: AlertDoc, viewer: { isModerator: boolean; canManage: boolean }, myAck: AlertAckDoc | null): AlertDetailView {
  const view = moderatedView(alert.moderation, { html: alert.summaryHtml, source: alert.summarySource }, viewer);
  const withheld = view.moderation?.visibility === 'hidden';
  return {
    ...presentAlertSummary(alert),
    summaryHtml: view.html,
    summarySource: view.source,
    moderation: view.moderation,
    indicators: withheld ? [] : alert.indicators.map((indicator) => ({ kind: indicator.kind, value: indicator.value, defanged: defang(indicator), algorithm: indicator.algorithm ?? null })),
    timeline: alert.timeline.map((entry) => ({
      id: entry.id,
      authorId: entry.authorId,
      at: entry.at.toISOString(),
      html: withheld ? '' : entry.html,
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
