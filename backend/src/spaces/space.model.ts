import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';
import { ROLES, SECTORS, type Role, type Sector } from '../policy/policy.ts';
import { m, msg, type Localized } from '../http/locale.ts';

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

/**
 * What a fresh database starts with. Names and descriptions are messages (`spaces_default_…`): the
 * server stores them once in the base language; the demo seed rewords them in its SEED_LOCALE.
 * Slugs never change.
 */
export const DEFAULT_SPACES: (Pick<SpaceDoc, 'slug' | 'access'> & { name: Localized; description: Localized })[] = [
  { slug: 'plenary', name: msg(m.spaces_default_plenary_name), description: msg(m.spaces_default_plenary_description), access: { sectors: [], roles: [] } },
  { slug: 'government', name: msg(m.spaces_default_government_name), description: msg(m.spaces_default_government_description), access: { sectors: ['government'], roles: [] } },
  { slug: 'industry', name: msg(m.spaces_default_industry_name), description: msg(m.spaces_default_industry_description), access: { sectors: ['industry'], roles: [] } },
  {
    slug: 'civil-society-academia',
    name: msg(m.spaces_default_civil_society_academia_name),
    description: msg(m.spaces_default_civil_society_academia_description),
    access: { sectors: ['civil_society', 'academia'], roles: [] },
  },
  { slug: 'moderators', name: msg(m.spaces_default_moderators_name), description: msg(m.spaces_default_moderators_description), access: { sectors: [], roles: ['moderator'] } },
];
