import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound } from '../http/errors.ts';
import { Permission } from '../policy/policy.ts';
import { doAnswerQuestion, doApprove, doAskQuestion, doReject, doSubmitApplication, listQueue } from './application.actions.ts';
import { ApplicationView, QueueEntry, presentApplication } from './application.presenter.ts';
import { AnswerBody, ApplicantParams, ApplicationBody, ApproveBody, QueueQuery, QuestionBody, RejectBody } from './application.schemas.ts';
import { z } from 'zod';
import type { ApplicationDoc } from './application.model.ts';
import { m, msg } from '../http/locale.ts';

async function present(ctx: AppContext, application: ApplicationDoc) {
  const org = application.organisationId ? await ctx.cache.organisation(application.organisationId) : null;
  return presentApplication(application, org);
}

export function applicationOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/application',
      operationId: 'getOwnApplication',
      summary: 'Your own application and its thread of questions and answers',
      tags: ['applications'],
      access: Permission.ApplicationOwn,
      responses: { 200: { description: 'Your application', schema: ApplicationView }, 404: { description: 'You have not applied yet' } },
      handler: async ({ req }) => {
        const application = await ctx.models.Application.findById(req.actor!.id).lean<ApplicationDoc>();
        if (!application) throw new NotFound(msg(m.error_application_not_applied));
        return present(ctx, application);
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/application',
      operationId: 'putOwnApplication',
      summary: 'Submit your application, or amend it while it waits',
      tags: ['applications'],
      access: Permission.ApplicationOwn,
      body: ApplicationBody,
      responses: { 200: { description: 'Your application', schema: ApplicationView }, 403: { description: 'email_unverified: confirm your address first' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`application:member:${req.actor!.id}`, 20, 3600_000);
        return present(ctx, await doSubmitApplication(ctx, req.user!, body, req));
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/application/draft',
      operationId: 'putOwnApplicationDraft',
      summary: 'Save your application without submitting it (also before your address is verified)',
      tags: ['applications'],
      access: Permission.ApplicationOwn,
      body: ApplicationBody,
      responses: { 200: { description: 'Your draft', schema: ApplicationView }, 409: { description: 'Already submitted' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`application:member:${req.actor!.id}`, 20, 3600_000);
        return present(ctx, await doSubmitApplication(ctx, req.user!, body, req, true));
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/application/answer',
      operationId: 'answerApplicationQuestion',
      summary: "Answer a moderator's question; the application returns to the queue",
      tags: ['applications'],
      access: Permission.ApplicationOwn,
      body: AnswerBody,
      responses: { 200: { description: 'Your application', schema: ApplicationView } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`application:member:${req.actor!.id}`, 20, 3600_000);
        return present(ctx, await doAnswerQuestion(ctx, req.user!, body.text, req));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/vetting/applications',
      operationId: 'listVettingQueue',
      summary: 'Applications by status, oldest first, with signals for the moderator',
      tags: ['vetting'],
      access: Permission.ApplicationReview,
      query: QueueQuery,
      responses: { 200: { description: 'The queue', schema: z.array(QueueEntry) } },
      handler: ({ query }) => listQueue(ctx, query.status),
    }),
    defineOperation({
      method: 'post',
      path: '/api/vetting/applications/:applicantId/approve',
      operationId: 'approveApplication',
      summary: 'Approve an application and confirm the organisation',
      tags: ['vetting'],
      access: Permission.ApplicationReview,
      params: ApplicantParams,
      body: ApproveBody,
      responses: { 200: { description: 'The decided application', schema: QueueEntry } },
      handler: ({ req, params, body }) => doApprove(ctx, req.actor!, params.applicantId, body, req),
    }),
    defineOperation({
      method: 'post',
      path: '/api/vetting/applications/:applicantId/reject',
      operationId: 'rejectApplication',
      summary: 'Reject an application with a reason the applicant will see',
      tags: ['vetting'],
      access: Permission.ApplicationReview,
      params: ApplicantParams,
      body: RejectBody,
      responses: { 200: { description: 'The decided application', schema: QueueEntry } },
      handler: ({ req, params, body }) => doReject(ctx, req.actor!, params.applicantId, body.reason, req),
    }),
    defineOperation({
      method: 'post',
      path: '/api/vetting/applications/:applicantId/question',
      operationId: 'askApplicationQuestion',
      summary: 'Ask the applicant a question; the application waits for their answer',
      tags: ['vetting'],
      access: Permission.ApplicationReview,
      params: ApplicantParams,
      body: QuestionBody,
      responses: { 200: { description: 'The application', schema: QueueEntry } },
      handler: ({ req, params, body }) => doAskQuestion(ctx, req.actor!, params.applicantId, body.text, req),
    }),
  ];
}
