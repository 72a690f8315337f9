import type { Collection, Connection } from 'mongoose';
import type { ModerationState } from '../moderation/moderation.types.ts';
import type { Sector } from '../policy/policy.ts';
import { isDuplicateKey } from '../http/errors.ts';

/**
 * Where Q&A, papers and library channels keep their content. Each channel's items (questions,
 * answers, papers and their comments, resources, revisions, suggested edits) live in that
 * channel's own collection `knowledge_<channelId>`, and its votes in `knowledgevotes_<channelId>`:
 * the embedded engine scans a whole collection for every query, so no request reads a collection
 * that grows with the whole forum. Ids are chosen by the server (24 hex digits, like ObjectIds).
 */

export type ItemType = 'question' | 'answer' | 'paper' | 'comment' | 'resource' | 'revision' | 'suggestion';

interface BaseItem {
  _id: string;
  type: ItemType;
  channelId: string;
  /** The real author, always stored; presenters decide who may learn it (see `anonymous`). */
  authorId: string;
  createdAt: Date;
  updatedAt: Date;
  moderation: ModerationState | null;
}

/**
 * Questions and answers may be posted anonymously: everyone sees only the label chosen at posting
 * time, worded in their language from its parts (knowledge.anonymity.ts).
 */
export interface Anonymity {
  anonymous: boolean;
  /** The label in the base language ("a member from industry — file hosting, under 50 staff"); what posts stored before the parts show. */
  anonLabel: string | null;
  /** The author's sector at posting time (absent on posts stored before it was kept). */
  anonSector?: Sector | null;
  /** What the author wrote about themselves at posting time, as written (absent on older posts). */
  anonDescription?: string;
}

export interface QuestionItem extends BaseItem, Anonymity {
  type: 'question';
  title: string;
  source: string;
  html: string;
  tags: string[];
  score: number;
  answerCount: number;
  acceptedAnswerId: string | null;
}

export interface AnswerItem extends BaseItem, Anonymity {
  type: 'answer';
  questionId: string;
  source: string;
  html: string;
  score: number;
}

/** A PDF attached to a paper or a resource (metadata in `files`, bytes in `files_<id>`). */
export interface Attachment {
  fileId: string;
  size: number;
}

export interface PaperItem extends BaseItem {
  type: 'paper';
  title: string;
  authors: string[];
  year: number | null;
  venue: string;
  /** The abstract as written (Markdown) and rendered. */
  source: string;
  html: string;
  doi: string | null;
  link: string | null;
  tags: string[];
  attachment: Attachment | null;
  commentCount: number;
}

export interface CommentItem extends BaseItem {
  type: 'comment';
  paperId: string;
  source: string;
  html: string;
}

export interface ResourceItem extends BaseItem {
  type: 'resource';
  title: string;
  category: string;
  source: string;
  html: string;
  /** The current revision's number (1 for the first version). */
  revision: number;
  attachment: Attachment | null;
}

/** One version of a resource; `_id` `<resourceId>:<n>`, claimed by a unique insert. */
export interface RevisionItem extends BaseItem {
  type: 'revision';
  resourceId: string;
  n: number;
  title: string;
  category: string;
  source: string;
  html: string;
  note: string;
  /** The member whose suggested edit this revision took, if any. */
  creditId: string | null;
}

export interface SuggestionItem extends BaseItem {
  type: 'suggestion';
  resourceId: string;
  /** The revision the suggestion was written against. */
  baseRevision: number;
  source: string;
  html: string;
  note: string;
  status: 'open' | 'accepted' | 'declined';
  reason: string;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export type KnowledgeItem = QuestionItem | AnswerItem | PaperItem | CommentItem | ResourceItem | RevisionItem | SuggestionItem;
export type ItemOf<T extends ItemType> = Extract<KnowledgeItem, { type: T }>;

/** One vote per member and item: `_id` `<itemId>:<memberId>`, `value` -1, 0 (withdrawn) or 1. */
export interface VoteDoc {
  _id: string;
  value: -1 | 0 | 1;
}

export class KnowledgeStore {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  items(channelId: string): Collection<KnowledgeItem> {
    return this.#connection.collection<KnowledgeItem>(`knowledge_${channelId}`);
  }

  votes(channelId: string): Collection<VoteDoc> {
    return this.#connection.collection<VoteDoc>(`knowledgevotes_${channelId}`);
  }

  async get<T extends ItemType>(channelId: string, type: T, id: string): Promise<ItemOf<T> | null> {
    const item = await this.items(channelId).findOne({ _id: id });
    return item && item.type === type ? (item as ItemOf<T>) : null;
  }

  /** Items of one type in a channel (a bounded collection), optionally those of one parent. */
  async list<T extends ItemType>(channelId: string, type: T, filter: Record<string, string> = {}): Promise<ItemOf<T>[]> {
    return (await this.items(channelId).find({ type, ...filter } as never).toArray()) as ItemOf<T>[];
  }

  async many(channelId: string, ids: string[]): Promise<KnowledgeItem[]> {
    if (ids.length === 0) return [];
    return this.items(channelId).find({ _id: { $in: ids } } as never).toArray();
  }

  async insert(item: KnowledgeItem): Promise<void> {
    await this.items(item.channelId).insertOne(item);
  }

  async update<T extends KnowledgeItem>(channelId: string, id: string, update: Record<string, unknown>, condition: Record<string, unknown> = {}): Promise<T | null> {
    return (await this.items(channelId).findOneAndUpdate({ _id: id, ...condition } as never, update, { returnDocument: 'after' })) as T | null;
  }

  /** The member's votes on these items (point lookups by `_id` in the channel's votes). */
  async myVotes(channelId: string, memberId: string, itemIds: string[]): Promise<Map<string, number>> {
    if (itemIds.length === 0) return new Map();
    const votes = await this.votes(channelId).find({ _id: { $in: itemIds.map((id) => `${id}:${memberId}`) } } as never).toArray();
    return new Map(votes.map((vote) => [vote._id.slice(0, vote._id.indexOf(':')), vote.value]));
  }

  /**
   * Sets a member's vote and moves the item's score by exactly the change. The vote document
   * changes only from the value just read (a conditional update, or a unique insert for a first
   * vote), so of parallel or repeated votes each transition is applied once, and the score —
   * raised with one `$inc` per applied transition — ends at the sum of the votes.
   */
  async vote(channelId: string, itemId: string, memberId: string, value: -1 | 0 | 1): Promise<{ delta: number; item: KnowledgeItem | null }> {
    const votes = this.votes(channelId);
    const id = `${itemId}:${memberId}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const previous = await votes.findOne({ _id: id });
      let delta: number;
      if (!previous) {
        if (value === 0) return { delta: 0, item: await this.items(channelId).findOne({ _id: itemId }) };
        try {
          await votes.insertOne({ _id: id, value });
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
        delta = value;
      } else {
        if (previous.value === value) return { delta: 0, item: await this.items(channelId).findOne({ _id: itemId }) };
        const changed = await votes.updateOne({ _id: id, value: previous.value } as never, { $set: { value } });
        if (changed.modifiedCount !== 1) continue;
        delta = value - previous.value;
      }
      const item = await this.items(channelId).findOneAndUpdate({ _id: itemId }, { $inc: { score: delta } } as never, { returnDocument: 'after' });
      return { delta, item };
    }
    throw new Error('vote did not settle');
  }
}
