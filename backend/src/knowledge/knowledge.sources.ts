import type { AppContext } from '../context.ts';
import type { ChannelDoc, ChannelKind } from '../channels/channel.model.ts';
import { trusted } from '../db/database.ts';
import type { ChannelAccess } from '../messages/message.actions.ts';
import { moderatedView, type ContentType, type ModeratableItem, type ModerationSource, type ModerationState } from '../moderation/moderation.types.ts';
import { canEnterSpace, isModerator, type Actor } from '../policy/policy.ts';
import type { SearchPresentation, SearchRef, SearchSource, SearchType } from '../search/search.types.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import { accessKnowledge, announce, plain, visibleToActor } from './knowledge.actions.ts';
import { paperSearchDocument } from './papers.actions.ts';
import { resourceSearchDocument } from './library.actions.ts';
import { answerSearchDocument, questionSearchDocument } from './questions.actions.ts';
import { m, type Localized } from '../http/locale.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import type { KnowledgeItem, KnowledgeStore, PaperItem, QuestionItem, ResourceItem } from './knowledge.store.ts';

type KnowledgeType = 'question' | 'answer' | 'paper' | 'library' | 'comment';
const ITEM_TYPE: Record<KnowledgeType, KnowledgeItem['type']> = { question: 'question', answer: 'answer', paper: 'paper', library: 'resource', comment: 'comment' };
const CHANNEL_KIND: Record<KnowledgeType, ChannelKind> = { question: 'qa', answer: 'qa', paper: 'papers', library: 'library', comment: 'papers' };

/** `<type>:<channelId>:<itemId>` → its parts (search keys); null when malformed. */
function parseKey(key: string): { channelId: string; itemId: string } | null {
  const [, channelId, itemId] = key.split(':');
  return channelId && itemId && /^[0-9a-f]{24}$/.test(channelId) ? { channelId, itemId } : null;
}

function linkOf(item: KnowledgeItem): string {
  switch (item.type) {
    case 'question':
      return `/channels/${item.channelId}/questions/${item._id}`;
    case 'answer':
      return `/channels/${item.channelId}/questions/${item.questionId}#answer-${item._id}`;
    case 'paper':
      return `/channels/${item.channelId}/papers/${item._id}`;
    case 'comment':
      return `/channels/${item.channelId}/papers/${item.paperId}#comment-${item._id}`;
    case 'suggestion':
    case 'revision':
      return `/channels/${item.channelId}/resources/${item.resourceId}`;
    default:
      return `/channels/${item.channelId}/resources/${item._id}`;
  }
}

/** The channels and spaces of these channel ids, both small collections, in two queries. */
async function channelsWithSpaces(ctx: AppContext, channelIds: string[]): Promise<Map<string, ChannelAccess>> {
  const channels = await ctx.models.Channel.find({ _id: trusted({ $in: channelIds }) }).lean<ChannelDoc[]>();
  const spaces = await ctx.models.Space.find({ _id: trusted({ $in: [...new Set(channels.map((channel) => String(channel.spaceId)))] }) }).lean<SpaceDoc[]>();
  const spaceById = new Map(spaces.map((space) => [String(space._id), space]));
  const result = new Map<string, ChannelAccess>();
  for (const channel of channels) {
    const space = spaceById.get(String(channel.spaceId));
    if (space) result.set(String(channel._id), { channel, space });
  }
  return result;
}

/** Loads the items behind refs, grouped per channel: one query per channel collection. */
async function itemsOf(store: KnowledgeStore, refs: SearchRef[]): Promise<Map<string, KnowledgeItem>> {
  const byChannel = new Map<string, { key: string; itemId: string }[]>();
  for (const ref of refs) {
    const parsed = parseKey(ref.key);
    if (!parsed) continue;
    byChannel.set(parsed.channelId, [...(byChannel.get(parsed.channelId) ?? []), { key: ref.key, itemId: parsed.itemId }]);
  }
  const result = new Map<string, KnowledgeItem>();
  await Promise.all(
    [...byChannel].map(async ([channelId, wanted]) => {
      const items = new Map((await store.many(channelId, wanted.map((entry) => entry.itemId))).map((item) => [item._id, item]));
      for (const entry of wanted) {
        const item = items.get(entry.itemId);
        if (item) result.set(entry.key, item);
      }
    }),
  );
  return result;
}

