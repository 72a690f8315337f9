import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound } from '../http/errors.ts';
import { m, msg, requestLocale } from '../http/locale.ts';
import { doSetExpertAreas } from '../members/member.actions.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { ExpertAreasBody } from '../members/member.schemas.ts';
import { Permission, supportViewerRole } from '../policy/policy.ts';
import { EXPERT_AREAS, SUPPORT_CATEGORIES, SUPPORT_URGENCIES } from '../shared/support-topics.ts';
import {
  accessSupportRequest,
  doAssign,
  doChangeStatus,
  doConsent,
  doLibraryDraft,
  doOpenRequest,
  doRate,
  doReply,
  doSetDuty,
  namesFor,
  present,
} from './support.actions.ts';
import { supportRule, type SupportRequestDoc } from './support.model.ts';
import { LibraryDraftView, presentReply, presentSupportRequest, SupportReplyView, SupportRequestView } from './support.presenter.ts';
import { deadlinesOf } from './support.rules.ts';
import {
  AssignBody,
  ConsentBody,
  CreateSupportRequestBody,
  DutyBody,
  LibraryDraftBody,
  ListQuery,
  QueueQuery,
  RatingBody,
  ReplyBody,
  StatusBody,
  SupportRequestParams,
} from './support.schemas.ts';

const RequestList = z.object({ requests: z.array(SupportRequestView) }).meta({ id: 'SupportRequestList' });
const Queue = z
  .object({
    requests: z.array(SupportRequestView).describe('Removal orders by deadline first, then overdue first responses, then by due time'),
    counts: z.object({ open: z.number().int(), new: z.number().int(), overdue: z.number().int(), removalOrders: z.number().int() }),
  })
  .meta({ id: 'SupportQueue' });
const ExpertView = z.object({ id: z.string(), name: z.string(), areas: z.array(z.enum(EXPERT_AREAS)), onDuty: z.boolean() }).meta({ id: 'SupportExpert' });
const DeskSettings = z
  .object({
    categories: z.object({ technical: z.array(z.string()), legal: z.array(z.string()) }),
    urgencies: z.array(z.enum(SUPPORT_URGENCIES)),
    removalOrderDeadlineMinutes: z.record(z.string(), z.number()),
    firstResponseTargetMinutes: z.record(z.string(), z.number()),
  })
  .meta({ id: 'SupportDeskSettings' });

/** Every open request comes first by the clock that matters most: a legal deadline, then a first-response target. */
function queueOrder(a: SupportRequestDoc, b: SupportRequestDoc): number {
  const at = (request: SupportRequestDoc) => (request.deadlineAt && request.status !== 'resolved' ? request.deadlineAt.getTime() : Number.MAX_SAFE_INTEGER);
  return at(a) - at(b) || a.firstResponseDueAt.getTime() - b.firstResponseDueAt.getTime();
}

