import { Types } from 'mongoose';
import { trusted } from '../db/database.ts';
import { BatchLoader } from './batch-loader.ts';
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
  readonly #members: BatchLoader<MemberDoc>;
  readonly #sessions: BatchLoader<SessionDoc>;

  constructor(
    readonly layer: CacheLayer,
    private readonly models: Models,
  ) {
    // Misses of one tick share a query (batch-loader.ts): what a wave of reconnecting sockets needs.
    this.#members = new BatchLoader((ids) =>
      ids.length === 1 ? this.models.Member.find({ _id: ids[0] }).lean<MemberDoc[]>().exec() : this.models.Member.find({ _id: trusted({ $in: ids }) }).lean<MemberDoc[]>().exec(),
    );
    this.#sessions = new BatchLoader((ids) =>
      ids.length === 1 ? this.models.Session.find({ _id: ids[0] }).lean<SessionDoc[]>().exec() : this.models.Session.find({ _id: trusted({ $in: ids }) }).lean<SessionDoc[]>().exec(),
    );
  }

  member(id: Id): Promise<MemberDoc | null> {
    const key = String(id);
    if (!Types.ObjectId.isValid(key)) return this.models.Member.findById(key).lean<MemberDoc>().exec(); // the same CastError as before
    return this.layer.members.get(key, () => this.#members.load(key));
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
    return this.layer.sessions.get(sid, () => this.#sessions.load(sid));
  }
}
