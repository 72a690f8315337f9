import type { Request } from 'express';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { trusted } from '../db/database.ts';
import type { AppContext } from '../context.ts';
import { Conflict, fieldInvalid, Invalid, NotFound } from '../http/errors.ts';
import { issueToken, spendToken, mailLocale } from '../mail/mail.actions.ts';
import { affiliationAskMail, affiliationConfirmMail, affiliationLapsedMail } from '../mail/mail.templates.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { Actor } from '../policy/policy.ts';
import { normaliseEmail, type MemberDoc } from './member.model.ts';
import { indexMember } from './member.search.ts';
import { m, msg } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';

/**
 * Yearly re-verification of affiliations. A member's affiliation holds `reverifyAfterDays` from
 * when it was last confirmed (approval, a followed link, or a moderator vetting them again).
 * `reverifyNoticeDays` before it runs out the member is asked by e-mail to confirm it at an
 * address on their organisation's domain. `reverifyGraceDays` after it ran out an unconfirmed
 * member lapses: status `lapsed`, which keeps the account and its content but reaches nothing
 * (the policy admits lapsed people only to their profile and this confirmation) until they
 * confirm or a moderator vets them again. Every step is audited. Times come from `ctx.clock`.
 */

const DAY_MS = 24 * 3600_000;
export const AFFILIATION_LINK_TTL_MS = 7 * DAY_MS;

export const AffiliationView = z
  .object({
    state: z.enum(['current', 'due', 'lapsed']).describe('due: asked to confirm (or within the notice period); lapsed: access ended until confirmed'),
    confirmedAt: z.string(),
    expiresAt: z.string(),
    askedAt: z.string().nullable(),
    lapsedAt: z.string().nullable(),
    /** The domains a confirming address must be on. */
    domains: z.array(z.string()),
  })
  .meta({ id: 'Affiliation' });
export type AffiliationView = z.infer<typeof AffiliationView>;

type Policy = Pick<Config, 'reverifyAfterDays' | 'reverifyNoticeDays' | 'reverifyGraceDays'>;

export function confirmedAt(member: Pick<MemberDoc, 'affiliation' | 'createdAt'>): Date {
  return member.affiliation?.confirmedAt ?? member.createdAt;
}

export function expiresAt(member: Pick<MemberDoc, 'affiliation' | 'createdAt'>, policy: Policy): Date {
  return new Date(confirmedAt(member).getTime() + policy.reverifyAfterDays * DAY_MS);
}

/** Null for people without an affiliation to confirm (applicants, suspended people). */
export function presentAffiliation(member: MemberDoc, org: Pick<OrganisationDoc, 'domains'> | null | undefined, policy: Policy, now: number): AffiliationView | null {
  if ((member.status !== 'member' && member.status !== 'lapsed') || !member.organisationId) return null;
  const expires = expiresAt(member, policy);
  const due = now >= expires.getTime() - policy.reverifyNoticeDays * DAY_MS;
  return {
    state: member.status === 'lapsed' ? 'lapsed' : due ? 'due' : 'current',
    confirmedAt: confirmedAt(member).toISOString(),
    expiresAt: expires.toISOString(),
    askedAt: member.affiliation?.askedAt?.toISOString() ?? null,
    lapsedAt: member.affiliation?.lapsedAt?.toISOString() ?? null,
    domains: org?.domains ?? [],
  };
}

const onDomain = (emailDomain: string, domains: readonly string[]) => domains.some((domain) => emailDomain === domain.toLowerCase());

/**
 * One pass over the members that may be due (the periodic jobs run it; tests call it with a moved clock): asks
 * those whose affiliation runs out within the notice period, once per period, and lapses those
 * past the grace period. Returns how many it asked and lapsed.
 */
