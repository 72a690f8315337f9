import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { hashPassword } from '../../backend/src/auth/passwords.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { normaliseEmail, normaliseName, type MemberDoc } from '../../backend/src/members/member.model.ts';
import type { OrganisationDoc } from '../../backend/src/organisations/organisation.model.ts';
import type { MemberStatus, Role, Sector } from '../../backend/src/policy/policy.ts';
import { ApiClient } from '../helpers/client.ts';

export const PASSWORD = 'correct horse battery staple 42';
let hashed: Promise<string> | undefined;
/** One hash for every factory member: hashing is slow by design. */
const passwordHash = () => (hashed ??= hashPassword(PASSWORD));

const unique = () => randomBytes(4).toString('hex');

export async function makeOrganisation(models: Models, input: Partial<OrganisationDoc> = {}): Promise<OrganisationDoc> {
  const name = input.name ?? `Org ${unique()}`;
  const org = await models.Organisation.create({
    name,
    nameNormalized: normaliseName(name),
    sector: input.sector ?? 'industry',
    domains: input.domains ?? [`${unique()}.example`],
    verified: input.verified ?? true,
  });
  return org.toObject();
}

export interface MakeMember {
  status?: MemberStatus;
  roles?: Role[];
  sector?: Sector;
  email?: string;
  name?: string;
  organisation?: OrganisationDoc | null;
  /** Default true: factory people have proved their address. */
  emailVerified?: boolean;
}

export async function makeMember(models: Models, input: MakeMember = {}): Promise<MemberDoc> {
  const status = input.status ?? 'member';
  const org = input.organisation === undefined && status !== 'applicant' ? await makeOrganisation(models, { sector: input.sector ?? 'industry' }) : input.organisation ?? null;
  const email = input.email ?? `person-${unique()}@${org?.domains[0] ?? 'example.org'}`;
  const name = input.name ?? `Person ${unique()}`;
  const member = await models.Member.create({
    ...normaliseEmail(email),
    emailVerifiedAt: input.emailVerified === false ? null : new Date(),
    name,
    nameNormalized: normaliseName(name),
    passwordHash: await passwordHash(),
    status,
    roles: input.roles ?? [],
    organisationId: org?._id ?? null,
    sector: org?.sector ?? null,
    suspension: status === 'suspended' ? { reason: 'test', by: new Types.ObjectId(), at: new Date() } : null,
  });
  return member.toObject();
}

/** A client signed in as a new member made by the factory. */
export async function signedIn(baseUrl: string, models: Models, input: MakeMember = {}): Promise<{ client: ApiClient; member: MemberDoc }> {
  const member = await makeMember(models, input);
  const client = new ApiClient(baseUrl);
  const res = await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, member };
}
