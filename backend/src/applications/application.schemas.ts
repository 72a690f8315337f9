import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text } from '../http/schemas.ts';
import { Email, ObjectIdParam } from '../members/member.schemas.ts';
import { SECTORS } from '../policy/policy.ts';

export const Domain = text({ min: 3, max: 253 })
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.string().regex(/^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, localized(m.error_application_domain)))
  .describe('Web or e-mail domain, e.g. example.org');

export const ApplicationBody = z
  .strictObject({
    organisationId: ObjectIdParam.optional().describe('An existing organisation'),
    proposedOrganisation: z.strictObject({ name: text({ min: 2, max: 120 }), domain: Domain }).optional().describe('A new organisation, if yours is not listed'),
    sector: z.enum(SECTORS),
    jobTitle: text({ min: 2, max: 120 }),
    reason: text({ min: 20, max: 4000 }).describe('Why you need access'),
    referee: z.strictObject({ name: text({ min: 2, max: 100 }), email: Email, organisation: text({ min: 2, max: 120 }) }),
  })
  .refine((body) => Boolean(body.organisationId) !== Boolean(body.proposedOrganisation), {
    ...localized(m.error_application_org_or_proposed),
    path: ['organisationId'],
  })
  .meta({ id: 'ApplicationBody' });
export type ApplicationBody = z.infer<typeof ApplicationBody>;

export const AnswerBody = z.strictObject({ text: text({ min: 1, max: 4000 }) }).meta({ id: 'AnswerBody' });
export const QuestionBody = z.strictObject({ text: text({ min: 5, max: 4000 }) }).meta({ id: 'QuestionBody' });
export const RejectBody = z.strictObject({ reason: text({ min: 5, max: 2000 }) }).meta({ id: 'RejectBody' });
export const ApproveBody = z
  .strictObject({ organisationId: ObjectIdParam.optional().describe('Confirm this organisation instead of the one applied for') })
  .meta({ id: 'ApproveBody' });
export const QueueQuery = z.strictObject({ status: z.enum(['pending', 'needs_info', 'approved', 'rejected']).default('pending') });
export const ApplicantParams = z.object({ applicantId: ObjectIdParam });
