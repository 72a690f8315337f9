import type { AlertDoc } from '../alerts/alert.model.ts';
import { alertRule } from '../alerts/alert.model.ts';
import type { ChannelDoc } from '../channels/channel.model.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { CONTENT_TYPES, type ContentType } from '../moderation/moderation.types.ts';
import type { AuditPlace } from '../policy/policy.ts';
import type { SpaceDoc } from '../spaces/space.model.ts';
import type { AuditEventDoc } from './audit.model.ts';
import { supportRule, type SupportRequestDoc } from '../support/support.model.ts';

const OBJECT_ID = /^[0-9a-f]{24}$/;
const isContentType = (type: string): type is ContentType => (CONTENT_TYPES as readonly string[]).includes(type);

/** What a target names: a channel (content lives in one, `<channelId>:…`), an alert, or nothing placed. */
function locate(type: string | null, id: string | null): { channelId: string } | { alertId: string } | { supportId: string } | 'gone' | 'unplaced' {
  if (!type || !id) return 'unplaced';
  // A reveal in the review queue names its item as `<type>:<id>`.
  if (type === 'content') {
    const at = id.indexOf(':');
    return at > 0 && isContentType(id.slice(0, at)) ? locate(id.slice(0, at), id.slice(at + 1)) : 'gone';
  }
  if (type === 'alert') return OBJECT_ID.test(id) ? { alertId: id } : 'gone';
  if (type === 'support_request') return OBJECT_ID.test(id) ? { supportId: id } : 'gone';
  if (type === 'channel' || isContentType(type)) {
    const channelId = id.split(':')[0]!;
    return OBJECT_ID.test(channelId) ? { channelId } : 'gone';
  }
  return 'unplaced';
}

/**
 * The place of each event's target (policy `AuditPlace`), loaded in bulk: channels and spaces are
 * small collections, alerts are read by `_id`, each once.
 */
export async function auditPlaces(ctx: AppContext, events: AuditEventDoc[]): Promise<Map<string, AuditPlace>> {
  const located = new Map(events.map((event) => [String(event._id), locate(event.targetType, event.targetId)]));
  const channelIds = [...new Set([...located.values()].flatMap((where) => (typeof where === 'object' && 'channelId' in where ? [where.channelId] : [])))];
  const alertIds = [...new Set([...located.values()].flatMap((where) => (typeof where === 'object' && 'alertId' in where ? [where.alertId] : [])))];
  const supportIds = [...new Set([...located.values()].flatMap((where) => (typeof where === 'object' && 'supportId' in where ? [where.supportId] : [])))];
  const requests = supportIds.length
    ? await ctx.models.SupportRequest.find({ _id: trusted({ $in: supportIds }) }, { requesterId: 1, organisationId: 1, visibility: 1, assignedExpertIds: 1, anonymousToExperts: 1 }).lean<SupportRequestDoc[]>()
    : [];
  const requestById = new Map(requests.map((request) => [String(request._id), request]));
  const channels = channelIds.length ? await ctx.models.Channel.find({ _id: trusted({ $in: channelIds }) }, { spaceId: 1 }).lean<Pick<ChannelDoc, '_id' | 'spaceId'>[]>() : [];
  const spaceIds = [...new Set(channels.map((channel) => String(channel.spaceId)))];
  const spaces = spaceIds.length ? await ctx.models.Space.find({ _id: trusted({ $in: spaceIds }) }).lean<SpaceDoc[]>() : [];
  const alerts = alertIds.length ? await ctx.models.Alert.find({ _id: trusted({ $in: alertIds }) }, { authorId: 1, marking: 1, recipients: 1 }).lean<AlertDoc[]>() : [];
  const spaceById = new Map(spaces.map((space) => [String(space._id), space]));
  const spaceOfChannel = new Map(channels.map((channel) => [String(channel._id), spaceById.get(String(channel.spaceId))]));
  const alertById = new Map(alerts.map((alert) => [String(alert._id), alert]));
  const out = new Map<string, AuditPlace>();
  for (const [eventId, where] of located) {
    if (typeof where === 'string') out.set(eventId, where);
    else if ('channelId' in where) {
      const space = spaceOfChannel.get(where.channelId);
      out.set(eventId, space ? { space } : 'gone');
    } else if ('supportId' in where) {
      const request = requestById.get(where.supportId);
      out.set(eventId, request ? { support: supportRule(request), anonymousToExperts: request.anonymousToExperts } : 'gone');
    } else {
      const alert = alertById.get(where.alertId);
      out.set(eventId, alert ? { alert: alertRule(alert) } : 'gone');
    }
  }
  return out;
}
