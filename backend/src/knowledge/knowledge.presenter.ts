import { z } from 'zod';
import { moderatedView, type ModerationState } from '../moderation/moderation.types.ts';
import { m } from '../http/locale.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import { anonymousName } from './knowledge.anonymity.ts';
import type { Anonymity, AnswerItem, CommentItem, PaperItem, QuestionItem, ResourceItem, RevisionItem, SuggestionItem } from './knowledge.store.ts';

/** Who looks at an item: decides "mine", moderation, and what may be accepted or decided. */
export interface Viewer {
  id: string;
  isModerator: boolean;
  /** The reader's language: the words the server supplies (anonymous labels, the hidden marker) are in it. */
  locale: Locale;
}

/** Names of the (non-anonymous) authors on a page, loaded once. */
export type Names = Map<string, string>;

export const AuthorView = z
  .object({
    id: z.string().nullable().describe('Null when posted anonymously: nobody learns who, moderators included (they use the audited reveal)'),
    name: z.string().describe("The member's name, or the anonymous label"),
    anonymous: z.boolean(),
    mine: z.boolean().describe('You wrote it (shown to you only: "you (anonymously)")'),
  })
  .meta({ id: 'KnowledgeAuthor' });
export type AuthorView = z.infer<typeof AuthorView>;

export function presentAuthor(item: { authorId: string } & Partial<Anonymity>, viewer: Viewer | null, names: Names): AuthorView {
  const mine = viewer !== null && viewer.id === item.authorId;
  const locale = viewer?.locale ?? baseLocale;
  if (item.anonymous) return { id: null, name: anonymousName(item, locale), anonymous: true, mine };
  return { id: item.authorId, name: names.get(item.authorId) ?? m.knowledge_former_member({}, { locale }), anonymous: false, mine };
}

const Moderation = z.object({ visibility: z.enum(['hidden', 'warning', 'redacted']), reason: z.string() }).nullable();

function moderated(state: ModerationState | null, content: { html: string; source: string }, viewer: Viewer | null) {
  return moderatedView(state, content, { isModerator: viewer?.isModerator ?? false });
}
/** What members read instead of a hidden item's title, in their language. */
const hiddenTitle = (state: ModerationState | null, title: string, viewer: Viewer | null) =>
  state?.visibility === 'hidden' && !viewer?.isModerator ? m.knowledge_hidden_title({}, { locale: viewer?.locale ?? baseLocale }) : title;

export const QuestionView = z
  .object({
    id: z.string(),
    channelId: z.string(),
    title: z.string(),
    html: z.string(),
    source: z.string(),
    tags: z.array(z.string()),
    author: AuthorView,
    score: z.number(),
    myVote: z.number().describe('-1, 0 or 1'),
    answerCount: z.number(),
    acceptedAnswerId: z.string().nullable(),
    canAccept: z.boolean().describe('You asked it, or you moderate'),
    createdAt: z.string(),
    moderation: Moderation,
  })
  .meta({ id: 'Question' });
export type QuestionView = z.infer<typeof QuestionView>;

export function presentQuestion(item: QuestionItem, viewer: Viewer | null, names: Names, myVote = 0): QuestionView {
  const content = moderated(item.moderation, item, viewer);
  return {
    id: item._id,
    channelId: item.channelId,
    title: hiddenTitle(item.moderation, item.title, viewer),
    html: content.html,
    source: content.source,
    tags: item.tags,
    author: presentAuthor(item, viewer, names),
    score: item.score,
    myVote,
    answerCount: item.answerCount,
    acceptedAnswerId: item.acceptedAnswerId,
    canAccept: viewer !== null && (viewer.isModerator || viewer.id === item.authorId),
    createdAt: item.createdAt.toISOString(),
    moderation: content.moderation,
  };
}

export const AnswerView = z
  .object({
    id: z.string(),
    questionId: z.string(),
    html: z.string(),
    source: z.string(),
    author: AuthorView,
    score: z.number(),
    myVote: z.number(),
    accepted: z.boolean(),
    createdAt: z.string(),
    moderation: Moderation,
  })
  .meta({ id: 'Answer' });
export type AnswerView = z.infer<typeof AnswerView>;

export function presentAnswer(item: AnswerItem, viewer: Viewer | null, names: Names, acceptedId: string | null, myVote = 0): AnswerView {
  const content = moderated(item.moderation, item, viewer);
  return {
    id: item._id,
    questionId: item.questionId,
    html: content.html,
    source: content.source,
    author: presentAuthor(item, viewer, names),
    score: item.score,
    myVote,
    accepted: acceptedId === item._id,
    createdAt: item.createdAt.toISOString(),
    moderation: content.moderation,
  };
}

const AttachmentView = z.object({ size: z.number(), url: z.string().describe('Download (members who may read the channel)') }).nullable();

export const PaperView = z
  .object({
    id: z.string(),
    channelId: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    year: z.number().nullable(),
    venue: z.string(),
    abstractHtml: z.string(),
    abstract: z.string(),
    doi: z.string().nullable(),
    doiUrl: z.string().nullable().describe('`https://doi.org/<doi>`'),
    link: z.string().nullable(),
    tags: z.array(z.string()),
    pdf: AttachmentView,
    sharedBy: AuthorView,
    commentCount: z.number(),
    canUpload: z.boolean(),
    createdAt: z.string(),
    moderation: Moderation,
  })
  .meta({ id: 'Paper' });
export type PaperView = z.infer<typeof PaperView>;

