import { Types } from 'mongoose';
import { trusted } from '../db/database.ts';
import { BatchLoader } from './batch-loader.ts';
import type { SessionDoc } from '../auth/auth.model.ts';
import type { AlertAckDoc, AlertDoc } from '../alerts/alert.model.ts';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { Models } from '../db/models.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { ReadPositionsDoc } from '../messages/message.model.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import type { CacheLayer } from './cache.layer.ts';

type Id = string | Types.ObjectId;

/** Most documents `prime` reads per collection. */
const PRIME_LIMIT = 20_000;

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
    this.#members = new BatchLoader(
      (id) => this.models.Member.find({ _id: id }).lean<MemberDoc[]>().exec(),
      (ids) => this.models.Member.find({ _id: trusted({ $in: ids }) }).lean<MemberDoc[]>().exec(),
    );
    this.#sessions = new BatchLoader(
      (id) => this.models.Session.find({ _id: id }).lean<SessionDoc[]>().exec(),
      (ids) => this.models.Session.find({ _id: trusted({ $in: ids }) }).lean<SessionDoc[]>().exec(),
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

  /**
   * Fills the session and member caches in two bulk reads, so that the wave of sockets that
   * reconnect to a freshly started process (a deploy) finds them in memory instead of costing two
   * scans each. Bounded by the caches' sizes; the newest sessions first. Run at start, not awaited.
   */
  async prime(now = new Date()): Promise<{ sessions: number; members: number }> {
    const sessionGeneration = this.layer.sessions.generation;
    const memberGeneration = this.layer.members.generation;
    const [sessions, members] = await Promise.all([
      this.models.Session.find({ expiresAt: trusted({ $gt: now }) }).sort({ expiresAt: -1 }).limit(PRIME_LIMIT).lean<SessionDoc[]>().exec(),
      this.models.Member.find({}).limit(PRIME_LIMIT).lean<MemberDoc[]>().exec(),
    ]);
    return {
      sessions: this.layer.sessions.prime(sessions.map((doc) => [doc._id, doc]), sessionGeneration),
      members: this.layer.members.prime(members.map((doc) => [String(doc._id), doc]), memberGeneration),
    };
  }

  alert(id: string): Promise<AlertDoc | null> {
    if (!Types.ObjectId.isValid(id)) return this.models.Alert.findById(id).lean<AlertDoc>().exec();
    return this.layer.alerts.get(id, () => this.models.Alert.findById(id).lean<AlertDoc>().exec());
  }

  /** An organisation's answer to an alert (`<alertId>:<organisationId>`), or null. */
  alertAck(id: string): Promise<AlertAckDoc | null> {
    return this.layer.alertAcks.get(id, () => this.models.AlertAck.findById(id).lean<AlertAckDoc>().exec());
  }

  /** A member's read positions (last message read per channel), or null if they have read nothing yet. */
  readPositions(memberId: string): Promise<ReadPositionsDoc | null> {
    return this.layer.readPositions.get(memberId, () => this.models.ReadPositions.findById(memberId).lean<ReadPositionsDoc>().exec());
  }

  session(sid: string): Promise<SessionDoc | null> {
    return this.layer.sessions.get(sid, () => this.#sessions.load(sid));
  }
}
