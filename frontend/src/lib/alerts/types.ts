import type { AlertPayload } from '$shared/realtime-events.ts';

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

export const severityLabels: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };
export const statusLabels: Record<AlertStatus, string> = { active: 'Active', monitoring: 'Monitoring', resolved: 'Resolved' };
export const facetLabels: Record<Facet, string> = { platforms: 'Platforms', tactics: 'Tactics', regions: 'Regions' };
export const ackLabels: Record<AckState, string> = { reviewed: 'Reviewed', acting: 'Acting on it', not_affected: 'Not affected' };
export const kindLabels: Record<IndicatorKind, string> = { url: 'URL', domain: 'Domain', ip: 'IP address', hash: 'Hash', handle: 'Handle', keyword: 'Keyword' };
export const markingHelp: Record<Marking, string> = {
  'TLP:CLEAR': 'Every member; no limit on disclosure.',
  'TLP:GREEN': 'Every member of the community.',
  'TLP:AMBER': 'Members of the organisations or sectors you name.',
  'TLP:AMBER+STRICT': 'Members of the organisations you name, nobody else.',
  'TLP:RED': 'Only the people you name.',
};
