import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';
import { ROLES, SECTORS, type Role, type Sector } from '../policy/policy.ts';

/**
 * A walled area. Its access rule names the sectors and the roles that may enter: an empty list
 * means "any". A member enters when their sector is listed (or none are) AND they hold one of the
 * listed roles (or none are). Evaluated on every read, write, search hit, notification and socket event.
 */
export interface SpaceDoc {
  _id: Types.ObjectId;
  slug: string;
  name: string;
  description: string;
  access: { sectors: Sector[]; roles: Role[] };
  archived: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const spaceSchema = new Schema<SpaceDoc>(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    access: {
      type: new Schema({ sectors: [{ type: String, enum: SECTORS }], roles: [{ type: String, enum: ROLES }] }, { _id: false }),
      required: true,
    },
    archived: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);
spaceSchema.index({ slug: 1 }, { unique: true });
spaceSchema.plugin(cachePlugin, { entity: 'spaces' });

export type SpaceModel = Model<SpaceDoc>;
export const registerSpace = (connection: Connection): SpaceModel => connection.model<SpaceDoc>('Space', spaceSchema, 'spaces');

/** What a fresh database starts with. */
export const DEFAULT_SPACES: Pick<SpaceDoc, 'slug' | 'name' | 'description' | 'access'>[] = [
  { slug: 'plenary', name: 'Plenary', description: 'Everyone: all verified members of every sector.', access: { sectors: [], roles: [] } },
  { slug: 'government', name: 'Government', description: 'Government members only.', access: { sectors: ['government'], roles: [] } },
  { slug: 'industry', name: 'Industry', description: 'Members from tech companies.', access: { sectors: ['industry'], roles: [] } },
  { slug: 'civil-society-academia', name: 'Civil society & academia', description: 'NGOs, researchers and academics.', access: { sectors: ['civil_society', 'academia'], roles: [] } },
  { slug: 'moderators', name: 'Moderators', description: 'The moderation team.', access: { sectors: [], roles: ['moderator'] } },
];
