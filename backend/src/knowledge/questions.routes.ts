import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { readerOf } from './knowledge.actions.ts';
import { Permission } from '../policy/policy.ts';
import { AnswerView, QuestionView } from './knowledge.presenter.ts';
import { AcceptBody, AnswerBody, AnswerParams, AskBody, ChannelParams, ItemParams, QuestionListQuery, QuestionParams, RevealBody, VoteBody } from './knowledge.schemas.ts';
import type { Questions } from './questions.actions.ts';

const VoteResult = z.object({ score: z.number(), myVote: z.number() }).meta({ id: 'VoteResult' });

export function questionOperations(ctx: AppContext, questions: Questions): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/questions',
      operationId: 'listQuestions',
      summary: 'Questions of a Q&A channel, a page at a time: by votes, newest, or unanswered; optionally one tag',
      tags: ['questions'],
      access: Permission.Converse,
      params: ChannelParams,
      query: QuestionListQuery,
      responses: { 200: { description: 'Questions', schema: z.array(QuestionView) } },
      handler: ({ req, params, query }) => questions.list(readerOf(req), params.channelId, query),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/questions',
      operationId: 'askQuestion',
      summary: 'Ask a question, with your name or anonymously (your anonymous profile is shown instead)',
      tags: ['questions'],
      access: Permission.Converse,
      params: ChannelParams,
      body: AskBody,
      responses: { 201: { description: 'Asked', schema: QuestionView } },
      handler: ({ req, params, body }) => questions.ask(readerOf(req), params.channelId, body),
    }),
    defineOperation({
      method: 'get',
      path: '/api/channels/:channelId/questions/:questionId',
      operationId: 'getQuestion',
      summary: 'A question and its answers (the accepted one first, then by votes)',
      tags: ['questions'],
      access: Permission.Converse,
      params: QuestionParams,
      responses: { 200: { description: 'The question', schema: z.object({ question: QuestionView, answers: z.array(AnswerView) }).meta({ id: 'QuestionPage' }) } },
      handler: ({ req, params }) => questions.get(readerOf(req), params.channelId, params.questionId),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/questions/:questionId/answers',
      operationId: 'answerQuestion',
      summary: 'Answer a question (anonymously if you like); the asker is notified',
      tags: ['questions'],
      access: Permission.Converse,
      params: QuestionParams,
      body: AnswerBody,
      responses: { 201: { description: 'Answered', schema: AnswerView } },
      handler: ({ req, params, body }) => questions.answer(readerOf(req), req.user!, params.channelId, params.questionId, body),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/questions/:questionId/vote',
      operationId: 'voteQuestion',
      summary: 'Vote a question up (1) or down (-1), or withdraw (0); one vote each, changeable',
      tags: ['questions'],
      access: Permission.Converse,
      params: QuestionParams,
      body: VoteBody,
      responses: { 200: { description: 'The new score', schema: VoteResult } },
      handler: ({ req, params, body }) => questions.vote(readerOf(req), params.channelId, params.questionId, null, body.value),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/questions/:questionId/answers/:answerId/vote',
      operationId: 'voteAnswer',
      summary: 'Vote an answer up (1) or down (-1), or withdraw (0)',
      tags: ['questions'],
      access: Permission.Converse,
      params: AnswerParams,
      body: VoteBody,
      responses: { 200: { description: 'The new score', schema: VoteResult } },
      handler: ({ req, params, body }) => questions.vote(readerOf(req), params.channelId, params.questionId, params.answerId, body.value),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/questions/:questionId/accept',
      operationId: 'acceptAnswer',
      summary: 'Accept one answer (asker or moderator); accepting another replaces it, null clears it',
      tags: ['questions'],
      access: Permission.Converse,
      params: QuestionParams,
      body: AcceptBody,
      responses: { 200: { description: 'The question', schema: QuestionView } },
      handler: ({ req, params, body }) => questions.accept(readerOf(req), params.channelId, params.questionId, body.answerId),
    }),
    defineOperation({
      method: 'post',
      path: '/api/channels/:channelId/knowledge/:itemId/reveal',
      operationId: 'revealAnonymousAuthor',
      summary: 'Who posted an anonymous question or answer (moderators; audited with your reason)',
      tags: ['questions'],
      access: Permission.AuthorReveal,
      params: ItemParams,
      body: RevealBody,
      responses: { 200: { description: 'The author', schema: z.object({ authorId: z.string(), name: z.string(), organisation: z.string().nullable() }).meta({ id: 'RevealedAuthor' }) } },
      handler: ({ req, params, body }) => questions.reveal(readerOf(req), params.channelId, params.itemId, body.reason, req.ip),
    }),
  ];
}
