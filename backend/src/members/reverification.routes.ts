import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { text } from '../http/schemas.ts';
import { Email, ObjectIdParam } from './member.schemas.ts';
import { Permission } from '../policy/policy.ts';
import { ReverificationEntry, doConfirmAffiliation, doReaffirm, doSendAffiliationLink, listReverification } from './reverification.ts';

const LinkBody = z.strictObject({ email: Email.optional().describe('An address on your organisation’s domain; your own address if left out') }).meta({ id: 'AffiliationLinkBody' });
const TokenBody = z.strictObject({ token: text({ min: 20, max: 100 }) }).meta({ id: 'AffiliationTokenBody' });

export function reverificationOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'post',
      path: '/api/me/affiliation/confirmation',
      operationId: 'sendAffiliationLink',
      summary: 'Mail yourself a link that confirms your affiliation, to an address on your organisation’s domain (also once it lapsed)',
      tags: ['profile'],
      access: Permission.AffiliationConfirm,
      body: LinkBody,
      responses: { 204: { description: 'Queued' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`affiliation-link:member:${req.actor!.id}`, 5, 3600_000);
        await doSendAffiliationLink(ctx, req.user!, body.email, req);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/confirm-affiliation',
      operationId: 'confirmAffiliation',
      summary: 'Follow an affiliation link (single use, 7 days): the affiliation holds for another period, and a lapsed member has access again',
      tags: ['auth'],
      access: 'public',
      body: TokenBody,
      responses: { 204: { description: 'Confirmed' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`confirm-affiliation:ip:${req.ip}`, 30, 3600_000);
        await doConfirmAffiliation(ctx, body.token, req);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/moderation/reverification',
      operationId: 'listReverification',
      summary: 'Yearly re-verification: who is due (soonest first), who lapsed, who confirmed lately',
      tags: ['vetting'],
      access: Permission.ReverificationReview,
      responses: { 200: { description: 'The lists', schema: z.object({ due: z.array(ReverificationEntry), lapsed: z.array(ReverificationEntry), confirmed: z.array(ReverificationEntry) }) } },
      handler: () => listReverification(ctx),
    }),
    defineOperation({
      method: 'post',
      path: '/api/moderation/members/:memberId/affiliation',
      operationId: 'reaffirmMember',
      summary: 'Vet a member again: confirms their affiliation for another period (and gives a lapsed member access again)',
      tags: ['vetting'],
      access: Permission.ReverificationReview,
      params: z.object({ memberId: ObjectIdParam }),
      responses: { 204: { description: 'Confirmed' } },
      handler: async ({ req, params }) => {
        await doReaffirm(ctx, req.actor!, params.memberId, req);
      },
    }),
  ];
}
