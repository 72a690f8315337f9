import { presentAffiliation } from './reverification.ts';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { presentSelfWithOrg } from '../auth/auth.routes.ts';
import { logIn } from '../auth/auth.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import { Permission } from '../policy/policy.ts';
import type { ApplicationDoc } from '../applications/application.model.ts';
import type { AuditEventDoc } from '../audit/audit.model.ts';
import { NotFound } from '../http/errors.ts';
import { doChangePassword, doChangeRole, doSetExpertAreas, doReinstate, doSuspend, doUpdateProfile } from './member.actions.ts';
import type { MemberDoc } from './member.model.ts';
import { DirectoryEntry, MemberAdminView, SelfView, presentDirectoryEntry, presentMemberAdmin } from './member.presenter.ts';
import { ChangePasswordBody, DirectoryQuery, ExpertAreasBody, ObjectIdParam, RoleChangeBody, SuspendBody, UpdateProfileBody } from './member.schemas.ts';
import { text } from '../http/schemas.ts';
import { memberSearchSource } from './member.search.ts';
import { doSendPasswordChanged } from '../mail/mail.actions.ts';
import { m, msg } from '../http/locale.ts';

const MemberParams = z.object({ memberId: ObjectIdParam });
const AdminQuery = z.strictObject({
  q: text({ max: 100 }).optional(),
  status: z.enum(['applicant', 'member', 'suspended', 'lapsed']).optional(),
});

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function organisationsById(ctx: AppContext): Promise<Map<string, OrganisationDoc>> {
  const orgs = await ctx.models.Organisation.find({}).lean<OrganisationDoc[]>();
  return new Map(orgs.map((org) => [String(org._id), org]));
}

/** Members matching a free-text query on name, job title or organisation name (members and organisations are small collections). */
function matches(member: MemberDoc, org: OrganisationDoc | undefined, q: string | undefined): boolean {
  if (!q) return true;
  const pattern = new RegExp(escapeRegex(q.trim()), 'i');
  return pattern.test(member.name) || pattern.test(member.jobTitle) || (org ? pattern.test(org.name) : false) || pattern.test(member.email);
}

