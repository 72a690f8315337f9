import { locales } from '../shared/i18n/locale.ts';
import { AffiliationView } from './reverification.ts';
import { z } from 'zod';
import { ROLES, SECTORS } from '../policy/policy.ts';
import { EXPERT_AREAS } from '../shared/support-topics.ts';
import type { MemberDoc } from './member.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';

export const OrganisationRef = z.object({ id: z.string(), name: z.string(), sector: z.enum(SECTORS) }).meta({ id: 'OrganisationRef' });

/** What a person sees about themselves. */
export const SelfView = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    jobTitle: z.string(),
    bio: z.string(),
    locale: z.enum(locales).nullable().describe('The language chosen on the profile; null follows the browser'),
    status: z.enum(['applicant', 'member', 'suspended', 'lapsed']),
    roles: z.array(z.enum(ROLES)),
    sector: z.enum(SECTORS).nullable(),
    organisation: OrganisationRef.nullable(),
    hasPassword: z.boolean(),
    emailVerified: z.boolean().describe('Whether a link sent to this address has been followed'),
    expertAreas: z.array(z.enum(EXPERT_AREAS)).describe('Experts: the areas they declared'),
    onDuty: z.boolean().describe('Experts: on duty now'),
    affiliation: AffiliationView.nullable().describe('Yearly re-verification of the affiliation; null for applicants'),
  })
  .meta({ id: 'Self' });
export type SelfView = z.infer<typeof SelfView>;

/** What members see of each other in the directory: no e-mail address. */
export const DirectoryEntry = z
  .object({
    id: z.string(),
    name: z.string(),
    jobTitle: z.string(),
    sector: z.enum(SECTORS).nullable(),
    organisation: OrganisationRef.nullable(),
    roles: z.array(z.enum(ROLES)),
  })
  .meta({ id: 'DirectoryEntry' });
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;

/** What moderators and admins see when managing people. */
export const MemberAdminView = DirectoryEntry.extend({
  email: z.string(),
  status: z.enum(['applicant', 'member', 'suspended', 'lapsed']),
  suspension: z.object({ reason: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
  expertAreas: z.array(z.enum(EXPERT_AREAS)).describe('Experts: declared areas'),
  onDuty: z.boolean().describe('Experts: on duty now'),
  affiliation: AffiliationView.nullable(),
}).meta({ id: 'MemberAdminView' });
export type MemberAdminView = z.infer<typeof MemberAdminView>;

export function presentOrganisationRef(org: Pick<OrganisationDoc, '_id' | 'name' | 'sector'> | null | undefined) {
  return org ? { id: String(org._id), name: org.name, sector: org.sector } : null;
}

export function presentSelf(member: MemberDoc, org: OrganisationDoc | null, affiliation: AffiliationView | null = null): SelfView {
  return {
    id: String(member._id),
    email: member.email,
    name: member.name,
    jobTitle: member.jobTitle,
    bio: member.bio,
    locale: member.locale ?? null,
    status: member.status,
    roles: member.roles,
    sector: member.sector,
    organisation: presentOrganisationRef(org),
    hasPassword: Boolean(member.passwordHash),
    emailVerified: Boolean(member.emailVerifiedAt),
    expertAreas: member.expertAreas ?? [],
    onDuty: Boolean(member.onDuty),
    affiliation,
  };
}

export function presentDirectoryEntry(member: MemberDoc, org: OrganisationDoc | null | undefined): DirectoryEntry {
  return {
    id: String(member._id),
    name: member.name,
    jobTitle: member.jobTitle,
    sector: member.sector,
    organisation: presentOrganisationRef(org),
    roles: member.roles,
  };
}

export function presentMemberAdmin(member: MemberDoc, org: OrganisationDoc | null | undefined, affiliation: AffiliationView | null = null): MemberAdminView {
  return {
    ...presentDirectoryEntry(member, org),
    email: member.email,
    status: member.status,
    suspension: member.suspension ? { reason: member.suspension.reason, at: member.suspension.at.toISOString() } : null,
    createdAt: member.createdAt.toISOString(),
    expertAreas: member.expertAreas ?? [],
    onDuty: Boolean(member.onDuty),
    affiliation,
  };
}