export function supportOperations(ctx: AppContext): Operation[] {
  const load = async (req: import('express').Request, requestId: string) => accessSupportRequest(ctx, req.actor, requestId);
  return [
    defineOperation({
      method: 'get',
      path: '/api/support/settings',
      operationId: 'getSupportDeskSettings',
      summary: 'Categories per kind, urgencies, and the configured deadlines and first-response targets',
      tags: ['support'],
      access: Permission.SupportOpen,
      responses: { 200: { description: 'The desk settings', schema: DeskSettings } },
      handler: () => ({
        categories: { technical: [...SUPPORT_CATEGORIES.technical], legal: [...SUPPORT_CATEGORIES.legal] },
        urgencies: [...SUPPORT_URGENCIES],
        removalOrderDeadlineMinutes: ctx.config.support.removalOrderDeadlineMinutes,
        firstResponseTargetMinutes: ctx.config.support.firstResponseTargetMinutes,
      }),
    }),
    defineOperation({
      method: 'post',
      path: '/api/support/requests',
      operationId: 'openSupportRequest',
      summary: 'Open a confidential request for your organisation (technical or legal); a removal order records its arrival and legal deadline; audited',
      tags: ['support'],
      access: Permission.SupportOpen,
      body: CreateSupportRequestBody,
      responses: { 201: { description: 'Opened', schema: SupportRequestView } },
      handler: async ({ req, body }) => present(ctx, await doOpenRequest(ctx, req.actor!, body, req), req.actor!, requestLocale(req), true),
    }),
    defineOperation({
      method: 'get',
      path: '/api/support/requests',
      operationId: 'listSupportRequests',
      summary: "Your organisation's requests that you may see (scope=mine), or the ones assigned to you (scope=assigned, experts); newest first",
      tags: ['support'],
      access: Permission.SupportOpen,
      query: ListQuery,
      responses: { 200: { description: 'Requests', schema: RequestList } },
      handler: async ({ req, query }) => {
        const actor = req.actor!;
        // A small collection: read whole, each request passes the policy.
        const all = await ctx.models.SupportRequest.find(query.status ? { status: query.status } : {}).lean<SupportRequestDoc[]>();
        const mine = all.filter((request) => {
          const role = supportViewerRole(actor, supportRule(request));
          return query.scope === 'assigned' ? role === 'expert' || (role !== null && request.assignedExpertIds.includes(actor.id)) : role === 'requester' || role === 'organisation';
        });
        mine.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime());
        const names = await namesFor(ctx, mine, requestLocale(req));
        const now = ctx.clock.date();
        return { requests: mine.map((request) => presentSupportRequest(request, actor, names, now)) };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/support/queue',
      operationId: 'getSupportQueue',
      summary: "The desk's queue (triage): every request with its deadlines and what is overdue",
      tags: ['support'],
      access: Permission.SupportTriage,
      query: QueueQuery,
      responses: { 200: { description: 'The queue', schema: Queue } },
      handler: async ({ req, query }) => {
        const actor = req.actor!;
        const now = ctx.clock.date();
        const all = (await ctx.models.SupportRequest.find({}).lean<SupportRequestDoc[]>()).filter((request) => supportViewerRole(actor, supportRule(request)) !== null);
        const overdue = (request: SupportRequestDoc) => {
          const due = deadlinesOf(request, now);
          return due.firstResponseOverdue || due.removalOverdue;
        };
        const open = all.filter((request) => request.status !== 'resolved');
        let listed = query.open === 'true' ? open : all;
        if (query.status) listed = listed.filter((request) => request.status === query.status);
        if (query.overdue) listed = listed.filter((request) => overdue(request) === (query.overdue === 'true'));
        listed.sort(queueOrder);
        const names = await namesFor(ctx, listed, requestLocale(req));
        return {
          requests: listed.map((request) => presentSupportRequest(request, actor, names, now)),
          counts: {
            open: open.length,
            new: open.filter((request) => request.status === 'new').length,
            overdue: open.filter(overdue).length,
            removalOrders: open.filter((request) => request.deadlineAt !== null).length,
          },
        };
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/support/requests/:requestId',
      operationId: 'getSupportRequest',
      summary: 'One request with its thread, as you may see it (experts of an anonymous request see no organisation or names on its side)',
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      responses: { 200: { description: 'The request', schema: SupportRequestView } },
      handler: async ({ req, params }) => present(ctx, (await load(req, params.requestId)).request, req.actor!, requestLocale(req), true),
    }),
    defineOperation({
      method: 'post',
      path: '/api/support/requests/:requestId/replies',
      operationId: 'replyToSupportRequest',
      summary: "Write in the request's private thread; the desk's first reply is the first response; audited (no body)",
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      body: ReplyBody,
      responses: { 201: { description: 'The reply', schema: SupportReplyView } },
      handler: async ({ req, params, body }) => {
        const { request, role } = await load(req, params.requestId);
        const { request: after, reply } = await doReply(ctx, req.actor!, request, role, body.body, req);
        return presentReply(reply, role, after, await namesFor(ctx, [after], requestLocale(req)));
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/support/requests/:requestId/experts',
      operationId: 'assignSupportExperts',
      summary: 'Triage: set the experts assigned (a new request becomes triaged); audited',
      tags: ['support'],
      access: Permission.SupportTriage,
      params: SupportRequestParams,
      body: AssignBody,
      responses: { 200: { description: 'The request', schema: SupportRequestView } },
      handler: async ({ req, params, body }) => {
        const { request } = await load(req, params.requestId);
        return present(ctx, await doAssign(ctx, req.actor!, request, body.expertIds, req), req.actor!, requestLocale(req), true);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/support/requests/:requestId/status',
      operationId: 'changeSupportStatus',
      summary: 'Move the request: triage to any status; assigned experts to in progress, waiting for requester, resolved; the requester side resolves or reopens; audited',
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      body: StatusBody,
      responses: { 200: { description: 'The request', schema: SupportRequestView } },
      handler: async ({ req, params, body }) => {
        const { request, role } = await load(req, params.requestId);
        return present(ctx, await doChangeStatus(ctx, req.actor!, request, role, body.status, req), req.actor!, requestLocale(req), true);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/support/requests/:requestId/rating',
      operationId: 'rateSupportRequest',
      summary: 'The requester rates the help (1–5), once, after it is resolved; audited',
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      body: RatingBody,
      responses: { 200: { description: 'The request', schema: SupportRequestView } },
      handler: async ({ req, params, body }) => {
        const { request, role } = await load(req, params.requestId);
        return present(ctx, await doRate(ctx, req.actor!, request, role, body, req), req.actor!, requestLocale(req), true);
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/support/requests/:requestId/consent',
      operationId: 'setSupportLibraryConsent',
      summary: 'The requester allows (or withdraws) turning the learnings into a library draft; audited',
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      body: ConsentBody,
      responses: { 200: { description: 'The request', schema: SupportRequestView } },
      handler: async ({ req, params, body }) => {
        const { request, role } = await load(req, params.requestId);
        return present(ctx, await doConsent(ctx, req.actor!, request, role, body.libraryDraftConsent, req), req.actor!, requestLocale(req), true);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/support/requests/:requestId/library-draft',
      operationId: 'createSupportLibraryDraft',
      summary: "The desk turns a resolved request's learnings into a library draft, only with the requester's consent; audited",
      tags: ['support'],
      access: Permission.SupportOpen,
      params: SupportRequestParams,
      body: LibraryDraftBody,
      responses: { 201: { description: 'The request with its draft', schema: SupportRequestView } },
      handler: async ({ req, params, body }) => {
        const { request, role } = await load(req, params.requestId);
        return present(ctx, await doLibraryDraft(ctx, req.actor!, request, role, body, req), req.actor!, requestLocale(req), true);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/support/library-drafts',
      operationId: 'listSupportLibraryDrafts',
      summary: 'Library editors: drafts written from resolved requests with consent (their text only, never the request or its people)',
      tags: ['support', 'library'],
      access: Permission.LibraryEdit,
      responses: { 200: { description: 'Drafts', schema: z.array(LibraryDraftView) } },
      handler: async () => {
        const requests = await ctx.models.SupportRequest.find({ libraryDraftConsent: true }).lean<SupportRequestDoc[]>();
        return requests
          .filter((request) => request.libraryDraft)
          .map((request) => ({ id: String(request._id), title: request.libraryDraft!.title, category: request.libraryDraft!.category, html: request.libraryDraft!.html, source: request.libraryDraft!.source, at: request.libraryDraft!.at.toISOString() }));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/support/experts',
      operationId: 'listSupportExperts',
      summary: 'Triage: the experts, their areas and who is on duty (to assign them)',
      tags: ['support'],
      access: Permission.SupportTriage,
      responses: { 200: { description: 'Experts', schema: z.array(ExpertView) } },
      handler: async () => {
        const experts = await ctx.models.Member.find({ roles: 'expert', status: 'member' }).sort({ nameNormalized: 1 }).lean<MemberDoc[]>();
        return experts.map((member) => ({ id: String(member._id), name: member.name, areas: member.expertAreas ?? [], onDuty: Boolean(member.onDuty) }));
      },
    }),
    defineOperation({
      method: 'put',
      path: '/api/support/me/duty',
      operationId: 'setExpertDuty',
      summary: 'Experts: go on or off duty (removal orders escalate to every expert on duty); audited',
      tags: ['support'],
      access: Permission.SupportExpert,
      body: DutyBody,
      responses: { 200: { description: 'Your duty state', schema: z.object({ onDuty: z.boolean() }) } },
      handler: async ({ req, body }) => ({ onDuty: Boolean((await doSetDuty(ctx, req.actor!, body.onDuty, req)).onDuty) }),
    }),
    defineOperation({
      method: 'put',
      path: '/api/support/me/areas',
      operationId: 'setOwnExpertAreas',
      summary: 'Experts: declare your own technical and legal areas (replaces the ones before; triage sees them when assigning); audited',
      tags: ['support'],
      access: Permission.SupportExpert,
      body: ExpertAreasBody,
      responses: { 200: { description: 'Your areas', schema: z.object({ areas: z.array(z.enum(EXPERT_AREAS)) }).meta({ id: 'OwnExpertAreas' }) } },
      handler: async ({ req, body }) => {
        const self = await ctx.models.Member.findById(req.actor!.id).lean<MemberDoc>();
        if (!self) throw new NotFound(msg(m.error_no_such_member));
        return { areas: (await doSetExpertAreas(ctx, req.actor!, self, body.areas, req)).expertAreas };
      },
    }),
  ];
}