export function memberOperations(ctx: AppContext): Operation[] {
  ctx.search.registerSource(memberSearchSource(ctx));
  const presentAdmin = async (member: MemberDoc) => {
    const org = member.organisationId ? await ctx.cache.organisation(member.organisationId) : null;
    return presentMemberAdmin(member, org, presentAffiliation(member, org, ctx.config, ctx.clock.now()));
  };
  return [
    defineOperation({
      method: 'get',
      path: '/api/me',
      operationId: 'getMe',
      summary: 'Your profile',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      responses: { 200: { description: 'You', schema: SelfView } },
      handler: ({ req }) => presentSelfWithOrg(ctx, req.user!),
    }),
    defineOperation({
      method: 'patch',
      path: '/api/me',
      operationId: 'updateMe',
      summary: 'Change your name, job title or bio (sector and organisation are set at vetting)',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      body: UpdateProfileBody,
      responses: { 200: { description: 'You', schema: SelfView } },
      handler: async ({ req, body }) => presentSelfWithOrg(ctx, await doUpdateProfile(ctx, req.user!, body)),
    }),
    defineOperation({
      method: 'post',
      path: '/api/me/password',
      operationId: 'changePassword',
      summary: 'Change your password (needs the current one); the session id changes',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      body: ChangePasswordBody,
      responses: { 204: { description: 'Changed' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`password-change:member:${req.actor!.id}`, 10, 3600_000);
        await doChangePassword(ctx, req.user!, body, req);
        // Whoever else holds a session (the reason many change a password) is out, at once.
        await ctx.sessions.destroyAllFor(req.actor!.id);
        ctx.realtime.disconnectMember(req.actor!.id, 'signed_out');
        await logIn(req, req.user!, { rotation: true });
        await doSendPasswordChanged(ctx, req.user!, 'changed', req);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/me/export',
      operationId: 'exportMyData',
      summary: 'Everything stored about you, as a JSON download',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      responses: { 200: { description: 'A JSON file', contentType: 'application/json' } },
      handler: async ({ req, res }) => {
        const member = req.user!;
        const [org, application, box, identities, events, anonymous] = await Promise.all([
          member.organisationId ? ctx.cache.organisation(member.organisationId) : null,
          ctx.models.Application.findById(member._id).lean<ApplicationDoc>(),
          ctx.models.NotificationBox.findById(member._id).lean(),
          ctx.models.Identity.find({ memberId: member._id }).lean(),
          // Scans the audit log: rare, and never on a hot path.
          ctx.models.AuditEvent.find({ $or: [{ actorId: member._id }, { targetId: String(member._id) }] } as never).sort({ _id: 1 }).lean<AuditEventDoc[]>(),
          ctx.models.AnonymousProfile.findById(String(member._id)).lean(),
        ]);
        const { passwordHash: _omit, suspension, ...rest } = member;
        // Who acted on this person is the moderators' business: no moderator ids, no moderator IPs.
        const profile = { ...rest, suspension: suspension ? { reason: suspension.reason, at: suspension.at } : null };
        const data = {
          exportedAt: new Date().toISOString(),
          profile,
          organisation: org,
          application: application
            ? {
                ...application,
                thread: application.thread.map(({ by: _by, ...entry }) => entry),
                decision: application.decision ? { at: application.decision.at, reason: application.decision.reason } : null,
              }
            : null,
          notifications: box?.items ?? [],
          // Your own anonymous questions and answers: listed to you, never to anyone else.
          anonymousProfile: anonymous ? { description: anonymous.description, posts: anonymous.posts } : null,
          identities: identities.map((identity) => ({ provider: identity.providerId, issuer: identity.issuer, subject: identity.subject, linkedAt: identity.createdAt })),
          auditEvents: events.map((event) => {
            const yours = String(event.actorId) === String(member._id);
            return { action: event.action, at: event.at, yours, ...(yours ? { ip: event.ip } : {}) };
          }),
        };
        await ctx.audit.record({ action: 'export.own_data', actorId: member._id, target: { type: 'member', id: member._id }, req });
        res.setHeader('Content-Disposition', 'attachment; filename="convene-my-data.json"');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.status(200).type('application/json').send(JSON.stringify(data, null, 2));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/members',
      operationId: 'listDirectory',
      summary: 'The member directory: verified members only',
      tags: ['directory'],
      access: Permission.DirectoryRead,
      query: DirectoryQuery,
      responses: { 200: { description: 'Members', schema: z.array(DirectoryEntry) } },
      handler: async ({ query }) => {
        const filter: Record<string, unknown> = { status: 'member' };
        if (query.sector) filter.sector = query.sector;
        if (query.organisationId) filter.organisationId = query.organisationId;
        const [members, orgs] = await Promise.all([ctx.models.Member.find(filter).sort({ nameNormalized: 1 }).lean<MemberDoc[]>(), organisationsById(ctx)]);
        return members
          .filter((member) => {
            const org = orgs.get(String(member.organisationId));
            // The directory never searches e-mail addresses: it does not show them.
            return !query.q || matches({ ...member, email: '' }, org, query.q);
          })
          .map((member) => presentDirectoryEntry(member, orgs.get(String(member.organisationId))));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/admin/members',
      operationId: 'listMembersAdmin',
      summary: 'Everyone with an account, for moderators: status, roles, suspension',
      tags: ['people'],
      access: Permission.MemberSuspend,
      query: AdminQuery,
      responses: { 200: { description: 'People', schema: z.array(MemberAdminView) } },
      handler: async ({ query }) => {
        const [members, orgs] = await Promise.all([
          ctx.models.Member.find(query.status ? { status: query.status } : {}).sort({ nameNormalized: 1 }).lean<MemberDoc[]>(),
          organisationsById(ctx),
        ]);
        return members
          .filter((member) => matches(member, orgs.get(String(member.organisationId)), query.q))
          .map((member) => {
            const org = orgs.get(String(member.organisationId));
            return presentMemberAdmin(member, org, presentAffiliation(member, org, ctx.config, ctx.clock.now()));
          });
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/admin/members/:memberId/roles',
      operationId: 'changeMemberRole',
      summary: 'Grant or revoke a role (admins); takes effect at once',
      tags: ['people'],
      access: Permission.RoleManage,
      params: MemberParams,
      body: RoleChangeBody,
      responses: { 200: { description: 'The person', schema: MemberAdminView } },
      handler: async ({ req, params, body }) => presentAdmin(await doChangeRole(ctx, req.actor!, params.memberId, body, req)),
    }),
    defineOperation({
      method: 'put',
      path: '/api/admin/members/:memberId/expert-areas',
      operationId: 'setExpertAreas',
      summary: "Declare an expert's technical and legal areas (admins and moderators); the person must hold the expert role; audited",
      tags: ['people', 'support'],
      access: Permission.ExpertManage,
      params: MemberParams,
      body: ExpertAreasBody,
      responses: { 200: { description: 'The person', schema: MemberAdminView } },
      handler: async ({ req, params, body }) => {
        const target = await ctx.models.Member.findById(params.memberId).lean<MemberDoc>();
        if (!target) throw new NotFound(msg(m.error_no_such_member));
        return presentAdmin(await doSetExpertAreas(ctx, req.actor!, target, body.areas, req));
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/admin/members/:memberId/suspend',
      operationId: 'suspendMember',
      summary: 'Suspend with a reason: their sessions end and live connections are cut at once',
      tags: ['people'],
      access: Permission.MemberSuspend,
      params: MemberParams,
      body: SuspendBody,
      responses: { 200: { description: 'The person', schema: MemberAdminView } },
      handler: async ({ req, params, body }) => presentAdmin(await doSuspend(ctx, req.actor!, params.memberId, body.reason, req)),
    }),
    defineOperation({
      method: 'post',
      path: '/api/admin/members/:memberId/reinstate',
      operationId: 'reinstateMember',
      summary: 'Lift a suspension',
      tags: ['people'],
      access: Permission.MemberSuspend,
      params: MemberParams,
      responses: { 200: { description: 'The person', schema: MemberAdminView } },
      handler: async ({ req, params }) => presentAdmin(await doReinstate(ctx, req.actor!, params.memberId, req)),
    }),
  ];
}
