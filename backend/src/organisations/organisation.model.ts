import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';
import { SECTORS, type Sector } from '../policy/policy.ts';

export interface OrganisationDoc {
  _id: Types.ObjectId;
  name: string;
  nameNormalized: string;
  sector: Sector;
  /** Verified e-mail domains, lower-case, e.g. `ministry.example`. */
  domains: string[];
  verified: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const organisationSchema = new Schema<OrganisationDoc>(
  {
    name: { type: String, required: true },
    nameNormalized: { type: String, required: true },
    sector: { type: String, enum: SECTORS, required: true },
    domains: { type: [String], default: [] },
    verified: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);
organisationSchema.index({ nameNormalized: 1 }, { unique: true });
organisationSchema.plugin(cachePlugin, { entity: 'organisations' });

export type OrganisationModel = Model<OrganisationDoc>;
export const registerOrganisation = (connection: Connection): OrganisationModel =>
  connection.model<OrganisationDoc>('Organisation', organisationSchema, 'organisations');
