import { Schema, type Connection, type Model, type Types } from 'mongoose';

import { AUDIT_ACTIONS, type AuditAction } from '../shared/audit-actions.ts';

export { AUDIT_ACTIONS, type AuditAction };

/**
 * Append-only. The model refuses every update and delete (below), so nothing in the application
 * can alter or remove an entry; `_id` is an ObjectId, so entries sort by time.
 */
export interface AuditEventDoc {
  _id: Types.ObjectId;
  action: AuditAction;
  at: Date;
  actorId: Types.ObjectId | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  /** Small structured facts (a reason, a role); never secrets or message bodies. */
  details: Record<string, unknown>;
}

const auditSchema = new Schema<AuditEventDoc>(
  {
    action: { type: String, enum: AUDIT_ACTIONS, required: true },
    at: { type: Date, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    targetType: { type: String, default: null },
    targetId: { type: String, default: null },
    ip: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

const refuse = function () {
  throw new Error('audit events are append-only');
};
for (const operation of [
  'updateOne',
  'updateMany',
  'replaceOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'deleteOne',
  'deleteMany',
] as const) {
  auditSchema.pre(operation, refuse);
}
auditSchema.pre('save', function () {
  if (!this.isNew) throw new Error('audit events are append-only');
});
auditSchema.pre('bulkWrite', refuse);

export type AuditModel = Model<AuditEventDoc>;
export const registerAudit = (connection: Connection): AuditModel => connection.model<AuditEventDoc>('AuditEvent', auditSchema, 'audit_events');
