import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound, isDuplicateKey } from '../http/errors.ts';
import { text } from '../http/schemas.ts';
import { ObjectIdParam } from '../members/member.schemas.ts';
import { CHANNEL_KINDS, type ChannelDoc } from '../channels/channel.model.ts';
import { Permission, ROLES, SECTORS, canEnterSpace } from '../policy/policy.ts';
import { Rooms } from '../shared/realtime-events.ts';
import { DEFAULT_SPACES, type SpaceDoc } from './space.model.ts';
import { m, msg } from '../http/locale.ts';
import { baseLocale } from '../shared/i18n/locale.ts';

const Access = z.strictObject({ sectors: z.array(z.enum(SECTORS)).max(4), roles: z.array(z.enum(ROLES)).max(ROLES.length) }).describe('Empty lists mean "any"');
const ChannelView = z
  .object({
    id: z.string(),
    spaceId: z.string(),
    name: z.string(),
    topic: z.string(),
    kind: z.enum(CHANNEL_KINDS),
    archived: z.boolean(),
    pinned: z.boolean(),
    lastSeq: z.number(),
    readSeq: z.number().optional().describe('Your read position: unread = lastSeq - readSeq'),
    readOnly: z.boolean().describe('Only moderators may post'),
    slowModeSeconds: z.number().describe('One message per member per this many seconds (0: off)'),
    noticeHtml: z.string().nullable().describe("The moderators' pinned notice, sanitised HTML"),
  })
  .meta({ id: 'Channel' });
const SpaceView = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), description: z.string(), access: Access, archived: z.boolean(), channels: z.array(ChannelView) })
  .meta({ id: 'Space' });

const SpaceBody = z
  .strictObject({ slug: z.string().regex(/^[a-z0-9-]{2,40}$/), name: text({ min: 2, max: 80 }), description: text({ max: 500 }).default(''), access: Access })
  .meta({ id: 'SpaceBody' });
const SpacePatch = z
  .strictObject({ name: text({ min: 2, max: 80 }).optional(), description: text({ max: 500 }).optional(), access: Access.optional(), archived: z.boolean().optional() })
  .meta({ id: 'SpacePatch' });
const ChannelBody = z
  .strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -'), topic: text({ max: 300 }).default(''), kind: z.enum(CHANNEL_KINDS).default('discussion') })
  .meta({ id: 'ChannelBody' });
const ChannelPatch = z
  .strictObject({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(), topic: text({ max: 300 }).optional(), archived: z.boolean().optional(), pinned: z.boolean().optional() })
  .meta({ id: 'ChannelPatch' });

export const presentChannel = (channel: ChannelDoc) => ({
  id: String(channel._id),
  spaceId: String(channel.spaceId),
  name: channel.name,
  topic: channel.topic,
  kind: channel.kind,
  archived: channel.archived,
  pinned: channel.pinned,
  lastSeq: channel.lastSeq,
  readOnly: channel.readOnly ?? false,
  slowModeSeconds: channel.slowModeSeconds ?? 0,
  noticeHtml: channel.notice?.html ?? null,
});
const presentSpace = (space: SpaceDoc, channels: readonly ChannelDoc[]) => ({
  id: String(space._id),
  slug: space.slug,
  name: space.name,
  description: space.description,
  access: { sectors: space.access.sectors, roles: space.access.roles },
  archived: space.archived,
  channels: channels.filter((channel) => String(channel.spaceId) === String(space._id)).map(presentChannel),
});

/**
 * A fresh database gets the default spaces, each with a #general channel. Their names, descriptions
 * and topics are stored once, so they are written in the base language, English (the demo seed
 * rewords them in its SEED_LOCALE).
 */
export async function ensureDefaultSpaces(ctx: Pick<AppContext, 'models'>): Promise<void> {
  if (await ctx.models.Space.exists({})) return;
  for (const space of DEFAULT_SPACES) {
    try {
      const name = space.name(baseLocale);
      const doc = await ctx.models.Space.create({ slug: space.slug, name, description: space.description(baseLocale), access: space.access, archived: false });
      await ctx.models.Channel.create({ spaceId: doc._id, name: 'general', topic: m.spaces_general_topic({ space: name }, { locale: baseLocale }), kind: 'discussion' });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process was first
    }
  }
}

