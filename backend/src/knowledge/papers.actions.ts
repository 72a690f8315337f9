import type { Request, Response } from 'express';
import type { AppContext } from '../context.ts';
import { Forbidden, NotFound } from '../http/errors.ts';
import type { ChannelAccess } from '../messages/message.actions.ts';
import { renderMarkdown } from '../messages/render.ts';
import { isModerator, type Actor } from '../policy/policy.ts';
import type { SearchDocument } from '../search/search.types.ts';
import { readUpload, type FileStore } from './file.store.ts';
import { accessKnowledge, accessKnowledgeForWriting, announce, assertOpenForReplies, hiddenFrom, indexedText, namesOf, newItemId, plain, takePostingTurn, viewerOf, type Reader } from './knowledge.actions.ts';
import { presentComment, presentPaper, type PaperView } from './knowledge.presenter.ts';
import type { PaperBody } from './knowledge.schemas.ts';
import type { Attachment, CommentItem, KnowledgeStore, PaperItem, ResourceItem } from './knowledge.store.ts';
import { m, msg } from '../http/locale.ts';

export function paperSearchDocument(access: ChannelAccess, paper: PaperItem): SearchDocument {
  return {
    key: `paper:${paper.channelId}:${paper._id}`,
    type: 'paper',
    spaceId: String(access.space._id),
    channelId: paper.channelId,
    authorId: paper.authorId,
    tags: paper.tags,
    createdAt: paper.createdAt,
    title: paper.title,
    // Abstracts are searchable, and so are the paper's authors, venue and DOI.
    ...(({ text, hidden }) => ({ text: plain([paper.authors.join(', '), paper.venue, paper.year ?? '', paper.doi ?? '', text].join(' ')), hidden }))(indexedText(paper)),
  };
}

/** Uploads (papers and library resources): per member, 30 an hour. */
export async function uploadLimit(ctx: AppContext, actor: Actor): Promise<void> {
  await ctx.rateLimiter.hit(`upload:member:${actor.id}`, 30, 3600_000);
}

/**
 * Reads, checks and stores an uploaded PDF for a paper or resource, replacing an earlier one.
 * Precondition: the caller has checked the actor may attach files to `item`. Audited.
 */
export async function attachPdf(ctx: AppContext, files: FileStore, store: KnowledgeStore, actor: Actor, item: PaperItem | ResourceItem, req: Request, res: Response): Promise<Attachment> {
  await uploadLimit(ctx, actor);
  const bytes = await readUpload(req, res);
  const file = await files.save(bytes, { uploaderId: actor.id, channelId: item.channelId, itemId: item._id });
  const attachment: Attachment = { fileId: file._id, size: file.size };
  await store.update(item.channelId, item._id, { $set: { attachment, updatedAt: new Date() } });
  if (item.attachment) await files.remove(item.attachment.fileId);
  await ctx.audit.record({
    action: 'file.uploaded',
    actorId: actor.id,
    target: { type: item.type, id: `${item.channelId}:${item._id}` },
    details: { fileId: file._id, size: file.size, sha256: file.sha256 },
    req,
  });
  announce(ctx, { channelId: item.channelId, type: item.type, id: item._id, parentId: item._id });
  return attachment;
}

export class Papers {
  constructor(
    private readonly ctx: AppContext,
    private readonly store: KnowledgeStore,
    private readonly files: FileStore,
  ) {}

  async list(actor: Reader, channelId: string, query: { tag?: string; limit: number; offset: number }): Promise<PaperView[]> {
    await accessKnowledge(this.ctx, actor, channelId, 'papers');
    let papers = await this.store.list(channelId, 'paper');
    if (query.tag) papers = papers.filter((paper) => paper.tags.includes(query.tag!));
    papers.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    papers = papers.slice(query.offset, query.offset + query.limit);
    const names = await namesOf(this.ctx, papers);
    const viewer = viewerOf(actor);
    return papers.map((paper) => presentPaper(paper, viewer, names));
  }

