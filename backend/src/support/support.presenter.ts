import { z } from 'zod';
import { m } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { supportViewerRole, type Actor, type SupportViewerRole } from '../policy/policy.ts';
import {
  ALL_SUPPORT_CATEGORIES,
  EXPERT_AREAS,
  SUPPORT_KINDS,
  SUPPORT_STATUSES,
  SUPPORT_URGENCIES,
  SUPPORT_VISIBILITIES,
  type ExpertArea,
  type SupportStatus,
} from '../shared/support-topics.ts';
import { supportRule, type SupportReply, type SupportRequestDoc } from './support.model.ts';
import { allowedStatuses, deadlinesOf, type Deadlines } from './support.rules.ts';

const Person = z.object({ id: z.string(), name: z.string() });

export const SupportReplyView = z
  .object({
    id: z.string(),
    side: z.enum(['requester', 'desk']),
    author: Person.nullable().describe('Null when the request is anonymous to experts and you read it as an expert (requester side)'),
    html: z.string().describe('Sanitised HTML'),
    at: z.string(),
  })
  .meta({ id: 'SupportReply' });
export type SupportReplyView = z.infer<typeof SupportReplyView>;

export const SupportRequestView = z
  .object({
    id: z.string(),
    kind: z.enum(SUPPORT_KINDS),
    category: z.enum(ALL_SUPPORT_CATEGORIES),
    urgency: z.enum(SUPPORT_URGENCIES),
    subject: z.string(),
    descriptionHtml: z.string().describe('Sanitised HTML'),
    visibility: z.enum(SUPPORT_VISIBILITIES),
    anonymousToExperts: z.boolean(),
    status: z.enum(SUPPORT_STATUSES),
    organisation: Person.nullable().describe('Null for experts of a request anonymous to experts'),
    requester: Person.nullable().describe('Null for experts of a request anonymous to experts'),
    assignedExperts: z.array(Person.extend({ areas: z.array(z.enum(EXPERT_AREAS)) })),
    openedAt: z.string(),
    firstResponseAt: z.string().nullable(),
    firstResponseDueAt: z.string().describe('The first-response target for its urgency'),
    firstResponseOverdue: z.boolean().describe('No first response yet and the target has passed'),
    removalOrder: z
      .object({
        orderReceivedAt: z.string(),
        jurisdiction: z.string(),
        deadlineAt: z.string().describe('The legal deadline'),
        escalateAt: z.string().describe('Half time: when it escalates to every expert on duty'),
        escalatedAt: z.string().nullable(),
        overdue: z.boolean().describe('Not resolved and the deadline has passed'),
      })
      .nullable(),
    resolvedAt: z.string().nullable(),
    rating: z.object({ score: z.number().int(), comment: z.string().nullable(), at: z.string() }).nullable(),
    libraryDraftConsent: z.boolean(),
    libraryDraft: z.object({ title: z.string(), category: z.string(), html: z.string(), at: z.string() }).nullable(),
    replyCount: z.number().int(),
    replies: z.array(SupportReplyView).optional().describe('The thread (detail only)'),
    viewer: z.object({
      as: z.enum(['requester', 'organisation', 'triage', 'expert']),
      canReply: z.boolean(),
      canAssign: z.boolean(),
      statuses: z.array(z.enum(SUPPORT_STATUSES)).describe('The statuses you may move it to now'),
      canRate: z.boolean(),
      canConsent: z.boolean(),
      canDraft: z.boolean(),
    }),
    serverTime: z.string().describe("The server's clock (countdowns run from it)"),
  })
  .meta({ id: 'SupportRequest' });
export type SupportRequestView = z.infer<typeof SupportRequestView>;

/** Names the presenter may print, loaded in bulk by the caller. */
export interface SupportNames {
  members: Map<string, { name: string; areas: ExpertArea[] }>;
  organisations: Map<string, string>;
  /** The reader's language: what stands in for a member or organisation no longer here is worded in it. */
  locale: Locale;
}

/** Whether this viewer must not learn who asked: an expert (only as an expert) of an anonymous request. */
export const hidesRequester = (role: SupportViewerRole, request: Pick<SupportRequestDoc, 'anonymousToExperts'>) => role === 'expert' && request.anonymousToExperts;