export async function runReverification(ctx: AppContext): Promise<{ asked: number; lapsed: number }> {
  const policy = ctx.config;
  const now = ctx.clock.now();
  // Only those who could be asked or lapse now: confirmed (or, never confirmed, created) at least
  // the period less the notice ago. Everyone confirmed since is not read at all.
  const cutoff = new Date(now - (policy.reverifyAfterDays - policy.reverifyNoticeDays) * DAY_MS);
  const mayBeDue: Record<string, unknown>[] = [{ 'affiliation.confirmedAt': trusted({ $lte: cutoff }) }, { 'affiliation.confirmedAt': null, createdAt: trusted({ $lte: cutoff }) }];
  const members = await ctx.models.Member.find(trusted({ status: 'member' as const, organisationId: trusted({ $ne: null }), $or: mayBeDue })).lean<MemberDoc[]>();
  let asked = 0;
  let lapsed = 0;
  for (const member of members) {
    const expires = expiresAt(member, policy).getTime();
    const askedAt = member.affiliation?.askedAt?.getTime() ?? null;
    const alreadyAsked = askedAt !== null && askedAt >= confirmedAt(member).getTime();
    // Nobody lapses without having been asked, with the whole notice and grace period after the
    // ask (members from before re-verification, or a job that did not run, get their full time).
    if (alreadyAsked && now >= Math.max(expires, askedAt + policy.reverifyNoticeDays * DAY_MS) + policy.reverifyGraceDays * DAY_MS) {
      // Only if nothing confirmed it in the meantime (the filter names what we read).
      const result = await ctx.models.Member.updateOne(
        { _id: member._id, status: 'member', 'affiliation.confirmedAt': member.affiliation?.confirmedAt ?? null },
        { $set: { status: 'lapsed', affiliation: { confirmedAt: member.affiliation?.confirmedAt ?? null, askedAt: member.affiliation?.askedAt ?? null, lapsedAt: new Date(now) } }, $inc: { sessionEpoch: 1 } },
      );
      if (result.modifiedCount === 0) continue;
      ctx.realtime.disconnectMember(String(member._id), 'access_changed');
      // Out of the directory and its search while paused.
      await indexMember(ctx, { ...member, status: 'lapsed' });
      await ctx.outbox.queue({ kind: 'affiliation-lapsed', to: member.email, memberId: member._id, ...affiliationLapsedMail(member.locale ?? 'en', ctx.config.publicUrl) });
      await ctx.audit.record({ action: 'member.affiliation_lapsed', actorId: null, target: { type: 'member', id: member._id }, details: { expiredAt: new Date(expires).toISOString() } });
      lapsed++;
      continue;
    }
    if (now >= expires - policy.reverifyNoticeDays * DAY_MS && !alreadyAsked) {
      const result = await ctx.models.Member.updateOne(
        { _id: member._id, status: 'member', 'affiliation.askedAt': member.affiliation?.askedAt ?? null },
        { $set: { affiliation: { confirmedAt: member.affiliation?.confirmedAt ?? null, askedAt: new Date(now), lapsedAt: null } } },
      );
      if (result.modifiedCount === 0) continue;
      const org = await ctx.cache.organisation(member.organisationId);
      await sendAsk(ctx, member, org, new Date(expires));
      await ctx.audit.record({ action: 'member.reverification_requested', actorId: null, target: { type: 'member', id: member._id }, details: { expiresAt: new Date(expires).toISOString() } });
      asked++;
    }
  }
  return { asked, lapsed };
}

/** The ask: a confirmation link if the member's verified address is on the organisation's domain, else a request to give one. */
async function sendAsk(ctx: AppContext, member: MemberDoc, org: OrganisationDoc | null, expires: Date): Promise<void> {
  const domains = org?.domains ?? [];
  const direct = Boolean(member.emailVerifiedAt) && onDomain(member.emailDomain, domains);
  const token = direct ? await issueToken(ctx, 'affiliation', member._id, member.emailNormalized, AFFILIATION_LINK_TTL_MS) : null;
  await ctx.outbox.queue({ kind: 'affiliation-ask', to: member.email, memberId: member._id, ...affiliationAskMail(member.locale ?? 'en', ctx.config.publicUrl, { name: member.name, organisation: org?.name ?? '', domains, expires, token }) });
}

/**
 * A member (or a lapsed one) asks for a confirmation link at an address on their organisation's
 * domain (their own address if none is given). Caller applied the rate limit.
 */
export async function doSendAffiliationLink(ctx: AppContext, member: MemberDoc, email: string | undefined, req: Request): Promise<void> {
  const org = await ctx.cache.organisation(member.organisationId);
  const domains = org?.domains ?? [];
  if (!org || domains.length === 0) throw new Conflict(msg(m.error_reverify_no_domain), undefined, 'no_domain');
  const target = email ? normaliseEmail(email) : { email: member.email, emailNormalized: member.emailNormalized, emailDomain: member.emailDomain };
  if (!onDomain(target.emailDomain, domains)) {
    const message = (locale: Locale) => m.error_reverify_not_on_domain({ domains: new Intl.ListFormat(locale, { type: 'disjunction' }).format(domains) }, { locale });
    throw fieldInvalid([{ location: 'body', path: 'email', message }], 'not_on_domain');
  }
  const token = await issueToken(ctx, 'affiliation', member._id, target.emailNormalized, AFFILIATION_LINK_TTL_MS);
  await ctx.outbox.queue({ kind: 'affiliation-confirm', to: target.email, memberId: member._id, ...affiliationConfirmMail(mailLocale(member, req), ctx.config.publicUrl, token, org.name) });
  await ctx.audit.record({ action: 'member.affiliation_link_sent', actorId: member._id, target: { type: 'member', id: member._id }, details: { domain: target.emailDomain }, req });
}

