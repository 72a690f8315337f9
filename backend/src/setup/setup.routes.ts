import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { text } from '../http/schemas.ts';
import { logIn } from '../auth/auth.ts';
import { presentSelfWithOrg } from '../auth/auth.routes.ts';
import { Domain } from '../applications/application.schemas.ts';
import { Email, NewPassword, PersonName } from '../members/member.schemas.ts';
import { SelfView } from '../members/member.presenter.ts';
import { SECTORS } from '../policy/policy.ts';
import { adminExists, doFirstAdminSetup } from './setup.actions.ts';

const FirstAdminBody = z
  .strictObject({
    token: text({ min: 10, max: 200 }),
    email: Email,
    password: NewPassword,
    name: PersonName,
    organisation: z.strictObject({ name: text({ min: 2, max: 120 }), sector: z.enum(SECTORS), domain: Domain }),
  })
  .meta({ id: 'FirstAdminBody' });

export function setupOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/setup/status',
      operationId: 'getSetupStatus',
      summary: 'Whether the first admin still has to be created',
      tags: ['setup'],
      access: 'public',
      responses: { 200: { description: 'Status', schema: z.object({ needed: z.boolean() }) } },
      handler: async () => ({ needed: !(await adminExists(ctx)) }),
    }),
    defineOperation({
      method: 'post',
      path: '/api/setup/first-admin',
      operationId: 'createFirstAdmin',
      summary: 'Create the first admin with the one-time link the server printed at start',
      tags: ['setup'],
      access: 'public',
      body: FirstAdminBody,
      responses: { 201: { description: 'The admin, signed in', schema: SelfView } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`setup:ip:${req.ip}`, 10, 3600_000);
        const { token, ...input } = body;
        const admin = await doFirstAdminSetup(ctx, token, input, req);
        await logIn(req, admin);
        return presentSelfWithOrg(ctx, admin);
      },
    }),
  ];
}
