import type { ActionKind, ModerationReason } from '../api/types.ts';
import { formatList } from '../format.ts';
import { m } from '../i18n/i18n.ts';

// The page's language is fixed for the life of the page (changing it reloads), so these tables
// are worded once, in it, when the module loads.

/** The reasons as people read them (the wording). */
export const reasonLabels: Record<ModerationReason, string> = {
  terrorist_content: m.moderation_reason_terrorist_content(),
  harassment: m.moderation_reason_harassment(),
  personal_data: m.moderation_reason_personal_data(),
  misinformation: m.moderation_reason_misinformation(),
  off_topic: m.moderation_reason_off_topic(),
  other: m.moderation_reason_other(),
};

export const reasonLabel = (reason: string): string => reasonLabels[reason as ModerationReason] ?? reason;

export const actionLabels: Record<ActionKind, string> = {
  dismiss: m.moderation_action_dismiss(),
  hide: m.moderation_action_hide(),
  warning: m.moderation_action_warning(),
  redact: m.moderation_action_redact(),
  warn: m.moderation_action_warn(),
  suspend: m.moderation_action_suspend(),
};

/** What was done, in the past tense, for lists of decisions. */
export const actionDone: Record<ActionKind, string> = {
  dismiss: m.moderation_done_dismiss(),
  hide: m.moderation_done_hide(),
  warning: m.moderation_done_warning(),
  redact: m.moderation_done_redact(),
  warn: m.moderation_done_warn(),
  suspend: m.moderation_done_suspend(),
};

/** What members see of an item moderators acted on (the `moderation` field of every moderatable view). */
export interface ContentModeration {
  visibility: 'hidden' | 'warning' | 'redacted';
  reason: string;
}

/** The kinds of content, as people read them (review queue, "my moderation"). */
export const typeLabels: Record<string, string> = {
  message: m.moderation_type_message(),
  question: m.moderation_type_question(),
  answer: m.moderation_type_answer(),
  paper: m.moderation_type_paper(),
  library: m.moderation_type_library(),
  alert: m.moderation_type_alert(),
  comment: m.moderation_type_comment(),
};

export const typeLabel = (type: string): string => typeLabels[type] ?? type;

/** A moderation state as a phrase ("hidden, personal data edited out"), for "Now: …". */
export function stateLabel(state: { visibility: 'visible' | 'hidden' | 'warning'; redacted: boolean }): string {
  const parts: string[] = [];
  if (state.visibility === 'hidden') parts.push(m.moderation_state_hidden());
  else if (state.visibility === 'warning') parts.push(m.moderation_state_warning());
  if (state.redacted) parts.push(m.moderation_state_redacted());
  return parts.length ? formatList(parts) : m.moderation_state_visible();
}

/** Someone's words, in the quotation marks of the reader's language. */
export const quoted = (text: string): string => m.moderation_quoted({ text });