export function spaceOperations(ctx: AppContext): Operation[] {
  /** Cuts the sockets in a space's channel rooms: they reconnect and rejoin under the new rule. */
  const resetRooms = async (spaceId: string) => {
    const channels = await ctx.models.Channel.find({ spaceId }, { _id: 1 }).lean<Pick<ChannelDoc, '_id'>[]>();
    ctx.realtime.disconnectRooms(channels.map((channel) => Rooms.channel(String(channel._id))));
  };
  return [
    defineOperation({
      method: 'get',
      path: '/api/spaces',
      operationId: 'listSpaces',
      summary: 'The spaces you may enter, with their channels',
      tags: ['spaces'],
      access: Permission.Converse,
      responses: { 200: { description: 'Spaces', schema: z.array(SpaceView) } },
      handler: async ({ req }) => {
        const [spaces, channels] = await Promise.all([ctx.cache.spaces(), ctx.cache.channels()]);
        const positions = (await ctx.cache.readPositions(req.actor!.id))?.channels ?? {};
        return spaces
          .filter((space) => canEnterSpace(req.actor, space))
          .map((space) => {
            const view = presentSpace(space, channels);
            return { ...view, channels: view.channels.map((channel) => ({ ...channel, readSeq: positions[channel.id] ?? 0 })) };
          });
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/spaces',
      operationId: 'createSpace',
      summary: 'Create a space with its access rule (admins)',
      tags: ['spaces'],
      access: Permission.SpaceManage,
      body: SpaceBody,
      responses: { 201: { description: 'Created', schema: SpaceView } },
      handler: async ({ req, body }) => {
        const space = await ctx.models.Space.create({ ...body, archived: false });
        await ctx.audit.record({ action: 'space.created', actorId: req.actor!.id, target: { type: 'space', id: space._id }, details: { access: body.access }, req });
        return presentSpace(space.toObject(), []);
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/api/spaces/:spaceId',
      operationId: 'updateSpace',
      summary: "Rename, describe, archive or change a space's access rule (admins); takes effect at once",
      tags: ['spaces'],
      access: Permission.SpaceManage,
      params: z.object({ spaceId: ObjectIdParam }),
      body: SpacePatch,
      responses: { 200: { description: 'Updated', schema: SpaceView } },
      handler: async ({ req, params, body }) => {
        const space = await ctx.models.Space.findOneAndUpdate({ _id: params.spaceId }, { $set: body }, { returnDocument: 'after' }).lean<SpaceDoc>();
        if (!space) throw new NotFound(msg(m.error_space_no_such));
        if (body.access || body.archived !== undefined) await resetRooms(params.spaceId);
        await ctx.audit.record({ action: 'space.updated', actorId: req.actor!.id, target: { type: 'space', id: space._id }, details: { changed: Object.keys(body), access: body.access }, req });
        return presentSpace(space, await ctx.models.Channel.find({ spaceId: space._id }).lean<ChannelDoc[]>());
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/spaces/:spaceId/channels',
      operationId: 'createChannel',
      summary: 'Create a channel in a space (moderators)',
      tags: ['spaces'],
      access: Permission.ChannelManage,
      params: z.object({ spaceId: ObjectIdParam }),
      body: ChannelBody,
      responses: { 201: { description: 'Created', schema: ChannelView } },
      handler: async ({ req, params, body }) => {
        const space = await ctx.cache.space(params.spaceId);
        // Managing channels does not open a space one may not enter.
        if (!space || !canEnterSpace(req.actor, space)) throw new NotFound(msg(m.error_space_no_such));
        const channel = await ctx.models.Channel.create({ spaceId: space._id, ...body, createdBy: req.actor!.id });
        await ctx.audit.record({ action: 'channel.created', actorId: req.actor!.id, target: { type: 'channel', id: channel._id }, details: { name: body.name }, req });
        return presentChannel(channel.toObject());
      },
    }),
    defineOperation({
      method: 'patch',
      path: '/api/channels/:channelId',
      operationId: 'updateChannel',
      summary: 'Rename, describe, archive or pin a channel (moderators)',
      tags: ['spaces'],
      access: Permission.ChannelManage,
      params: z.object({ channelId: ObjectIdParam }),
      body: ChannelPatch,
      responses: { 200: { description: 'Updated', schema: ChannelView } },
      handler: async ({ req, params, body }) => {
        const existing = await ctx.cache.channel(params.channelId);
        const space = existing ? await ctx.cache.space(existing.spaceId) : null;
        if (!existing || !space || !canEnterSpace(req.actor, space)) throw new NotFound(msg(m.error_no_such_channel));
        const channel = await ctx.models.Channel.findOneAndUpdate({ _id: existing._id }, { $set: body }, { returnDocument: 'after' }).lean<ChannelDoc>();
        if (!channel) throw new NotFound(msg(m.error_no_such_channel));
        // Archived or restored: live sockets rejoin and learn whether they may still post.
        if (body.archived !== undefined) ctx.realtime.disconnectRooms([Rooms.channel(params.channelId)]);
        await ctx.audit.record({ action: 'channel.updated', actorId: req.actor!.id, target: { type: 'channel', id: channel._id }, details: { changed: Object.keys(body) }, req });
        return presentChannel(channel);
      },
    }),
  ];
}
