import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { Permission } from '../policy/policy.ts';
import { AUDIT_ACTIONS, type AuditEventDoc } from './audit.model.ts';

const AuditEventView = z
  .object({
    id: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    at: z.string(),
    actor: z.object({ id: z.string(), name: z.string() }).nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEvent' });

const AuditQuery = z.strictObject({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actorId: ObjectIdParam.optional(),
  targetId: z.string().regex(/^[0-9a-zA-Z:_-]{1,100}$/).optional(),
  since: z.iso.datetime().optional().describe('Only events at or after this time'),
  before: ObjectIdParam.optional().describe('Cursor: the `nextBefore` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function auditOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/audit',
      operationId: 'listAuditEvents',
      summary: 'The audit log, newest first, filtered and paginated by cursor',
      tags: ['audit'],
      access: Permission.AuditRead,
      query: AuditQuery,
      responses: { 200: { description: 'A page of events', schema: z.object({ items: z.array(AuditEventView), nextBefore: z.string().nullable() }) } },
      handler: async ({ query }) => {
        const filter: Record<string, unknown> = {};
        if (query.action) filter.action = query.action;
        if (query.actorId) filter.actorId = query.actorId;
        if (query.targetId) filter.targetId = query.targetId;
        if (query.since) filter.at = trusted({ $gte: new Date(query.since) });
        if (query.before) filter._id = trusted({ $lt: query.before });
        const events = await ctx.models.AuditEvent.find(filter).sort({ _id: -1 }).limit(query.limit + 1).lean<AuditEventDoc[]>();
        const page = events.slice(0, query.limit);
        const actorIds = [...new Set(page.map((event) => event.actorId).filter(Boolean).map(String))];
        const actors = actorIds.length ? await ctx.models.Member.find({ _id: trusted({ $in: actorIds }) }, { name: 1 }).lean<Pick<MemberDoc, '_id' | 'name'>[]>() : [];
        const names = new Map(actors.map((actor) => [String(actor._id), actor.name]));
        return {
          items: page.map((event) => ({
            id: String(event._id),
            action: event.action,
            at: event.at.toISOString(),
            actor: event.actorId ? { id: String(event.actorId), name: names.get(String(event.actorId)) ?? '(unknown)' } : null,
            targetType: event.targetType,
            targetId: event.targetId,
            ip: event.ip,
            details: event.details ?? {},
          })),
          nextBefore: events.length > query.limit ? String(page.at(-1)!._id) : null,
        };
      },
    }),
  ];
}
