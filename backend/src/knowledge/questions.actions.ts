import { isOpenSpace } from '../notifications/notification-mail.ts';
import type { AppContext } from '../context.ts';
import { fieldInvalid, Forbidden, Invalid, NotFound } from '../http/errors.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { ChannelAccess } from '../messages/message.actions.ts';
import { renderMarkdown } from '../messages/render.ts';
import { canEnterSpace, isModerator } from '../policy/policy.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { SearchDocument } from '../search/search.types.ts';
import {
  accessKnowledge,
  accessKnowledgeForWriting,
  announce,
  anonymityFor,
  assertOpenForReplies,
  hiddenFrom,
  memberMayEnter,
  namesOf,
  newItemId,
  indexedText,
  plain,
  recordAnonymousPost,
  takePostingTurn,
  viewerOf,
  type Reader,
} from './knowledge.actions.ts';
import { anonymousName } from './knowledge.anonymity.ts';
import { presentAnswer, presentQuestion, type AnswerView, type QuestionView } from './knowledge.presenter.ts';
import type { AnswerBody, AskBody } from './knowledge.schemas.ts';
import type { AnswerItem, KnowledgeStore, QuestionItem } from './knowledge.store.ts';
import { m, msg, m as notifyText, msg as notifyMsg } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';

export function questionSearchDocument(access: ChannelAccess, question: QuestionItem): SearchDocument {
  return {
    key: `question:${question.channelId}:${question._id}`,
    type: 'question',
    spaceId: String(access.space._id),
    channelId: question.channelId,
    // An anonymous author never reaches the index: a search by author would reveal them.
    authorId: question.anonymous ? null : question.authorId,
    tags: question.tags,
    createdAt: question.createdAt,
    title: question.title,
    ...indexedText(question),
  };
}

export function answerSearchDocument(access: ChannelAccess, question: QuestionItem, answer: AnswerItem): SearchDocument {
  return {
    key: `answer:${answer.channelId}:${answer._id}`,
    type: 'answer',
    spaceId: String(access.space._id),
    channelId: answer.channelId,
    authorId: answer.anonymous ? null : answer.authorId,
    tags: question.tags,
    createdAt: answer.createdAt,
    title: question.title,
    ...indexedText(answer),
  };
}

export class Questions {
  constructor(
    private readonly ctx: AppContext,
    private readonly store: KnowledgeStore,
  ) {}

  async list(actor: Reader, channelId: string, query: { sort: 'votes' | 'newest' | 'unanswered'; tag?: string; limit: number; offset: number }): Promise<QuestionView[]> {
    await accessKnowledge(this.ctx, actor, channelId, 'qa');
    let questions = await this.store.list(channelId, 'question');
    if (query.tag) questions = questions.filter((question) => question.tags.includes(query.tag!));
    if (query.sort === 'unanswered') questions = questions.filter((question) => question.answerCount === 0);
    questions.sort((a, b) => (query.sort === 'votes' ? b.score - a.score : 0) || b.createdAt.getTime() - a.createdAt.getTime());
    questions = questions.slice(query.offset, query.offset + query.limit);
    const [names, votes] = await Promise.all([namesOf(this.ctx, questions), this.store.myVotes(channelId, actor.id, questions.map((question) => question._id))]);
    const viewer = viewerOf(actor);
    return questions.map((question) => presentQuestion(question, viewer, names, votes.get(question._id) ?? 0));
  }

