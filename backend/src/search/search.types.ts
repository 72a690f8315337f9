/**
 * The contract between the search index and the capabilities whose content it finds. Each
 * capability (messages, knowledge, alerts, members, event findings) does two things:
 *
 *  1. after every stored change, it tells the index: `ctx.search.index(doc)` for a new or changed
 *     item, `ctx.search.remove(key)` when it is deleted (soft delete too). Indexing never decides
 *     who may see an item, and an anonymous item is indexed with `authorId: null` (the real
 *     author must never reach the index, or a search by author would reveal it).
 *  2. it registers one `SearchSource` per type (`ctx.search.registerSource(...)`, in its routes
 *     factory), which the search operation asks, for every candidate hit, whether the actor may
 *     see it, applying exactly the policy its own direct reads apply (spaces, TLP, moderation).
 *     A hit the source does not confirm is dropped before anything is counted.
 */

import type { Actor } from '../policy/policy.ts';
import type { Locale } from '../shared/i18n/locale.ts';

export const SEARCH_TYPES = ['message', 'question', 'answer', 'paper', 'library', 'alert', 'member', 'finding', 'event'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** One item as the index sees it. Text is plain (Markdown source or text without tags). */
export interface SearchDocument {
  /** Unique across types, stable: `message:<channelId>:<seq>`, `alert:<id>`, `question:<id>` … */
  key: string;
  type: SearchType;
  /** Where it lives, for filters (null: not in a space, e.g. alerts and members). */
  spaceId: string | null;
  channelId: string | null;
  /** Null when posted anonymously. */
  authorId: string | null;
  tags: string[];
  createdAt: Date;
  title: string;
  text: string;
  /**
   * True while moderators hide the item (`moderation.visibility === 'hidden'`): the index keeps it
   * (moderators still find it) and sources refuse it to everyone else. Re-index on every change.
   * The text indexed is always what members may read (a redacted item: the redacted text).
   */
  hidden?: boolean;
}

/** What the index keeps of a document besides its terms, enough to filter and to ask a source. */
export type SearchRef = Omit<SearchDocument, 'title' | 'text'>;

/** How a hit is shown; `text` may be Markdown: the search operation reduces it to plain text, cuts the snippet and marks the words. */
export interface SearchPresentation {
  title: string;
  text: string;
  /** A path inside the web app, e.g. `/channels/<id>?seq=12`. */
  link: string;
  /** Behind a content warning: found, but the snippet does not quote it (the item shows it only on request). */
  concealed?: boolean;
}

export interface SearchSource {
  type: SearchType;
  /**
   * Of these candidates (all of this source's type), the keys the actor may see, by the same rule
   * as direct reads. Called with many refs at once: load in bulk, never one query per ref.
   */
  visible(actor: Actor, refs: SearchRef[]): Promise<Set<string>>;
  /**
   * The current title, text and link of hits already confirmed visible (a page, ≤ 50); the few
   * words a source adds itself (not what people wrote) in `locale`, the reader's language (the
   * base language when not given).
   */
  present(actor: Actor, refs: SearchRef[], locale?: Locale): Promise<Map<string, SearchPresentation>>;
}

/** What capabilities see of the search index (`ctx.search`). */
export interface SearchIndexer {
  /**
   * Queues `doc`; with `now`, resolves only once the index holds it. Every change of what a reader
   * may read of an existing item (an edit, a deletion, a moderation action) passes `now`: until the
   * index is written, a search could still match words that are gone. New content may wait.
   */
  index(doc: SearchDocument, options?: { now?: boolean }): Promise<void>;
  remove(key: string, options?: { now?: boolean }): Promise<void>;
  registerSource(source: SearchSource): void;
}