/** The questions of these answers, by id: one query per channel. */
async function questionsOf(store: KnowledgeStore, items: KnowledgeItem[]): Promise<Map<string, KnowledgeItem>> {
  const byChannel = new Map<string, string[]>();
  for (const item of items) if (item.type === 'answer') byChannel.set(item.channelId, [...(byChannel.get(item.channelId) ?? []), item.questionId]);
  const result = new Map<string, KnowledgeItem>();
  for (const [channelId, ids] of byChannel) for (const question of await store.many(channelId, [...new Set(ids)])) if (question.type === 'question') result.set(question._id, question);
  return result;
}

export function knowledgeSearchSources(ctx: AppContext, store: KnowledgeStore): SearchSource[] {
  const make = (type: Exclude<KnowledgeType, 'comment'>): SearchSource => ({
    type: type as SearchType,
    async visible(actor: Actor, refs: SearchRef[]): Promise<Set<string>> {
      const items = await itemsOf(store, refs);
      const channels = await channelsWithSpaces(ctx, [...new Set([...items.values()].map((item) => item.channelId))]);
      // The answers to a hidden question are withheld with it (they quote it, and carry its title).
      const questions = await questionsOf(store, [...items.values()]);
      const visible = new Set<string>();
      for (const [key, item] of items) {
        const access = channels.get(item.channelId);
        if (!access || access.channel.kind !== CHANNEL_KIND[type] || item.type !== ITEM_TYPE[type]) continue;
        const question = item.type === 'answer' ? questions.get(item.questionId) : undefined;
        if (item.type === 'answer' && (!question || !visibleToActor(question, actor))) continue;
        if (canEnterSpace(actor, access.space) && visibleToActor(item, actor)) visible.add(key);
      }
      return visible;
    },
    async present(actor: Actor, refs: SearchRef[], locale: Locale = baseLocale): Promise<Map<string, SearchPresentation>> {
      const items = await itemsOf(store, refs);
      // Answers are shown under their question's title.
      const titles = new Map([...(await questionsOf(store, [...items.values()])).values()].map((question) => [question._id, 'title' in question ? question.title : '']));
      const result = new Map<string, SearchPresentation>();
      for (const [key, item] of items) {
        const title =
          item.type === 'answer'
            ? m.knowledge_search_answer_title({ question: titles.get(item.questionId) ?? m.knowledge_search_a_question({}, { locale }) }, { locale })
            : 'title' in item
              ? item.title
              : '';
        // What a reader may see of the text: redacted personal data stays redacted in snippets too.
        const shown = 'source' in item ? moderatedView(item.moderation, { html: item.html, source: item.source }, { isModerator: isModerator(actor) }).source : '';
        const text = item.type === 'paper' ? plain(`${item.authors.join(', ')} ${shown}`) : plain(shown);
        result.set(key, { title, text, link: linkOf(item), concealed: item.moderation?.visibility === 'warning' });
      }
      return result;
    },
  });
  return [make('question'), make('answer'), make('paper'), make('library')];
}

