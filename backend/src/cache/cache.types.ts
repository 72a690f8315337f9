import type { SessionDoc } from '../auth/auth.model.ts';
import type { AlertAckDoc, AlertDoc } from '../alerts/alert.model.ts';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { ReadPositionsDoc } from '../messages/message.model.ts';
import type { MessageDoc } from '../messages/message.store.ts';
import type { OrganisationDoc } from '../organisations/organisation.model.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';

/** What each cached entity holds, by key. */
export interface CachedDocs {
  /** By session id. */
  sessions: SessionDoc;
  /** By `_id` (hex). */
  members: MemberDoc;
  organisations: OrganisationDoc;
  spaces: SpaceDoc;
  /** Key `all`: every space, in the order the spaces list shows them. */
  spaceList: SpaceDoc[];
  channels: ChannelDoc;
  /** Key `all`: every channel. */
  channelList: ChannelDoc[];
  /** `settings` documents by `_id`. */
  settings: { _id: string } & Record<string, unknown>;
  /** Key `<channelId>:<block>`: the block's messages, by number. */
  messageBlocks: MessageDoc[];
  /** By `_id`: what 1,000 members open at once when a critical alert goes out. */
  alerts: AlertDoc;
  /** By `<alertId>:<organisationId>`; absences are cached too. */
  alertAcks: AlertAckDoc;
  /** By member id: the member's last read message per channel (the spaces list and every history page show it); absences are cached too. */
  readPositions: ReadPositionsDoc;
}