const nameOf = (names: SupportNames, id: string) => ({ id, name: names.members.get(id)?.name ?? m.support_former_member({}, { locale: names.locale }) });

export function presentReply(reply: SupportReply, role: SupportViewerRole, request: Pick<SupportRequestDoc, 'anonymousToExperts'>, names: SupportNames): SupportReplyView {
  const hidden = reply.side === 'requester' && hidesRequester(role, request);
  return { id: reply.id, side: reply.side, author: hidden ? null : nameOf(names, reply.authorId), html: reply.html, at: reply.at.toISOString() };
}

/**
 * Precondition: the actor may see the request (`supportViewerRole` is not null). Experts of an
 * anonymous request get neither the organisation nor the requester, nor the names on the requester's
 * side of the thread, nor the rating's comment.
 */
export function presentSupportRequest(request: SupportRequestDoc, actor: Actor, names: SupportNames, now: Date, options: { thread?: boolean } = {}): SupportRequestView {
  const role = supportViewerRole(actor, supportRule(request))!;
  const hide = hidesRequester(role, request);
  const deadlines: Deadlines = deadlinesOf(request, now);
  const statuses: SupportStatus[] = allowedStatuses(role, request);
  const desk = role === 'triage' || role === 'expert';
  const orgName = names.organisations.get(request.organisationId);
  return {
    id: String(request._id),
    kind: request.kind,
    category: request.category,
    urgency: request.urgency,
    subject: request.subject,
    descriptionHtml: request.descriptionHtml,
    visibility: request.visibility,
    anonymousToExperts: request.anonymousToExperts,
    status: request.status,
    organisation: hide ? null : { id: request.organisationId, name: orgName ?? m.support_former_organisation({}, { locale: names.locale }) },
    requester: hide ? null : nameOf(names, request.requesterId),
    assignedExperts: request.assignedExpertIds.map((id) => ({ ...nameOf(names, id), areas: names.members.get(id)?.areas ?? [] })),
    openedAt: request.openedAt.toISOString(),
    firstResponseAt: request.firstResponseAt?.toISOString() ?? null,
    firstResponseDueAt: deadlines.firstResponseDueAt.toISOString(),
    firstResponseOverdue: deadlines.firstResponseOverdue,
    removalOrder:
      request.deadlineAt && request.orderReceivedAt && request.escalateAt
        ? {
            orderReceivedAt: request.orderReceivedAt.toISOString(),
            jurisdiction: request.jurisdiction ?? 'default',
            deadlineAt: request.deadlineAt.toISOString(),
            escalateAt: request.escalateAt.toISOString(),
            escalatedAt: request.escalatedAt?.toISOString() ?? null,
            overdue: deadlines.removalOverdue,
          }
        : null,
    resolvedAt: request.resolvedAt?.toISOString() ?? null,
    rating: request.rating ? { score: request.rating.score, comment: hide ? null : request.rating.comment, at: request.rating.at.toISOString() } : null,
    libraryDraftConsent: request.libraryDraftConsent,
    libraryDraft: request.libraryDraft
      ? { title: request.libraryDraft.title, category: request.libraryDraft.category, html: request.libraryDraft.html, at: request.libraryDraft.at.toISOString() }
      : null,
    replyCount: request.replies.length,
    ...(options.thread ? { replies: request.replies.map((reply) => presentReply(reply, role, request, names)) } : {}),
    viewer: {
      as: role,
      canReply: request.status !== 'resolved',
      canAssign: role === 'triage',
      statuses,
      canRate: role === 'requester' && request.status === 'resolved' && !request.rating,
      canConsent: role === 'requester',
      canDraft: desk && request.status === 'resolved' && request.libraryDraftConsent && !request.libraryDraft,
    },
    serverTime: now.toISOString(),
  };
}

/** What library editors see of a draft: its text only, never the request, its organisation or its people. */
export const LibraryDraftView = z
  .object({ id: z.string(), title: z.string(), category: z.string(), html: z.string(), source: z.string(), at: z.string() })
  .meta({ id: 'SupportLibraryDraft' });