  async #question(channelId: string, questionId: string): Promise<QuestionItem> {
    const question = await this.store.get(channelId, 'question', questionId);
    if (!question) throw new NotFound(msg(m.error_question_no_such));
    return question;
  }

  /** A question with its answers: the accepted one first, then by votes, then oldest first. */
  async get(actor: Reader, channelId: string, questionId: string): Promise<{ question: QuestionView; answers: AnswerView[] }> {
    await accessKnowledge(this.ctx, actor, channelId, 'qa');
    const question = await this.#question(channelId, questionId);
    // The answers to a hidden question go with it (they quote and discuss it), except for moderators.
    const answers = hiddenFrom(question, viewerOf(actor)) ? [] : await this.store.list(channelId, 'answer', { questionId });
    answers.sort((a, b) => Number(b._id === question.acceptedAnswerId) - Number(a._id === question.acceptedAnswerId) || b.score - a.score || a.createdAt.getTime() - b.createdAt.getTime());
    const [names, votes] = await Promise.all([namesOf(this.ctx, [question, ...answers]), this.store.myVotes(channelId, actor.id, [question._id, ...answers.map((answer) => answer._id)])]);
    const viewer = viewerOf(actor);
    return {
      question: presentQuestion(question, viewer, names, votes.get(question._id) ?? 0),
      answers: answers.map((answer) => presentAnswer(answer, viewer, names, question.acceptedAnswerId, votes.get(answer._id) ?? 0)),
    };
  }

  async ask(actor: Reader, channelId: string, body: AskBody): Promise<QuestionView> {
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'qa');
    this.ctx.postingLimiter.take(actor.id);
    await takePostingTurn(this.ctx, actor, access);
    const now = new Date();
    const question: QuestionItem = {
      _id: newItemId(),
      type: 'question',
      channelId,
      authorId: actor.id,
      anonymous: body.anonymous,
      ...(body.anonymous ? await anonymityFor(this.ctx, actor) : { anonLabel: null }),
      title: body.title.trim(),
      source: body.body,
      html: renderMarkdown(body.body),
      tags: body.tags,
      score: 0,
      answerCount: 0,
      acceptedAnswerId: null,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
    await this.store.insert(question);
    if (question.anonymous) await recordAnonymousPost(this.ctx, actor.id, { channelId, itemId: question._id, type: 'question' });
    announce(this.ctx, { channelId, type: 'question', id: question._id, parentId: question._id });
    await this.ctx.search.index(questionSearchDocument(access, question));
    return presentQuestion(question, viewerOf(actor), await namesOf(this.ctx, [question]));
  }

  /** Stores an answer, then tells the room and notifies the asker (under the answer's label if anonymous). */
  async answer(actor: Reader, member: MemberDoc, channelId: string, questionId: string, body: AnswerBody): Promise<AnswerView> {
    const access = await accessKnowledgeForWriting(this.ctx, actor, channelId, 'qa');
    const question = await this.#question(channelId, questionId);
    assertOpenForReplies(question, actor, 'question');
    this.ctx.postingLimiter.take(actor.id);
    await takePostingTurn(this.ctx, actor, access);
    const now = new Date();
    const answer: AnswerItem = {
      _id: newItemId(),
      type: 'answer',
      channelId,
      questionId,
      authorId: actor.id,
      anonymous: body.anonymous,
      ...(body.anonymous ? await anonymityFor(this.ctx, actor) : { anonLabel: null }),
      source: body.body,
      html: renderMarkdown(body.body),
      score: 0,
      createdAt: now,
      updatedAt: now,
      moderation: null,
    };
    await this.store.insert(answer);
    await this.store.update(channelId, questionId, { $inc: { answerCount: 1 } });
    if (answer.anonymous) await recordAnonymousPost(this.ctx, actor.id, { channelId, itemId: answer._id, type: 'answer' });
    announce(this.ctx, { channelId, type: 'answer', id: answer._id, parentId: questionId });
    await this.ctx.search.index(answerSearchDocument(access, question, answer));
    if (question.authorId !== actor.id && (await memberMayEnter(this.ctx, question.authorId, access))) {
      // Under the answer's label in the asker's language, or the answerer's name as it is.
      const who = (locale: Locale) => (answer.anonymous ? anonymousName(answer, locale) : member.name);
      await this.ctx.notifier.notify(question.authorId, {
        kind: 'question.answered',
        title: notifyMsg(notifyText.notify_answer_title, { title: question.title.slice(0, 80) }),
        body: (locale) => notifyText.notify_answer_from({ who: who(locale) }, { locale }),
        link: `/channels/${channelId}/questions/${questionId}`,
      }, { spaceOpen: isOpenSpace(access.space) });
    }
    return presentAnswer(answer, viewerOf(actor), await namesOf(this.ctx, [answer]), question.acceptedAnswerId);
  }

  /** One vote per member and item, changeable; never on one's own post. */
  async vote(actor: Reader, channelId: string, questionId: string, answerId: string | null, value: -1 | 0 | 1): Promise<{ score: number; myVote: number }> {
    await accessKnowledgeForWriting(this.ctx, actor, channelId, 'qa');
    const question = await this.#question(channelId, questionId);
    const target = answerId ? await this.store.get(channelId, 'answer', answerId) : question;
    if (!target || (target.type === 'answer' && target.questionId !== questionId)) throw new NotFound(msg(m.error_question_no_such_answer));
    if (target.authorId === actor.id) throw new Forbidden(msg(m.error_question_own_vote));
    const { delta, item } = await this.store.vote(channelId, target._id, actor.id, value);
    if (delta !== 0) announce(this.ctx, { channelId, type: target.type, id: target._id, parentId: questionId });
    return { score: (item as QuestionItem | AnswerItem | null)?.score ?? 0, myVote: value };
  }

  /** The asker or a moderator accepts one answer (replacing an earlier choice) or none. */
  async accept(actor: Reader, channelId: string, questionId: string, answerId: string | null): Promise<QuestionView> {
    await accessKnowledgeForWriting(this.ctx, actor, channelId, 'qa');
    const question = await this.#question(channelId, questionId);
    if (question.authorId !== actor.id && !isModerator(actor)) throw new Forbidden(msg(m.error_question_accept_asker_only));
    if (answerId) {
      const answer = await this.store.get(channelId, 'answer', answerId);
      if (!answer || answer.questionId !== questionId) throw fieldInvalid([{ location: 'body', path: 'answerId', message: msg(m.error_question_answer_not_here) }]);
    }
    const updated = await this.store.update<QuestionItem>(channelId, questionId, { $set: { acceptedAnswerId: answerId, updatedAt: new Date() } });
    announce(this.ctx, { channelId, type: 'question', id: questionId, parentId: questionId });
    return presentQuestion(updated!, viewerOf(actor), await namesOf(this.ctx, [updated!]), (await this.store.myVotes(channelId, actor.id, [questionId])).get(questionId) ?? 0);
  }

  /**
   * Who posted an anonymous question or answer: moderators only, who must be able to enter the
   * space, and each reveal is audited with its reason.
   */
  async reveal(actor: Reader, channelId: string, itemId: string, reason: string, ip: string | undefined): Promise<{ authorId: string; name: string; organisation: string | null }> {
    const access = await accessKnowledge(this.ctx, actor, channelId, 'qa');
    if (!canEnterSpace(actor, access.space)) throw new NotFound(msg(m.error_no_such_channel));
    const [item] = await this.store.many(channelId, [itemId]);
    if (!item || (item.type !== 'question' && item.type !== 'answer')) throw new NotFound(msg(m.error_question_no_such_post));
    if (!item.anonymous) throw new Invalid(msg(m.error_question_not_anonymous), undefined, 'not_anonymous');
    await this.ctx.audit.record({
      action: 'knowledge.author_revealed',
      actorId: actor.id,
      target: { type: item.type, id: `${channelId}:${itemId}` },
      details: { reason },
      req: { ip },
    });
    const member = await this.ctx.cache.member(item.authorId);
    const org = member?.organisationId ? await this.ctx.cache.organisation(member.organisationId) : null;
    return { authorId: item.authorId, name: member?.name ?? m.knowledge_former_member({}, { locale: actor.locale }), organisation: org?.name ?? null };
  }
}