  async paper(channelId: string, paperId: string): Promise<PaperItem> {
    const paper = await this.store.get(channelId, 'paper', paperId);
    if (!paper) throw new NotFound(msg(m.error_paper_no_such));
    return paper;
  }

  async get(actor: Reader, channelId: string, paperId: string) {
    await accessKnowledge(this.ctx, actor, channelId, 'papers');
    const paper = await this.paper(channelId, paperId);
    const viewer = viewerOf(actor);
    // The discussion of a hidden paper goes with it (comments quote what they discuss), except for moderators.
    const comments = hiddenFrom(paper, viewer) ? [] : (await this.store.list(channelId, 'comment', { paperId })).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const names = await namesOf(this.ctx, [paper, ...comments]);
    return { paper: presentPaper(paper, viewer, names), comments: comments.map((comment) => presentComment(comment, viewer, names)) };
  }

  async share(actor: Reader, channelId: string, body: PaperBody): Promise<PaperView> {
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'papers');
    this.ctx.postingLimiter.take(actor.id);
    await takePostingTurn(this.ctx, actor, access);
    const now = new Date();
    const paper: PaperItem = {
      _id: newItemId(),
      type: 'paper',
      channelId,
      authorId: actor.id,
      title: body.title.trim(),
      authors: body.authors.map((author) => author.trim()),
      year: body.year,
      venue: body.venue.trim(),
      source: body.abstract,
      html: renderMarkdown(body.abstract),
      doi: body.doi,
      link: body.link,
      tags: body.tags,
      attachment: null,
      commentCount: 0,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
    await this.store.insert(paper);
    announce(this.ctx, { channelId, type: 'paper', id: paper._id, parentId: paper._id });
    await this.ctx.search.index(paperSearchDocument(access, paper));
    return presentPaper(paper, viewerOf(actor), await namesOf(this.ctx, [paper]));
  }

  async comment(actor: Reader, channelId: string, paperId: string, body: string) {
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'papers');
    assertOpenForReplies(await this.paper(channelId, paperId), actor, 'paper');
    this.ctx.postingLimiter.take(actor.id);
    await takePostingTurn(this.ctx, actor, access);
    const now = new Date();
    const comment: CommentItem = { _id: newItemId(), type: 'comment', channelId, paperId, authorId: actor.id, source: body, html: renderMarkdown(body), createdAt: now, updatedAt: now, moderation: null };
    await this.store.insert(comment);
    await this.store.update(channelId, paperId, { $inc: { commentCount: 1 } });
    announce(this.ctx, { channelId, type: 'comment', id: comment._id, parentId: paperId });
    return presentComment(comment, viewerOf(actor), await namesOf(this.ctx, [comment]));
  }

  /** The member who shared the paper, or a moderator, attaches its PDF. */
  async upload(actor: Reader, channelId: string, paperId: string, req: Request, res: Response): Promise<PaperView> {
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'papers');
    const paper = await this.paper(channelId, paperId);
    if (paper.authorId !== actor.id && !isModerator(actor)) throw new Forbidden(msg(m.error_paper_attach_author_only));
    await attachPdf(this.ctx, this.files, this.store, actor, paper, req, res);
    const updated = await this.paper(channelId, paperId);
    await this.ctx.search.index(paperSearchDocument(access, updated));
    return presentPaper(updated, viewerOf(actor), await namesOf(this.ctx, [updated]));
  }

  /** Streams the PDF to a member who may read the channel. */
  async download(actor: Reader, channelId: string, paperId: string, res: Response): Promise<void> {
    await accessKnowledge(this.ctx, actor, channelId, 'papers');
    const paper = await this.paper(channelId, paperId);
    const hidden = paper.moderation?.visibility === 'hidden' && !isModerator(actor);
    const file = paper.attachment && !hidden ? await this.files.meta(paper.attachment.fileId) : null;
    if (!file) throw new NotFound(msg(m.error_paper_no_pdf));
    await this.files.send(res, file, paper.title);
  }
}
