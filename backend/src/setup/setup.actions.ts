import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { hashPassword, passwordProblem } from '../auth/passwords.ts';
import type { AppContext } from '../context.ts';
import { AppError, Conflict, fieldInvalid } from '../http/errors.ts';
import { normaliseEmail, normaliseName, type MemberDoc } from '../members/member.model.ts';
import type { Sector } from '../policy/policy.ts';
import { m, msg } from '../http/locale.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export async function adminExists(ctx: Pick<AppContext, 'models'>): Promise<boolean> {
  return Boolean(await ctx.models.Member.exists({ roles: 'admin' }));
}

/**
 * On a database without an admin: a fresh one-time token (only its hash is stored; a restart
 * makes a new one and the old link stops working). Returns the token, or null when not needed.
 */
export async function prepareFirstAdminToken(ctx: Pick<AppContext, 'models'>): Promise<string | null> {
  if (await adminExists(ctx)) return null;
  const token = randomBytes(24).toString('base64url');
  await ctx.models.SetupToken.replaceOne({ _id: 'first-admin' }, { _id: 'first-admin', tokenHash: sha256(token), createdAt: new Date(), usedAt: null }, { upsert: true });
  return token;
}

export interface FirstAdminInput {
  email: string;
  password: string;
  name: string;
  organisation: { name: string; sector: Sector; domain: string };
}

/** Creates the first admin and their organisation. Used by the setup link and by `npm run admin:create`. */
export async function createAdmin(ctx: Pick<AppContext, 'models'>, input: FirstAdminInput): Promise<MemberDoc> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password, { email: email.emailNormalized, name: input.name });
  if (problem) throw fieldInvalid([{ location: 'body', path: 'password', message: problem }], 'weak_password');
  if (await ctx.models.Member.exists({ emailNormalized: email.emailNormalized })) throw new Conflict(msg(m.error_setup_email_in_use), undefined, 'email_unavailable');
  const nameNormalized = normaliseName(input.organisation.name);
  const org =
    (await ctx.models.Organisation.findOne({ nameNormalized }).lean()) ??
    (await ctx.models.Organisation.create({ name: input.organisation.name.trim(), nameNormalized, sector: input.organisation.sector, domains: [input.organisation.domain], verified: true })).toObject();
  const member = await ctx.models.Member.create({
    ...email,
    name: input.name.trim(),
    nameNormalized: normaliseName(input.name),
    passwordHash: await hashPassword(input.password),
    // The operator who holds the setup token vouches for the first admin's address.
    emailVerifiedAt: new Date(),
    status: 'member',
    roles: ['admin', 'moderator'],
    organisationId: org._id,
    sector: org.sector,
  });
  return member.toObject();
}

/** The one-time setup: the token must match and is spent atomically, so two tabs cannot both use it. */
export async function doFirstAdminSetup(ctx: AppContext, token: string, input: FirstAdminInput, req: Request): Promise<MemberDoc> {
  const refused = () => new AppError(403, 'setup_unavailable', msg(m.error_setup_link_invalid));
  if (await adminExists(ctx)) throw refused();
  const stored = await ctx.models.SetupToken.findById('first-admin').lean();
  const given = Buffer.from(sha256(token));
  if (!stored || stored.usedAt || !timingSafeEqual(given, Buffer.from(stored.tokenHash))) throw refused();
  const claimed = await ctx.models.SetupToken.updateOne({ _id: 'first-admin', usedAt: null }, { $set: { usedAt: new Date() } });
  if (claimed.modifiedCount !== 1) throw refused();
  try {
    const admin = await createAdmin(ctx, input);
    await ctx.audit.record({ action: 'setup.first_admin', actorId: admin._id, target: { type: 'member', id: admin._id }, req });
    return admin;
  } catch (error) {
    // A refused password or address must not burn the link.
    await ctx.models.SetupToken.updateOne({ _id: 'first-admin' }, { $set: { usedAt: null } });
    throw error;
  }
}
