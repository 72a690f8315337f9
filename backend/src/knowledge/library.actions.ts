import type { Request, Response } from 'express';
import type { AppContext } from '../context.ts';
import { Conflict, Forbidden, NotFound, isDuplicateKey } from '../http/errors.ts';
import type { ChannelAccess } from '../messages/message.actions.ts';
import { renderMarkdown } from '../messages/render.ts';
import { isModerator, type Actor } from '../policy/policy.ts';
import type { SearchDocument } from '../search/search.types.ts';
import type { FileStore } from './file.store.ts';
import { accessKnowledge, accessKnowledgeForWriting, announce, memberMayEnter, indexedText, namesOf, newItemId, plain, viewerOf, type Reader } from './knowledge.actions.ts';
import { presentResource, presentRevision, presentSuggestion, type ResourceView } from './knowledge.presenter.ts';
import type { KnowledgeStore, ResourceItem, RevisionItem, SuggestionItem } from './knowledge.store.ts';
import { attachPdf } from './papers.actions.ts';
import { m, msg, m as notifyText, msg as notifyMsg } from '../http/locale.ts';
import { baseLocale } from '../shared/i18n/locale.ts';

export function resourceSearchDocument(access: ChannelAccess, resource: ResourceItem): SearchDocument {
  return {
    key: `library:${resource.channelId}:${resource._id}`,
    type: 'library',
    spaceId: String(access.space._id),
    channelId: resource.channelId,
    authorId: resource.authorId,
    tags: [resource.category.toLowerCase()],
    createdAt: resource.createdAt,
    title: resource.title,
    ...(({ text, hidden }) => ({ text: plain(`${resource.category} ${text}`), hidden }))(indexedText(resource)),
  };
}

/** Library writes are for moderators who can enter the space (the route guard asked for LibraryEdit). */
function assertEditor(actor: Actor): void {
  if (!isModerator(actor)) throw new Forbidden(msg(m.error_library_moderators_only));
}

export class Library {
  constructor(
    private readonly ctx: AppContext,
    private readonly store: KnowledgeStore,
    private readonly files: FileStore,
  ) {}

  async list(actor: Reader, channelId: string, category: string | undefined): Promise<ResourceView[]> {
    await accessKnowledge(this.ctx, actor, channelId, 'library');
    let resources = await this.store.list(channelId, 'resource');
    if (category) resources = resources.filter((resource) => resource.category.toLowerCase() === category.toLowerCase());
    resources.sort((a, b) => a.category.localeCompare(b.category) || a.title.localeCompare(b.title));
    const viewer = viewerOf(actor);
    return resources.map((resource) => presentResource(resource, viewer));
  }

  async resource(channelId: string, resourceId: string): Promise<ResourceItem> {
    const resource = await this.store.get(channelId, 'resource', resourceId);
    if (!resource) throw new NotFound(msg(m.error_library_no_such_resource));
    return resource;
  }

  async get(actor: Reader, channelId: string, resourceId: string): Promise<ResourceView> {
    await accessKnowledge(this.ctx, actor, channelId, 'library');
    return presentResource(await this.resource(channelId, resourceId), viewerOf(actor));
  }

