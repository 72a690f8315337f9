import type { SupportReplyPayload } from '$shared/realtime-events.ts';
import type { SupportCategory, SupportKind, SupportStatus, SupportUrgency, SupportVisibility } from '$shared/support-topics.ts';
import { formatDateTime } from '../format.ts';
import { formatLocale, m } from '../i18n/i18n.ts';
import { textParts, type TextPart } from '../i18n/text-parts.ts';

export type { TextPart };

export { SUPPORT_CATEGORIES, SUPPORT_URGENCIES, REMOVAL_ORDER } from '$shared/support-topics.ts';
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

// The page's language is fixed for the life of the page (changing it reloads), so these tables
// are worded once, in it, when the module loads.

/** The topics as people read them (the server's list of categories, support-topics.ts). */
export const CATEGORY_LABELS: Record<SupportCategory, string> = {
  hash_matching: m.support_category_hash_matching(),
  content_moderation: m.support_category_content_moderation(),
  detection_tooling: m.support_category_detection_tooling(),
  security: m.support_category_security(),
  transparency_reporting: m.support_category_transparency_reporting(),
  other_technical: m.support_category_other_technical(),
  removal_order: m.support_category_removal_order(),
  terms_of_service: m.support_category_terms_of_service(),
  data_protection: m.support_category_data_protection(),
  law_enforcement_request: m.support_category_law_enforcement_request(),
  regulatory_compliance: m.support_category_regulatory_compliance(),
  other_legal: m.support_category_other_legal(),
};

/** An expert area or category by its code (an unknown code as it is). */
export const categoryLabel = (category: string): string => CATEGORY_LABELS[category as SupportCategory] ?? category;

export const STATUS_LABELS: Record<SupportStatus, string> = {
  new: m.support_status_new(),
  triaged: m.support_status_triaged(),
  in_progress: m.support_status_in_progress(),
  waiting_for_requester: m.support_status_waiting_for_requester(),
  resolved: m.support_status_resolved(),
};

/** The button that moves a request to a status ("Mark resolved"). */
export const MOVE_LABELS: Record<SupportStatus, string> = {
  new: m.support_move_new(),
  triaged: m.support_move_triaged(),
  in_progress: m.support_move_in_progress(),
  waiting_for_requester: m.support_move_waiting_for_requester(),
  resolved: m.support_move_resolved(),
};

export const URGENCY_LABELS: Record<SupportUrgency, string> = {
  low: m.support_urgency_low(),
  normal: m.support_urgency_normal(),
  high: m.support_urgency_high(),
  critical: m.support_urgency_critical(),
};

export const KIND_LABELS: Record<SupportKind, string> = { technical: m.support_kind_technical(), legal: m.support_kind_legal() };

const twoDigits = new Intl.NumberFormat(formatLocale, { minimumIntegerDigits: 2, useGrouping: false });
const plainNumber = new Intl.NumberFormat(formatLocale, { useGrouping: false });

/** "1 h 05 min 09 s left" or "Overdue by …" from milliseconds left, in parts: the numbers apart, to isolate left to right. */
export function countdownParts(ms: number): TextPart[] {
  const late = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const minutes = (h ? twoDigits : plainNumber).format(min);
  const seconds = twoDigits.format(s);
  const wrap = (duration: string) => (late ? m.support_countdown_overdue({ duration }) : m.support_countdown_left({ duration }));
  return h
    ? textParts((v) => wrap(m.support_duration_hours(v)), { hours: plainNumber.format(h), minutes, seconds })
    : textParts((v) => wrap(m.support_duration_minutes(v)), { minutes, seconds });
}

/** The countdown as one string (for announcements). */
export const countdownText = (ms: number): string =>
  countdownParts(ms)
    .map((part) => part.text)
    .join('');

/** When something happened or is due, in the reader's language. */
export const readerTime = (iso: string): string => formatDateTime(iso);
