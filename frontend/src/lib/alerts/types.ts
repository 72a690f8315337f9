import type { AlertPayload } from '$shared/realtime-events.ts';
import { m } from '../i18n/i18n.ts';

/** The shapes the alerts API answers with (backend/src/alerts/alert.presenter.ts is the source of truth). */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_STATUSES = ['active', 'monitoring', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const MARKINGS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
export type Marking = (typeof MARKINGS)[number];
export const FACETS = ['platforms', 'tactics', 'regions'] as const;
export type Facet = (typeof FACETS)[number];
export const INDICATOR_KINDS = ['url', 'domain', 'ip', 'hash', 'handle', 'keyword'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];
export const ACK_STATES = ['reviewed', 'acting', 'not_affected'] as const;
export type AckState = (typeof ACK_STATES)[number];

export type AlertSummary = Omit<AlertPayload, 'matchesSubscription'>;

export interface Recipients {
  organisationIds: string[];
  sectors: string[];
  memberIds: string[];
}

export interface Ack {
  organisationId: string;
  state: AckState;
  note: string;
  by: string;
  at: string;
  earlier: number;
}

export interface AlertDetail extends AlertSummary {
  summaryHtml: string;
  summarySource: string;
  moderation: { visibility: 'hidden' | 'warning' | 'redacted'; reason: string } | null;
  indicators: { kind: IndicatorKind; value: string; defanged: string; algorithm: string | null }[];
  timeline: {
    id: string;
    authorId: string;
    at: string;
    html: string;
    /** Why its text is not shown: the alert is hidden, or moderators redacted it. */
    withheld: 'hidden' | 'redacted' | null;
    changes: {
      severity: { from: Severity; to: Severity } | null;
      status: { from: AlertStatus; to: AlertStatus } | null;
      marking: { from: Marking; to: Marking } | null;
    };
  }[];
  canManage: boolean;
  recipients: Recipients | null;
  markingHistory: { marking: Marking; recipients: Recipients; by: string; at: string }[] | null;
  myAck: Ack | null;
}

export interface AlertStats {
  total: number;
  bySeverity: Record<Severity, number>;
  weeks: ({ week: string } & Record<Severity, number>)[];
}

export interface Board {
  rows: { organisationId: string; name: string; sector: string; recipient: boolean; ack: Ack | null }[] | null;
  organisations: number | null;
  own: Ack | null;
}

export type Subscriptions = Record<Facet, { tags: string[]; minSeverity: Severity }>;

/** Labels in the reader's language (the codes stay as the API writes them). */
export function severityLabel(severity: Severity): string {
  return { low: m.alerts_severity_low, medium: m.alerts_severity_medium, high: m.alerts_severity_high, critical: m.alerts_severity_critical }[severity]();
}
export function statusLabel(status: AlertStatus): string {
  return { active: m.alerts_status_active, monitoring: m.alerts_status_monitoring, resolved: m.alerts_status_resolved }[status]();
}
export function facetLabel(facet: Facet): string {
  return { platforms: m.alerts_facet_platforms, tactics: m.alerts_facet_tactics, regions: m.alerts_facet_regions }[facet]();
}
export function ackLabel(state: AckState): string {
  return { reviewed: m.alerts_ack_reviewed, acting: m.alerts_ack_acting, not_affected: m.alerts_ack_not_affected }[state]();
}
export function kindLabel(kind: IndicatorKind): string {
  return { url: m.alerts_kind_url, domain: m.alerts_kind_domain, ip: m.alerts_kind_ip, hash: m.alerts_kind_hash, handle: m.alerts_kind_handle, keyword: m.alerts_kind_keyword }[kind]();
}
/** Who a TLP marking reaches (the marking itself stays as FIRST writes it). */
export function markingHelp(marking: Marking): string {
  return {
    'TLP:CLEAR': m.alerts_marking_help_clear,
    'TLP:GREEN': m.alerts_marking_help_green,
    'TLP:AMBER': m.alerts_marking_help_amber,
    'TLP:AMBER+STRICT': m.alerts_marking_help_amber_strict,
    'TLP:RED': m.alerts_marking_help_red,
  }[marking]();
}

/** Tags as typed: separated by commas, Arabic or CJK commas included. */
export function splitTags(text: string): string[] {
  return text.split(/[,،、，]/).map((tag) => tag.trim()).filter(Boolean);
}