  /** Every version, newest first, with who wrote it and whose suggestion it took, under the resource's moderation. */
  async revisions(actor: Reader, channelId: string, resourceId: string) {
    await accessKnowledge(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    const revisions = (await this.store.list(channelId, 'revision', { resourceId })).sort((a, b) => b.n - a.n);
    const names = await namesOf(this.ctx, revisions);
    const viewer = viewerOf(actor);
    return revisions.map((revision) => presentRevision(revision, viewer, names, resource));
  }

  async create(actor: Reader, channelId: string, body: { title: string; category: string; body: string }): Promise<ResourceView> {
    assertEditor(actor);
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'library');
    const now = new Date();
    const resource: ResourceItem = {
      _id: newItemId(),
      type: 'resource',
      channelId,
      authorId: actor.id,
      title: body.title.trim(),
      category: body.category.trim(),
      source: body.body,
      html: renderMarkdown(body.body),
      revision: 1,
      attachment: null,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
    await this.store.insert(this.#revisionOf(resource, actor.id, 1, m.knowledge_first_version({}, { locale: baseLocale }), null));
    await this.store.insert(resource);
    announce(this.ctx, { channelId, type: 'resource', id: resource._id, parentId: resource._id });
    await this.ctx.search.index(resourceSearchDocument(access, resource));
    return presentResource(resource, viewerOf(actor));
  }

  #revisionOf(resource: Pick<ResourceItem, '_id' | 'channelId' | 'title' | 'category' | 'source' | 'html'>, by: string, n: number, note: string, creditId: string | null): RevisionItem {
    const now = new Date();
    return {
      _id: `${resource._id}:${n}`,
      type: 'revision',
      channelId: resource.channelId,
      resourceId: resource._id,
      n,
      authorId: by,
      title: resource.title,
      category: resource.category,
      source: resource.source,
      html: resource.html,
      note,
      creditId,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
  }

  /**
   * A new revision: its number is claimed by inserting `<resourceId>:<n>` (unique), so two
   * editors at once never overwrite each other silently: the second is told to reload (409).
   */
  async #revise(access: ChannelAccess, actor: Actor, resource: ResourceItem, change: { title?: string; category?: string; body: string; note: string }, creditId: string | null): Promise<ResourceItem> {
    const next = {
      _id: resource._id,
      channelId: resource.channelId,
      title: change.title?.trim() ?? resource.title,
      category: change.category?.trim() ?? resource.category,
      source: change.body,
      html: renderMarkdown(change.body),
    };
    const n = resource.revision + 1;
    try {
      await this.store.insert(this.#revisionOf(next, actor.id, n, change.note, creditId));
    } catch (error) {
      if (isDuplicateKey(error)) throw new Conflict(msg(m.error_library_revised_meanwhile), undefined, 'revised_meanwhile');
      throw error;
    }
    const updated = await this.store.update<ResourceItem>(resource.channelId, resource._id, {
      $set: { title: next.title, category: next.category, source: next.source, html: next.html, revision: n, updatedAt: new Date() },
    });
    announce(this.ctx, { channelId: resource.channelId, type: 'resource', id: resource._id, parentId: resource._id });
    await this.ctx.search.index(resourceSearchDocument(access, updated!), { now: true });
    return updated!;
  }

  async revise(actor: Reader, channelId: string, resourceId: string, change: { title?: string; category?: string; body: string; note: string }): Promise<ResourceView> {
    assertEditor(actor);
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    return presentResource(await this.#revise(access, actor, resource, change, null), viewerOf(actor));
  }

  async suggest(actor: Reader, channelId: string, resourceId: string, body: { body: string; note: string }) {
    await accessKnowledgeForWriting(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    this.ctx.postingLimiter.take(actor.id);
    const now = new Date();
    const suggestion: SuggestionItem = {
      _id: newItemId(),
      type: 'suggestion',
      channelId,
      resourceId,
      baseRevision: resource.revision,
      authorId: actor.id,
      source: body.body,
      html: renderMarkdown(body.body),
      note: body.note.trim(),
      status: 'open',
      reason: '',
      decidedBy: null,
      decidedAt: null,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
    await this.store.insert(suggestion);
    announce(this.ctx, { channelId, type: 'suggestion', id: suggestion._id, parentId: resourceId });
    return presentSuggestion(suggestion, viewerOf(actor), await namesOf(this.ctx, [suggestion]));
  }

  /** Moderators see every suggestion on a resource; members only their own. */
  async suggestions(actor: Reader, channelId: string, resourceId: string) {
    await accessKnowledge(this.ctx, actor, channelId, 'library');
    await this.resource(channelId, resourceId);
    let suggestions = await this.store.list(channelId, 'suggestion', { resourceId });
    if (!isModerator(actor)) suggestions = suggestions.filter((suggestion) => suggestion.authorId === actor.id);
    suggestions.sort((a, b) => Number(b.status === 'open') - Number(a.status === 'open') || b.createdAt.getTime() - a.createdAt.getTime());
    const names = await namesOf(this.ctx, suggestions);
    const viewer = viewerOf(actor);
    return suggestions.map((suggestion) => presentSuggestion(suggestion, viewer, names));
  }

  /**
   * Accept (the suggestion becomes a new revision, credited to its author) or decline (with a
   * reason). Only an open suggestion is decided, once: the status changes conditionally. The
   * suggester is notified; the decision is audited.
   */
  async decide(actor: Reader, channelId: string, resourceId: string, suggestionId: string, decision: { accept: true } | { accept: false; reason: string }, ip: string | undefined) {
    assertEditor(actor);
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    const suggestion = await this.store.get(channelId, 'suggestion', suggestionId);
    if (!suggestion || suggestion.resourceId !== resourceId) throw new NotFound(msg(m.error_library_no_such_suggestion));
    const decided = await this.store.update<SuggestionItem>(
      channelId,
      suggestionId,
      { $set: { status: decision.accept ? 'accepted' : 'declined', reason: decision.accept ? '' : decision.reason.trim(), decidedBy: actor.id, decidedAt: new Date(), updatedAt: new Date() } },
      { status: 'open' },
    );
    if (!decided) throw new Conflict(msg(m.error_library_suggestion_decided), undefined, 'already_decided');
    if (decision.accept) {
      try {
        await this.#revise(access, actor, resource, { body: suggestion.source, note: suggestion.note }, suggestion.authorId);
      } catch (error) {
        await this.store.update(channelId, suggestionId, { $set: { status: 'open', decidedBy: null, decidedAt: null } });
        throw error;
      }
    }
    await this.ctx.audit.record({
      action: 'library.suggestion_decided',
      actorId: actor.id,
      target: { type: 'library', id: `${channelId}:${resourceId}` },
      details: { suggestion: suggestionId, accepted: decision.accept },
      req: { ip },
    });
    announce(this.ctx, { channelId, type: 'suggestion', id: suggestionId, parentId: resourceId });
    if (suggestion.authorId !== actor.id && (await memberMayEnter(this.ctx, suggestion.authorId, access))) {
      await this.ctx.notifier.notify(suggestion.authorId, {
        kind: decision.accept ? 'suggestion.accepted' : 'suggestion.declined',
        title: notifyMsg(decision.accept ? notifyText.notify_suggestion_accepted : notifyText.notify_suggestion_declined, { title: resource.title.slice(0, 80) }),
        body: decision.accept ? '' : notifyMsg(notifyText.notify_suggestion_reason, { reason: decided.reason ?? '' }),
        link: `/channels/${channelId}/resources/${resourceId}`,
      });
    }
    return presentSuggestion(decided, viewerOf(actor), await namesOf(this.ctx, [decided]));
  }

  async upload(actor: Reader, channelId: string, resourceId: string, req: Request, res: Response): Promise<ResourceView> {
    assertEditor(actor);
    await accessKnowledgeForWriting(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    await attachPdf(this.ctx, this.files, this.store, actor, resource, req, res);
    return presentResource(await this.resource(channelId, resourceId), viewerOf(actor));
  }

  async download(actor: Reader, channelId: string, resourceId: string, res: Response): Promise<void> {
    await accessKnowledge(this.ctx, actor, channelId, 'library');
    const resource = await this.resource(channelId, resourceId);
    const hidden = resource.moderation?.visibility === 'hidden' && !isModerator(actor);
    const file = resource.attachment && !hidden ? await this.files.meta(resource.attachment.fileId) : null;
    if (!file) throw new NotFound(msg(m.error_library_no_attachment));
    await this.files.send(res, file, resource.title);
  }
}