async function confirm(ctx: AppContext, member: MemberDoc, by: { actorId: Types.ObjectId | string; how: 'link' | 'moderator' }, req: Request): Promise<void> {
  const restored = member.status === 'lapsed';
  const result = await ctx.models.Member.updateOne(
    { _id: member._id, status: member.status },
    {
      $set: { status: 'member', affiliation: { confirmedAt: ctx.clock.date(), askedAt: null, lapsedAt: null } },
      ...(restored ? { $inc: { sessionEpoch: 1 } } : {}),
    },
  );
  if (result.matchedCount === 0) throw new Conflict(msg(m.error_reverify_changed), undefined, 'changed');
  if (restored) await indexMember(ctx, { ...member, status: 'member' });
  await ctx.audit.record({ action: 'member.affiliation_confirmed', actorId: by.actorId, target: { type: 'member', id: member._id }, details: { how: by.how, restored }, req });
}

/** Follows a confirmation link: the address must still be on the organisation's domain. */
export async function doConfirmAffiliation(ctx: AppContext, token: string, req: Request): Promise<void> {
  const doc = await spendToken(ctx, 'affiliation', token);
  const member = await ctx.models.Member.findById(doc.memberId).lean<MemberDoc>();
  const org = member ? await ctx.cache.organisation(member.organisationId) : null;
  const invalid = new Invalid(msg(m.error_link_invalid), undefined, 'invalid_token');
  if (!member || (member.status !== 'member' && member.status !== 'lapsed') || !org) throw invalid;
  if (!onDomain(normaliseEmail(doc.email).emailDomain, org.domains)) throw invalid;
  await confirm(ctx, member, { actorId: member._id, how: 'link' }, req);
}

/** A moderator vets a member again: confirms the affiliation (and restores a lapsed member). */
export async function doReaffirm(ctx: AppContext, actor: Actor, memberId: string, req: Request): Promise<void> {
  const member = Types.ObjectId.isValid(memberId) ? await ctx.models.Member.findById(memberId).lean<MemberDoc>() : null;
  if (!member) throw new NotFound(msg(m.error_no_such_person));
  if (member.status !== 'member' && member.status !== 'lapsed') throw new Conflict(msg(m.error_reverify_members_only), undefined, 'not_a_member');
  await confirm(ctx, member, { actorId: actor.id, how: 'moderator' }, req);
}

export const ReverificationEntry = z
  .object({ id: z.string(), name: z.string(), email: z.string(), organisation: z.string().nullable() })
  .extend({ affiliation: AffiliationView })
  .meta({ id: 'ReverificationEntry' });

/** Who is due, who lapsed, and who confirmed within the last notice period, for moderators. */
export async function listReverification(ctx: AppContext): Promise<{ due: z.infer<typeof ReverificationEntry>[]; lapsed: z.infer<typeof ReverificationEntry>[]; confirmed: z.infer<typeof ReverificationEntry>[] }> {
  const now = ctx.clock.now();
  const members = await ctx.models.Member.find({ status: trusted({ $in: ['member', 'lapsed'] as MemberDoc['status'][] }), organisationId: trusted({ $ne: null }) }).lean<MemberDoc[]>();
  const lists = { due: [] as z.infer<typeof ReverificationEntry>[], lapsed: [] as z.infer<typeof ReverificationEntry>[], confirmed: [] as z.infer<typeof ReverificationEntry>[] };
  for (const member of members) {
    const org = await ctx.cache.organisation(member.organisationId);
    const affiliation = presentAffiliation(member, org, ctx.config, now)!;
    const entry = { id: String(member._id), name: member.name, email: member.email, organisation: org?.name ?? null, affiliation };
    if (affiliation.state === 'lapsed') lists.lapsed.push(entry);
    else if (affiliation.state === 'due') lists.due.push(entry);
    else if (member.affiliation?.confirmedAt && now - member.affiliation.confirmedAt.getTime() <= ctx.config.reverifyNoticeDays * DAY_MS) lists.confirmed.push(entry);
  }
  lists.due.sort((a, b) => a.affiliation.expiresAt.localeCompare(b.affiliation.expiresAt));
  return lists;
}
