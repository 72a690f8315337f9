import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text, worded } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import {
  ALL_SUPPORT_CATEGORIES,
  REMOVAL_ORDER,
  SUPPORT_CATEGORIES,
  SUPPORT_KINDS,
  SUPPORT_STATUSES,
  SUPPORT_URGENCIES,
  SUPPORT_VISIBILITIES,
} from '../shared/support-topics.ts';

export const MAX_DESCRIPTION_LENGTH = 20_000;
export const MAX_REPLY_LENGTH = 20_000;

const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time with offset or Z');
export const Jurisdiction = z
  .string()
  .regex(/^[A-Z]{2,8}$/, localized(m.error_support_jurisdiction))
  .describe('Whose law the order is under (EU, DE, …); its deadline comes from the configuration, else the default');

export const CreateSupportRequestBody = z
  .strictObject({
    kind: z.enum(SUPPORT_KINDS).describe('technical or legal'),
    category: z.enum(ALL_SUPPORT_CATEGORIES).describe('One of the categories of the kind'),
    urgency: z.enum(SUPPORT_URGENCIES).default('normal'),
    subject: text({ min: 3, max: 140 }),
    description: text({ min: 1, max: MAX_DESCRIPTION_LENGTH }).describe('Markdown; rendered and sanitised on the server'),
    visibility: z.enum(SUPPORT_VISIBILITIES).default('org').describe('org: every member of your organisation sees it; requester: only you (and the desk)'),
    anonymousToExperts: z.boolean().default(false).describe('Experts see neither your organisation nor your name'),
    orderReceivedAt: Instant.optional().describe('Removal orders: when the order arrived'),
    jurisdiction: Jurisdiction.optional(),
  })
  .superRefine((body, ctx) => {
    if (!(SUPPORT_CATEGORIES[body.kind] as readonly string[]).includes(body.category)) {
      ctx.addIssue({ code: 'custom', message: worded(body.kind === 'technical' ? m.error_support_not_technical_category : m.error_support_not_legal_category), path: ['category'] });
    }
    const removal = body.category === REMOVAL_ORDER;
    if (removal && !body.orderReceivedAt) ctx.addIssue({ code: 'custom', message: worded(m.error_support_removal_field_required), path: ['orderReceivedAt'] });
    if (removal && !body.jurisdiction) ctx.addIssue({ code: 'custom', message: worded(m.error_support_removal_field_required), path: ['jurisdiction'] });
    if (!removal && (body.orderReceivedAt || body.jurisdiction)) {
      ctx.addIssue({ code: 'custom', message: worded(m.error_support_removal_only), path: [body.orderReceivedAt ? 'orderReceivedAt' : 'jurisdiction'] });
    }
  })
  .meta({ id: 'CreateSupportRequestBody' });
export type CreateSupportRequestBody = z.infer<typeof CreateSupportRequestBody>;

export const SupportRequestParams = z.strictObject({ requestId: ObjectIdParam });

export const ReplyBody = z.strictObject({ body: text({ min: 1, max: MAX_REPLY_LENGTH }).describe('Markdown') }).meta({ id: 'SupportReplyBody' });

export const AssignBody = z
  .strictObject({
    expertIds: z
      .array(ObjectIdParam)
      .min(1)
      .max(10)
      .refine((ids) => new Set(ids).size === ids.length, localized(m.error_support_repeated_expert))
      .describe('The experts assigned from now on (replaces the list; removed experts no longer see the request)'),
  })
  .meta({ id: 'SupportAssignBody' });

export const StatusBody = z.strictObject({ status: z.enum(SUPPORT_STATUSES).exclude(['new']) }).meta({ id: 'SupportStatusBody' });

export const RatingBody = z
  .strictObject({ score: z.number().int().min(1).max(5).describe('1 (poor) to 5 (excellent)'), comment: text({ max: 1000 }).default('') })
  .meta({ id: 'SupportRatingBody' });

export const ConsentBody = z
  .strictObject({ libraryDraftConsent: z.boolean().describe('The desk may turn what was learned into a library draft (withdrawing deletes an unpublished draft)') })
  .meta({ id: 'SupportConsentBody' });

export const LibraryDraftBody = z
  .strictObject({ title: text({ min: 3, max: 140 }), category: text({ min: 1, max: 60 }), body: text({ min: 1, max: MAX_DESCRIPTION_LENGTH }).describe('Markdown') })
  .meta({ id: 'SupportLibraryDraftBody' });

export const DutyBody = z.strictObject({ onDuty: z.boolean() }).meta({ id: 'ExpertDutyBody' });

export const ListQuery = z.strictObject({
  scope: z.enum(['mine', 'assigned']).default('mine').describe("mine: your organisation's requests you may see; assigned: requests assigned to you (experts)"),
  status: z.enum(SUPPORT_STATUSES).optional(),
});

export const QueueQuery = z.strictObject({
  status: z.enum(SUPPORT_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('true: only what is overdue (first response or removal deadline)'),
  open: z.enum(['true', 'false']).default('true').describe('true (default): leave resolved requests out'),
});