export function presentPaper(item: PaperItem, viewer: Viewer | null, names: Names): PaperView {
  const content = moderated(item.moderation, item, viewer);
  const hidden = content.moderation?.visibility === 'hidden' && !viewer?.isModerator;
  return {
    id: item._id,
    channelId: item.channelId,
    title: hiddenTitle(item.moderation, item.title, viewer),
    authors: hidden ? [] : item.authors,
    year: item.year,
    venue: hidden ? '' : item.venue,
    abstractHtml: content.html,
    abstract: content.source,
    doi: hidden ? null : item.doi,
    doiUrl: hidden || !item.doi ? null : `https://doi.org/${item.doi}`,
    link: hidden ? null : item.link,
    tags: item.tags,
    pdf: item.attachment && !hidden ? { size: item.attachment.size, url: `/api/channels/${item.channelId}/papers/${item._id}/pdf` } : null,
    sharedBy: presentAuthor(item, viewer, names),
    commentCount: item.commentCount,
    canUpload: viewer !== null && (viewer.isModerator || viewer.id === item.authorId),
    createdAt: item.createdAt.toISOString(),
    moderation: content.moderation,
  };
}

export const CommentView = z
  .object({ id: z.string(), paperId: z.string(), html: z.string(), source: z.string(), author: AuthorView, createdAt: z.string(), moderation: Moderation })
  .meta({ id: 'PaperComment' });

export function presentComment(item: CommentItem, viewer: Viewer | null, names: Names): z.infer<typeof CommentView> {
  const content = moderated(item.moderation, item, viewer);
  return { id: item._id, paperId: item.paperId, html: content.html, source: content.source, author: presentAuthor(item, viewer, names), createdAt: item.createdAt.toISOString(), moderation: content.moderation };
}

export const ResourceView = z
  .object({
    id: z.string(),
    channelId: z.string(),
    title: z.string(),
    category: z.string(),
    html: z.string(),
    source: z.string(),
    revision: z.number(),
    attachment: AttachmentView,
    updatedAt: z.string(),
    createdAt: z.string(),
    mine: z.boolean().describe('You created it (so you do not report it)'),
    moderation: Moderation,
  })
  .meta({ id: 'LibraryResource' });
export type ResourceView = z.infer<typeof ResourceView>;

export function presentResource(item: ResourceItem, viewer: Viewer | null): ResourceView {
  const content = moderated(item.moderation, item, viewer);
  return {
    id: item._id,
    channelId: item.channelId,
    title: hiddenTitle(item.moderation, item.title, viewer),
    category: item.category,
    html: content.html,
    source: content.source,
    revision: item.revision,
    attachment: item.attachment && content.moderation?.visibility !== 'hidden' ? { size: item.attachment.size, url: `/api/channels/${item.channelId}/resources/${item._id}/pdf` } : null,
    updatedAt: item.updatedAt.toISOString(),
    createdAt: item.createdAt.toISOString(),
    mine: viewer !== null && viewer.id === item.authorId,
    moderation: content.moderation,
  };
}

export const RevisionView = z
  .object({
    n: z.number(),
    title: z.string(),
    category: z.string(),
    html: z.string().describe("Empty when moderators hid the resource, and for earlier versions of a redacted one (they hold what was redacted)"),
    note: z.string(),
    by: AuthorView,
    credit: AuthorView.nullable(),
    at: z.string(),
    moderation: Moderation.describe("The resource's moderation, as on the resource itself"),
  })
  .meta({ id: 'LibraryRevision' });

/**
 * A version of a resource, under the resource's moderation: every version of a hidden resource
 * is hidden (no title, text or note) for everyone but moderators; when personal data was redacted,
 * the current version shows the redacted text and earlier versions show none (they still hold the
 * original); behind a content warning, versions are marked so clients collapse them.
 */
export function presentRevision(item: RevisionItem, viewer: Viewer | null, names: Names, resource: Pick<ResourceItem, 'moderation' | 'revision'>): z.infer<typeof RevisionView> {
  const state = resource.moderation;
  const content = moderated(state, { html: item.html, source: item.source }, viewer);
  const hidden = content.moderation?.visibility === 'hidden' && !viewer?.isModerator;
  // A redaction replaces the current text only: older versions would bring the original back.
  const withheld = !viewer?.isModerator && state?.redactedHtml != null && item.n !== resource.revision;
  return {
    n: item.n,
    title: hiddenTitle(state, item.title, viewer),
    category: item.category,
    html: withheld ? '' : content.html,
    // The first version's note is the server's own ("First version", stored in the base language): worded for the reader.
    note: hidden ? '' : item.n === 1 ? m.knowledge_first_version({}, { locale: viewer?.locale ?? baseLocale }) : item.note,
    by: presentAuthor(item, viewer, names),
    credit: item.creditId ? presentAuthor({ authorId: item.creditId }, viewer, names) : null,
    at: item.createdAt.toISOString(),
    moderation: content.moderation,
  };
}

export const SuggestionView = z
  .object({
    id: z.string(),
    resourceId: z.string(),
    baseRevision: z.number(),
    html: z.string(),
    source: z.string(),
    note: z.string(),
    status: z.enum(['open', 'accepted', 'declined']),
    reason: z.string(),
    author: AuthorView,
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'LibrarySuggestion' });

export function presentSuggestion(item: SuggestionItem, viewer: Viewer | null, names: Names): z.infer<typeof SuggestionView> {
  return {
    id: item._id,
    resourceId: item.resourceId,
    baseRevision: item.baseRevision,
    html: item.html,
    source: item.source,
    note: item.note,
    status: item.status,
    reason: item.reason,
    author: presentAuthor(item, viewer, names),
    createdAt: item.createdAt.toISOString(),
    decidedAt: item.decidedAt ? item.decidedAt.toISOString() : null,
  };
}
