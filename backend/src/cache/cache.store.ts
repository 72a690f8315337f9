import type { Types } from 'mongoose';
import type { SessionDoc } from '../auth/auth.model.ts';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { Models } from '../db/models.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import type { CacheLayer } from './cache.layer.ts';

type Id = string | Types.ObjectId;

/**
 * Reads of hot documents, through the cache layer: the rest of the code asks here instead of the
 * models for a member, organisation, space, channel or session by id, and for the lists of spaces
 * and channels. What comes back is frozen and shared: copy before changing. Every write goes to
 * the models as before; the plugin drops what it touched (cache.plugin.ts).
 *
 * Queries by anything but `_id` (sign-in by e-mail, directory searches) go to the models: they are
 * not on the hot path, and keeping them exact costs nothing.
 */
export class CachedStore {
  constructor(
    readonly layer: CacheLayer,
    private readonly models: Models,
  ) {}

  member(id: Id): Promise<MemberDoc | null> {
    const key = String(id);
    return this.layer.members.get(key, () => this.models.Member.findById(key).lean<MemberDoc>().exec());
  }

  organisation(id: Id | null | undefined): Promise<OrganisationDoc | null> {
    if (!id) return Promise.resolve(null);
    const key = String(id);
    return this.layer.organisations.get(key, () => this.models.Organisation.findById(key).lean<OrganisationDoc>().exec());
  }

  space(id: Id): Promise<SpaceDoc | null> {
    const key = String(id);
    return this.layer.spaces.get(key, () => this.models.Space.findById(key).lean<SpaceDoc>().exec());
  }

  channel(id: Id): Promise<ChannelDoc | null> {
    const key = String(id);
    return this.layer.channels.get(key, () => this.models.Channel.findById(key).lean<ChannelDoc>().exec());
  }

  /** Every space, oldest first (the order the spaces list shows). */
  async spaces(): Promise<readonly SpaceDoc[]> {
    return (await this.layer.spaceList.get('all', () => this.models.Space.find({}).sort({ createdAt: 1 }).lean<SpaceDoc[]>().exec())) ?? [];
  }

  /** Every channel, pinned first, then by name (the order the spaces list shows). */
  async channels(): Promise<readonly ChannelDoc[]> {
    return (await this.layer.channelList.get('all', () => this.models.Channel.find({}).sort({ pinned: -1, name: 1 }).lean<ChannelDoc[]>().exec())) ?? [];
  }

  session(sid: string): Promise<SessionDoc | null> {
    return this.layer.sessions.get(sid, () => this.models.Session.findById(sid).lean<SessionDoc>().exec());
  }
}
