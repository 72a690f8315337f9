import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound } from '../http/errors.ts';
import { text } from '../http/schemas.ts';
import { Domain } from '../applications/application.schemas.ts';
import { normaliseName, type MemberDoc } from '../members/member.model.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { Permission, SECTORS } from '../policy/policy.ts';
import { reindexMembersOf } from '../members/member.search.ts';
import type { OrganisationDoc } from './organisation.model.ts';
import { m, msg } from '../http/locale.ts';

export const OrganisationView = z
  .object({ id: z.string(), name: z.string(), sector: z.enum(SECTORS), domains: z.array(z.string()), verified: z.boolean() })
  .meta({ id: 'Organisation' });

const OrganisationBody = z
  .strictObject({
    name: text({ min: 2, max: 120 }),
    sector: z.enum(SECTORS),
    domains: z.array(Domain).max(20),
    verified: z.boolean().default(false),
  })
  .meta({ id: 'OrganisationBody' });
const OrganisationPatch = z
  .strictObject({
    name: text({ min: 2, max: 120 }).optional(),
    sector: z.enum(SECTORS).optional(),
    domains: z.array(Domain).max(20).optional(),
    verified: z.boolean().optional(),
  })
  .meta({ id: 'OrganisationPatch' });

const present = (org: OrganisationDoc) => ({ id: String(org._id), name: org.name, sector: org.sector, domains: org.domains, verified: org.verified });

export function organisationOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/organisations',
      operationId: 'listOrganisations',
      summary: 'All organisations, by name',
      tags: ['organisations'],
      access: Permission.OrganisationRead,
      responses: { 200: { description: 'Organisations', schema: z.array(OrganisationView) } },
      handler: async () => (await ctx.models.Organisation.find({}).sort({ nameNormalized: 1 }).lean<OrganisationDoc[]>()).map(present),
    }),
    defineOperation({
      method: 'post',
      path: '/api/organisations',
      operationId: 'createOrganisation',
      summary: 'Create an organisation',
      tags: ['organisations'],
      access: Permission.OrganisationManage,
      body: OrganisationBody,
      responses: { 201: { description: 'Created', schema: OrganisationView } },
      handler: async ({ req, body }) => {
        const org = await ctx.models.Organisation.create({ ...body, name: body.name.trim(), nameNormalized: normaliseName(body.name), domains: [...new Set(body.domains)] });
        await ctx.audit.record({ action: 'organisation.created', actorId: req.actor!.id, target: { type: 'organisation', id: org._id }, details: { name: org.name, sector: org.sector }, req });
        return present(org.toObject());
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/api/organisations/:organisationId',
      operationId: 'updateOrganisation',
      summary: "Change an organisation's name, sector, domains or verified flag",
      description: "A change of sector changes the sector of every member of the organisation, and their access with it.",
      tags: ['organisations'],
      access: Permission.OrganisationManage,
      params: z.object({ organisationId: ObjectIdParam }),
      body: OrganisationPatch,
      responses: { 200: { description: 'Updated', schema: OrganisationView } },
      handler: async ({ req, params, body }) => {
        const before = await ctx.cache.organisation(params.organisationId);
        if (!before) throw new NotFound(msg(m.error_organisation_no_such));
        const set: Partial<OrganisationDoc> = { ...body };
        if (body.name) Object.assign(set, { name: body.name.trim(), nameNormalized: normaliseName(body.name) });
        if (body.domains) set.domains = [...new Set(body.domains)];
        const org = await ctx.models.Organisation.findOneAndUpdate({ _id: before._id }, { $set: set }, { returnDocument: 'after' }).lean<OrganisationDoc>();
        if (body.sector && body.sector !== before.sector) {
          // Sector is a property of the organisation: its members' access changes with it, at once.
          const members = await ctx.models.Member.find({ organisationId: before._id }, { _id: 1 }).lean<Pick<MemberDoc, '_id'>[]>();
          await ctx.models.Member.updateMany({ organisationId: before._id }, { $set: { sector: body.sector }, $inc: { sessionEpoch: 1 } });
          for (const member of members) ctx.realtime.disconnectMember(String(member._id), 'access_changed');
        }
        if (body.name && body.name.trim() !== before.name) await reindexMembersOf(ctx, before._id);
        await ctx.audit.record({ action: 'organisation.updated', actorId: req.actor!.id, target: { type: 'organisation', id: before._id }, details: { changed: Object.keys(body) }, req });
        return present(org!);
      },
    }),
  ];
}