export function knowledgeModerationSources(ctx: AppContext, store: KnowledgeStore): ModerationSource[] {
  const make = (type: KnowledgeType): ModerationSource => {
    const parse = (id: string) => {
      const [channelId, itemId] = id.split(':');
      return channelId && itemId && /^[0-9a-f]{24}$/.test(channelId) && /^[0-9a-f]{24}$/.test(itemId) ? { channelId, itemId } : null;
    };
    /** The title an item is shown under: answers under their question's, comments under their paper's. */
    const titleOf =
      (item: KnowledgeItem, titles: Map<string, string>): Localized =>
      (locale) =>
        item.type === 'answer'
          ? m.moderation_item_answer({ question: titles.get(item.questionId) ?? '' }, { locale })
          : item.type === 'comment'
            ? m.moderation_item_comment({ paper: titles.get(item.paperId) ?? '' }, { locale })
            : 'title' in item
              ? item.title
              : '';
    const toModeratable = (access: ChannelAccess, item: KnowledgeItem, titles: Map<string, string>): ModeratableItem => ({
      ref: { type: type as ContentType, id: `${item.channelId}:${item._id}` },
      // The real author, so they are told of decisions and may appeal; moderation shows it to nobody
      // (moderators learn it only through the audited reveal).
      authorId: item.authorId,
      anonymous: 'anonymous' in item && item.anonymous,
      spaceId: String(access.space._id),
      channelId: item.channelId,
      title: titleOf(item, titles),
      html: 'html' in item ? item.html : '',
      source: 'source' in item ? item.source : '',
      createdAt: item.createdAt,
      moderation: item.moderation,
      link: linkOf(item),
    });
    const loadFor = async (actor: Actor, id: string): Promise<{ access: ChannelAccess; item: KnowledgeItem } | null> => {
      const parsed = parse(id);
      if (!parsed) return null;
      const access = await accessKnowledge(ctx, actor, parsed.channelId, CHANNEL_KIND[type]).catch(() => null);
      if (!access) return null;
      const [item] = await store.many(parsed.channelId, [parsed.itemId]);
      return item && item.type === ITEM_TYPE[type] ? { access, item } : null;
    };
    /** Titles of the questions and papers that these answers and comments belong to. */
    const questionTitles = async (channelId: string, items: KnowledgeItem[]) => {
      const ids = items.flatMap((item) => (item.type === 'answer' ? [item.questionId] : item.type === 'comment' ? [item.paperId] : []));
      if (ids.length === 0) return new Map<string, string>();
      return new Map((await store.many(channelId, ids)).map((item) => [item._id, 'title' in item ? item.title : '']));
    };
    return {
      type: type as ContentType,
      async load(actor, id) {
        const found = await loadFor(actor, id);
        return found ? toModeratable(found.access, found.item, await questionTitles(found.item.channelId, [found.item])) : null;
      },
      async context(actor, id, around) {
        const found = await loadFor(actor, id);
        if (found?.item.type === 'comment') {
          // A comment's context: the paper's other comments, nearest in time first.
          const target = found.item;
          const comments = (await store.list(target.channelId, 'comment', { paperId: target.paperId })).filter((comment) => comment._id !== target._id);
          const near = comments.sort((a, b) => Math.abs(a.createdAt.getTime() - target.createdAt.getTime()) - Math.abs(b.createdAt.getTime() - target.createdAt.getTime())).slice(0, around * 2);
          near.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
          const titles = await questionTitles(target.channelId, [target]);
          return near.map((item) => toModeratable(found.access, item, titles));
        }
        if (!found || (found.item.type !== 'question' && found.item.type !== 'answer')) return [];
        const questionId = found.item.type === 'question' ? found.item._id : found.item.questionId;
        const answers = (await store.list(found.item.channelId, 'answer', { questionId })).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
        const question = await store.get(found.item.channelId, 'question', questionId);
        const related = [...(question && question._id !== found.item._id ? [question] : []), ...answers.filter((answer) => answer._id !== found.item._id)].slice(0, around * 2);
        const titles = await questionTitles(found.item.channelId, related);
        return related.map((item) => toModeratable(found.access, item, titles));
      },
      async setState(id, state: ModerationState | null) {
        const parsed = parse(id);
        if (!parsed) return;
        const item = await store.update<KnowledgeItem>(parsed.channelId, parsed.itemId, { $set: { moderation: state } });
        if (!item) return;
        const [access] = (await channelsWithSpaces(ctx, [parsed.channelId])).values();
        // Written before the action answers: a search must not match words just hidden or redacted.
        const now = { now: true };
        if (access) {
          if (item.type === 'question') await ctx.search.index(questionSearchDocument(access, item as QuestionItem), now);
          if (item.type === 'answer') {
            const question = await store.get(parsed.channelId, 'question', item.questionId);
            if (question) await ctx.search.index(answerSearchDocument(access, question, item), now);
          }
          if (item.type === 'paper') await ctx.search.index(paperSearchDocument(access, item as PaperItem), now);
          if (item.type === 'resource') await ctx.search.index(resourceSearchDocument(access, item as ResourceItem), now);
        }
        const parentId = item.type === 'answer' ? item.questionId : item.type === 'comment' ? item.paperId : item._id;
        announce(ctx, { channelId: parsed.channelId, type: item.type === 'revision' ? 'resource' : item.type, id: item._id, parentId });
      },
    };
  };
  return [make('question'), make('answer'), make('paper'), make('library'), make('comment')];
}
