import type { Types } from 'mongoose';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { SearchDocument, SearchPresentation, SearchSource } from '../search/search.types.ts';
import type { MemberDoc } from './member.model.ts';

export const memberSearchKey = (memberId: string | Types.ObjectId) => `member:${String(memberId)}`;

/**
 * What the index keeps of a member: what the directory shows (name, job title, organisation),
 * never the e-mail address or the bio.
 */
export function memberSearchDocument(member: MemberDoc, org: Pick<OrganisationDoc, 'name'> | null): SearchDocument {
  return {
    key: memberSearchKey(member._id),
    type: 'member',
    spaceId: null,
    channelId: null,
    authorId: String(member._id),
    tags: member.sector ? [member.sector] : [],
    createdAt: member.createdAt,
    title: member.name,
    text: [member.jobTitle, org?.name ?? ''].filter(Boolean).join(' · '),
  };
}

/** Indexes a member who is in the directory (approved, not suspended); removes anyone else. Written before it resolves (a suspension takes a name out of search at once). */
export async function indexMember(ctx: AppContext, member: MemberDoc | null): Promise<void> {
  if (!member) return;
  try {
    if (member.status !== 'member') {
      await ctx.search.remove(memberSearchKey(member._id), { now: true });
      return;
    }
    const org = member.organisationId ? await ctx.cache.organisation(member.organisationId) : null;
    await ctx.search.index(memberSearchDocument(member, org), { now: true });
  } catch (error) {
    ctx.logger.error({ err: error }, 'search: could not queue a member');
  }
}

/** After an organisation's name changes: its members are found by the new name. */
export async function reindexMembersOf(ctx: AppContext, organisationId: Types.ObjectId): Promise<void> {
  const members = await ctx.models.Member.find({ organisationId, status: 'member' }).lean<MemberDoc[]>();
  for (const member of members) await indexMember(ctx, member);
}

/** Members as search finds them, by the directory's rule: members see approved members only. */
export function memberSearchSource(ctx: AppContext): SearchSource {
  const load = async (keys: string[]) => {
    const ids = keys.map((key) => key.slice('member:'.length)).filter((id) => /^[0-9a-f]{24}$/.test(id));
    return ids.length ? ctx.models.Member.find({ _id: trusted({ $in: ids }), status: 'member' }).lean<MemberDoc[]>() : [];
  };
  return {
    type: 'member',
    async visible(_actor, refs) {
      return new Set((await load(refs.map((ref) => ref.key))).map((member) => memberSearchKey(member._id)));
    },
    async present(_actor, refs) {
      const members = await load(refs.map((ref) => ref.key));
      const orgIds = [...new Set(members.map((member) => String(member.organisationId)).filter((id) => id !== 'null'))];
      const orgs = orgIds.length ? await ctx.models.Organisation.find({ _id: trusted({ $in: orgIds }) }).lean<OrganisationDoc[]>() : [];
      const orgName = new Map(orgs.map((org) => [String(org._id), org.name]));
      const out = new Map<string, SearchPresentation>();
      for (const member of members) {
        out.set(memberSearchKey(member._id), {
          title: member.name,
          text: [member.jobTitle, orgName.get(String(member.organisationId)) ?? ''].filter(Boolean).join(' · '),
          link: `/directory?q=${encodeURIComponent(member.name)}`,
        });
      }
      return out;
    },
  };
}
