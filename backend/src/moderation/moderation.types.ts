/**
 * The contract between content moderation and the capabilities whose content it moderates
 * (messages, questions, answers, papers, library resources, alerts, comments on papers).
 *
 * Every moderatable document carries a `moderation` field (`ModerationState`, null when nothing
 * was done). Presenters pass what they show through `moderatedView()`, so a hidden item reads
 * "hidden by moderators: <reason>" for everyone but moderators, an item behind a content warning
 * is marked so clients collapse it, and redacted personal data stays only with moderators.
 * Search sources treat a hidden item as invisible to everyone but moderators.
 *
 * Each capability registers one `ModerationSource` per type (`ctx.moderation.registerSource`),
 * which the moderation actions use to load an item with its context and to store a new state.
 */

import { Schema } from 'mongoose';
import type { Actor } from '../policy/policy.ts';
import type { Localized } from '../http/locale.ts';

export const CONTENT_TYPES = ['message', 'question', 'answer', 'paper', 'library', 'alert', 'comment'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** An item anywhere in the forum: `{ type: 'message', id: '<channelId>:<seq>' }`. */
export interface ContentRef {
  type: ContentType;
  id: string;
}

export const MODERATION_REASONS = ['terrorist_content', 'harassment', 'personal_data', 'misinformation', 'off_topic', 'other'] as const;
export type ModerationReason = (typeof MODERATION_REASONS)[number];

export interface ModerationState {
  /** hidden: replaced for members; warning: collapsed behind a content warning. */
  visibility: 'visible' | 'hidden' | 'warning';
  reason: ModerationReason;
  /** The moderator's note, shown to the author and moderators only. */
  note: string;
  /** When personal data was edited out: what members see instead of the original. */
  redactedHtml: string | null;
  redactedSource: string | null;
  by: string;
  at: Date;
}

/** Embed in a content schema as `moderation: { type: moderationStateSchema, default: null }`. */
export const moderationStateSchema = new Schema<ModerationState>(
  {
    visibility: { type: String, enum: ['visible', 'hidden', 'warning'], required: true },
    reason: { type: String, enum: MODERATION_REASONS, required: true },
    note: { type: String, default: '' },
    redactedHtml: { type: String, default: null },
    redactedSource: { type: String, default: null },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { _id: false },
);

/** What presenters add to every moderatable item. */
export interface ModeratedView {
  html: string;
  source: string;
  /** Null, or why moderators acted: hidden items carry it instead of their content. */
  moderation: { visibility: 'hidden' | 'warning' | 'redacted'; reason: ModerationReason } | null;
}

/**
 * What `viewer` sees of content `{html, source}` under `state`. Moderators (and admins) and, for
 * hidden items, nobody else see the original; the author sees the reason but not a hidden original
 * (they can appeal). Precondition: the caller has already checked the viewer may read the item.
 */
export function moderatedView(state: ModerationState | null | undefined, content: { html: string; source: string }, viewer: { isModerator: boolean }): ModeratedView {
  if (!state || (state.visibility === 'visible' && state.redactedHtml === null)) return { ...content, moderation: null };
  if (viewer.isModerator) return { ...content, moderation: { visibility: state.visibility === 'visible' ? 'redacted' : state.visibility, reason: state.reason } };
  if (state.visibility === 'hidden') return { html: '', source: '', moderation: { visibility: 'hidden', reason: state.reason } };
  const shown = state.redactedHtml !== null ? { html: state.redactedHtml, source: state.redactedSource ?? '' } : content;
  return { ...shown, moderation: { visibility: state.visibility === 'warning' ? 'warning' : 'redacted', reason: state.reason } };
}

/**
 * What the search index may hold under `state`: the moderation state as members would read the item
 * were it not hidden. Redacted text replaces the original (removed words are in no index, for
 * anyone); a hidden item keeps its text but is flagged `hidden`, which only moderators' searches pass.
 */
export function indexedState(state: ModerationState | null | undefined): ModerationState | null {
  if (!state) return null;
  return state.visibility === 'hidden' ? { ...state, visibility: 'visible' } : state;
}

/** A moderatable item as the review queue shows it. */
export interface ModeratableItem {
  ref: ContentRef;
  /** The real author (to notify them and let them appeal), even of an anonymous post. */
  authorId: string;
  /**
   * Posted anonymously: moderation never shows the author to moderators, never lists the item in an
   * author's history and never links it to their other items; the audited reveal is the only way.
   */
  anonymous?: boolean;
  spaceId: string | null;
  channelId: string | null;
  /** What the queue shows it under, in the moderator's language ("Answer: <question>", "#general, message 12"). */
  title: Localized;
  html: string;
  source: string;
  createdAt: Date;
  moderation: ModerationState | null;
  /** A path inside the web app. */
  link: string;
}

export interface ModerationSource {
  type: ContentType;
  /** The item, or null when it does not exist or `actor` may not read it (same rule as direct reads). */
  load(actor: Actor, id: string): Promise<ModeratableItem | null>;
  /** Up to `around` items before and after, for the review queue (messages: the neighbours). */
  context(actor: Actor, id: string, around: number): Promise<ModeratableItem[]>;
  /**
   * Store a new state (null: back to as written) and tell live clients and the search index.
   * Precondition: the caller has authorized the moderator and audited the action.
   */
  setState(id: string, state: ModerationState | null): Promise<void>;
}

/** What capabilities see of moderation (`ctx.moderation`). */
export interface ModerationRegistry {
  registerSource(source: ModerationSource): void;
}
