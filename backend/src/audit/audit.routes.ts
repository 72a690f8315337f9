import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { auditEntryView, Permission } from '../policy/policy.ts';
import { auditPlaces } from './audit.places.ts';
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
    withheld: z.boolean().describe('About an item in a place you may not read: you see that it happened, not where or what (target and details empty)'),
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

/** Events read at a time while filling a page. */
const AUDIT_BATCH = 200;

export function auditOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/audit',
      operationId: 'listAuditEvents',
      summary: 'The audit log, newest first, filtered and paginated by cursor; events on items you may not read are withheld (admins) or left out',
      tags: ['audit'],
      access: Permission.AuditRead,
      query: AuditQuery,
      responses: { 200: { description: 'A page of events', schema: z.object({ items: z.array(AuditEventView), nextBefore: z.string().nullable() }) } },
      handler: async ({ req, query }) => {
        const filter: Record<string, unknown> = {};
        if (query.action) filter.action = query.action;
        if (query.actorId) filter.actorId = query.actorId;
        if (query.targetId) filter.targetId = query.targetId;
        if (query.since) filter.at = trusted({ $gte: new Date(query.since) });
        // Events on items the reader may not read are withheld or left out (policy auditEntryView)
        // before the page is cut; the cursor is the last event shown, never one left out.
        const shown: { event: AuditEventDoc; view: 'full' | 'withheld' }[] = [];
        let before = query.before;
        let more = false;
        for (;;) {
          const batch = await ctx.models.AuditEvent.find({ ...filter, ...(before ? { _id: trusted({ $lt: before }) } : {}) })
            .sort({ _id: -1 })
            .limit(AUDIT_BATCH)
            .lean<AuditEventDoc[]>();
          const places = await auditPlaces(ctx, batch);
          for (const event of batch) {
            const view = auditEntryView(req.actor!, places.get(String(event._id))!);
            // Asking for a target by id must not tell that events on it exist.
            if (view === 'none' || (view === 'withheld' && query.targetId)) continue;
            if (shown.length === query.limit) {
              more = true;
              break;
            }
            shown.push({ event, view });
          }
          if (more || batch.length < AUDIT_BATCH) break;
          before = String(batch.at(-1)!._id);
        }
        const actorIds = [...new Set(shown.map(({ event }) => event.actorId).filter(Boolean).map(String))];
        const actors = actorIds.length ? await ctx.models.Member.find({ _id: trusted({ $in: actorIds }) }, { name: 1 }).lean<Pick<MemberDoc, '_id' | 'name'>[]>() : [];
        const names = new Map(actors.map((actor) => [String(actor._id), actor.name]));
        return {
          items: shown.map(({ event, view }) => ({
            id: String(event._id),
            action: event.action,
            at: event.at.toISOString(),
            actor: event.actorId ? { id: String(event.actorId), name: names.get(String(event.actorId)) ?? '(unknown)' } : null,
            targetType: view === 'full' ? event.targetType : null,
            targetId: view === 'full' ? event.targetId : null,
            ip: event.ip,
            details: view === 'full' ? (event.details ?? {}) : {},
            withheld: view === 'withheld',
          })),
          nextBefore: more ? String(shown.at(-1)!.event._id) : null,
        };
      },
    }),
  ];
}
