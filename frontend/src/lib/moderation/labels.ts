import type { ActionKind, ModerationReason } from '../api/types.ts';

/** The reasons as people read them (the wording). */
export const reasonLabels: Record<ModerationReason, string> = {
  terrorist_content: 'Terrorist or violent extremist content shared without a warning',
  harassment: 'Harassment',
  personal_data: 'Doxxing or personal data',
  misinformation: 'Misinformation',
  off_topic: 'Off-topic or spam',
  other: 'Other',
};

export const reasonLabel = (reason: string): string => reasonLabels[reason as ModerationReason] ?? reason;

export const actionLabels: Record<ActionKind, string> = {
  dismiss: 'Dismiss the reports',
  hide: 'Hide the item',
  warning: 'Put behind a content warning',
  redact: 'Edit out personal data',
  warn: 'Warn the author',
  suspend: 'Suspend the author',
};

/** What was done, in the past tense, for lists of decisions. */
export const actionDone: Record<ActionKind, string> = {
  dismiss: 'Reports dismissed',
  hide: 'Hidden',
  warning: 'Put behind a content warning',
  redact: 'Personal data edited out',
  warn: 'Author warned',
  suspend: 'Author suspended',
};

/** What members see of an item moderators acted on (the `moderation` field of every moderatable view). */
export interface ContentModeration {
  visibility: 'hidden' | 'warning' | 'redacted';
  reason: string;
}

/** The kinds of content, as people read them (review queue, "my moderation"). */
export const typeLabels: Record<string, string> = {
  message: 'Message',
  question: 'Question',
  answer: 'Answer',
  paper: 'Paper',
  library: 'Library resource',
  alert: 'Trend alert',
  comment: 'Comment on a paper',
};

export const typeLabel = (type: string): string => typeLabels[type] ?? type;
