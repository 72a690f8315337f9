import { z } from 'zod';
import { SECTORS } from '../policy/policy.ts';
import { OrganisationRef, presentOrganisationRef } from '../members/member.presenter.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { ApplicationDoc } from './application.model.ts';

export const ApplicationView = z
  .object({
    status: z.enum(['draft', 'pending', 'needs_info', 'approved', 'rejected']).describe('draft: saved, not yet submitted'),
    organisation: OrganisationRef.nullable(),
    proposedOrganisation: z.object({ name: z.string(), domain: z.string() }).nullable(),
    sector: z.enum(SECTORS),
    jobTitle: z.string(),
    reason: z.string(),
    referee: z.object({ name: z.string(), email: z.string(), organisation: z.string() }),
    thread: z.array(z.object({ at: z.string(), from: z.enum(['moderator', 'applicant']), text: z.string() })),
    submittedAt: z.string(),
    queuedAt: z.string(),
    decision: z.object({ at: z.string(), reason: z.string() }).nullable(),
  })
  .meta({ id: 'Application' });
export type ApplicationView = z.infer<typeof ApplicationView>;

export const QueueEntry = z
  .object({
    id: z.string().describe('The applicant id'),
    applicant: z.object({ id: z.string(), name: z.string(), email: z.string() }),
    application: ApplicationView,
    signals: z.object({
      emailDomainMatches: z.boolean().describe("The applicant's e-mail address is verified and its domain is one of the organisation's domains"),
      sameDomainAccounts: z.number().describe('Other accounts with the same e-mail domain'),
      sameNameAccounts: z.number().describe('Other accounts with the same name'),
      waitingHours: z.number().describe('Hours since it entered the queue'),
    }),
  })
  .meta({ id: 'VettingQueueEntry' });
export type QueueEntry = z.infer<typeof QueueEntry>;

export function presentApplication(application: ApplicationDoc, org: OrganisationDoc | null | undefined): ApplicationView {
  return {
    status: application.status,
    organisation: presentOrganisationRef(org),
    proposedOrganisation: application.proposedOrganisation ? { name: application.proposedOrganisation.name, domain: application.proposedOrganisation.domain } : null,
    sector: application.sector,
    jobTitle: application.jobTitle,
    reason: application.reason,
    referee: { name: application.referee.name, email: application.referee.email, organisation: application.referee.organisation },
    // Moderators are not named to the applicant.
    thread: application.thread.map((entry) => ({ at: entry.at.toISOString(), from: entry.from, text: entry.text })),
    submittedAt: application.submittedAt.toISOString(),
    queuedAt: application.queuedAt.toISOString(),
    decision: application.decision ? { at: application.decision.at.toISOString(), reason: application.decision.reason } : null,
  };
}

export function presentQueueEntry(
  application: ApplicationDoc,
  applicant: MemberDoc,
  org: OrganisationDoc | null | undefined,
  signals: QueueEntry['signals'],
): QueueEntry {
  return {
    id: String(application._id),
    applicant: { id: String(applicant._id), name: applicant.name, email: applicant.email },
    application: presentApplication(application, org),
    signals,
  };
}
