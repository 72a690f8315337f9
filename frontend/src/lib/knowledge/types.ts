/** What the knowledge operations answer (Q&A, papers, library); see the OpenAPI document. */

export interface KnowledgeAuthor {
  /** Null when posted anonymously. */
  id: string | null;
  name: string;
  anonymous: boolean;
  mine: boolean;
}

export interface Moderation {
  visibility: 'hidden' | 'warning' | 'redacted';
  reason: string;
}

export interface Question {
  id: string;
  channelId: string;
  title: string;
  html: string;
  source: string;
  tags: string[];
  author: KnowledgeAuthor;
  score: number;
  myVote: number;
  answerCount: number;
  acceptedAnswerId: string | null;
  canAccept: boolean;
  createdAt: string;
  moderation: Moderation | null;
}

export interface Answer {
  id: string;
  questionId: string;
  html: string;
  source: string;
  author: KnowledgeAuthor;
  score: number;
  myVote: number;
  accepted: boolean;
  createdAt: string;
  moderation: Moderation | null;
}

export interface QuestionPage {
  question: Question;
  answers: Answer[];
}

export interface Attachment {
  size: number;
  url: string;
}

export interface Paper {
  id: string;
  channelId: string;
  title: string;
  authors: string[];
  year: number | null;
  venue: string;
  abstractHtml: string;
  abstract: string;
  doi: string | null;
  doiUrl: string | null;
  link: string | null;
  tags: string[];
  pdf: Attachment | null;
  sharedBy: KnowledgeAuthor;
  commentCount: number;
  canUpload: boolean;
  createdAt: string;
  moderation: Moderation | null;
}

export interface PaperComment {
  id: string;
  paperId: string;
  html: string;
  author: KnowledgeAuthor;
  createdAt: string;
  moderation: Moderation | null;
}

export interface PaperPage {
  paper: Paper;
  comments: PaperComment[];
}

export interface Resource {
  id: string;
  channelId: string;
  title: string;
  category: string;
  html: string;
  source: string;
  revision: number;
  attachment: Attachment | null;
  updatedAt: string;
  createdAt: string;
  /** You created it (moderators write the library). */
  mine: boolean;
  moderation: Moderation | null;
}

export interface Revision {
  n: number;
  title: string;
  category: string;
  html: string;
  note: string;
  by: KnowledgeAuthor;
  credit: KnowledgeAuthor | null;
  at: string;
  /** The resource's moderation; members get no title or text (empty `html`) when it withholds this version. */
  moderation: Moderation | null;
}

export interface Suggestion {
  id: string;
  resourceId: string;
  baseRevision: number;
  html: string;
  source: string;
  note: string;
  status: 'open' | 'accepted' | 'declined';
  reason: string;
  author: KnowledgeAuthor;
  createdAt: string;
  decidedAt: string | null;
}

export interface AnonymousProfile {
  description: string;
  label: string;
}
