import { locales } from '../shared/i18n/locale.ts';
import { z } from 'zod';
import { m } from '../http/locale.ts';
import { localized, text } from '../http/schemas.ts';
import { ROLES } from '../policy/policy.ts';
import { EXPERT_AREAS } from '../shared/support-topics.ts';

export const Email = text({ min: 3, max: 254 })
  .transform((value) => value.trim())
  .pipe(z.email('must be an e-mail address'))
  .describe('E-mail address; compared case-insensitively.');
/** Strength is checked by the action (it needs the e-mail); the schema bounds the size. */
export const NewPassword = text({ min: 1, max: 200 }).describe('At least 12 characters, not a common password.');
export const PersonName = text({ min: 1, max: 100 }).describe('Full name.');
export const ObjectIdParam = z.string().regex(/^[0-9a-f]{24}$/, localized(m.error_field_object_id));

export const SignUpBody = z.strictObject({ email: Email, password: NewPassword, name: PersonName }).meta({ id: 'SignUpBody' });
export type SignUpBody = z.infer<typeof SignUpBody>;

export const SignInBody = z.strictObject({ email: text({ min: 1, max: 254 }), password: text({ min: 1, max: 200 }) }).meta({ id: 'SignInBody' });
export type SignInBody = z.infer<typeof SignInBody>;

export const UpdateProfileBody = z
  .strictObject({
    name: PersonName.optional(),
    jobTitle: text({ max: 120 }).optional(),
    bio: text({ max: 2000 }).optional(),
    locale: z.enum(locales).nullable().optional().describe('Language for pages, notifications and e-mails; null follows the browser'),
  })
  .meta({ id: 'UpdateProfileBody' });

export const ChangePasswordBody = z
  .strictObject({ currentPassword: text({ min: 1, max: 200 }), newPassword: NewPassword })
  .meta({ id: 'ChangePasswordBody' });

export const DirectoryQuery = z.strictObject({
  q: text({ max: 100 }).optional().describe('Part of a name, job title or organisation'),
  sector: z.enum(['government', 'industry', 'civil_society', 'academia']).optional(),
  organisationId: ObjectIdParam.optional(),
});

/** An expert's declared areas: technical and legal topics of the support desk, each once. */
export const ExpertAreas = z
  .array(z.enum(EXPERT_AREAS))
  .min(1)
  .max(EXPERT_AREAS.length)
  .refine((areas) => new Set(areas).size === areas.length, localized(m.error_member_repeated_area))
  .describe('Technical and legal topics the expert answers');

export const RoleChangeBody = z
  .strictObject({
    role: z.enum(ROLES),
    grant: z.boolean(),
    areas: ExpertAreas.optional().describe('With role "expert" and grant true: the areas the expert declares (replaces any before)'),
  })
  .refine((body) => body.areas === undefined || (body.role === 'expert' && body.grant), { ...localized(m.error_member_areas_with_expert), path: ['areas'] })
  .meta({ id: 'RoleChangeBody' });

export const ExpertAreasBody = z.strictObject({ areas: ExpertAreas }).meta({ id: 'ExpertAreasBody' });

export const SuspendBody = z.strictObject({ reason: text({ min: 3, max: 500 }) }).meta({ id: 'SuspendBody' });
