import type { SupportReplyPayload } from '$shared/realtime-events.ts';
import type { SupportCategory, SupportKind, SupportStatus, SupportUrgency, SupportVisibility } from '$shared/support-topics.ts';

export { CATEGORY_LABELS, STATUS_LABELS, SUPPORT_CATEGORIES, SUPPORT_URGENCIES, REMOVAL_ORDER } from '$shared/support-topics.ts';
export type { SupportCategory, SupportKind, SupportStatus, SupportUrgency };

export type SupportReply = SupportReplyPayload;

/** The API's SupportRequest, as this viewer may see it. */
export interface SupportRequest {
  id: string;
  kind: SupportKind;
  category: SupportCategory;
  urgency: SupportUrgency;
  subject: string;
  descriptionHtml: string;
  visibility: SupportVisibility;
  anonymousToExperts: boolean;
  status: SupportStatus;
  organisation: { id: string; name: string } | null;
  requester: { id: string; name: string } | null;
  assignedExperts: { id: string; name: string; areas: string[] }[];
  openedAt: string;
  firstResponseAt: string | null;
  firstResponseDueAt: string;
  firstResponseOverdue: boolean;
  removalOrder: { orderReceivedAt: string; jurisdiction: string; deadlineAt: string; escalateAt: string; escalatedAt: string | null; overdue: boolean } | null;
  resolvedAt: string | null;
  rating: { score: number; comment: string | null; at: string } | null;
  libraryDraftConsent: boolean;
  libraryDraft: { title: string; category: string; html: string; at: string } | null;
  replyCount: number;
  replies?: SupportReply[];
  viewer: { as: 'requester' | 'organisation' | 'triage' | 'expert'; canReply: boolean; canAssign: boolean; statuses: SupportStatus[]; canRate: boolean; canConsent: boolean; canDraft: boolean };
  serverTime: string;
}

export interface SupportExpert {
  id: string;
  name: string;
  areas: string[];
  onDuty: boolean;
}

export const URGENCY_LABELS: Record<SupportUrgency, string> = { low: 'Low', normal: 'Normal', high: 'High', critical: 'Critical' };

/** "1 h 05 min 09 s" or "overdue by …" from milliseconds left. */
export function countdownText(ms: number): string {
  const late = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = `${h ? `${h} h ` : ''}${String(m).padStart(h ? 2 : 1, '0')} min ${String(s).padStart(2, '0')} s`;
  return late ? `overdue by ${text}` : `${text} left`;
}

export const readerTime = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
