import type { Request } from 'express';
import { Types } from 'mongoose';
import type { AuditAction, AuditModel } from './audit.model.ts';

export interface AuditEntry {
  action: AuditAction;
  actorId?: string | Types.ObjectId | null;
  target?: { type: string; id: string | Types.ObjectId } | null;
  /** Small facts only: a reason, a role. Never secrets, passwords or message bodies. */
  details?: Record<string, unknown>;
  req?: Pick<Request, 'ip'>;
}

export class Audit {
  constructor(private readonly AuditEvent: AuditModel) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.AuditEvent.create({
      action: entry.action,
      at: new Date(),
      actorId: entry.actorId ? new Types.ObjectId(String(entry.actorId)) : null,
      targetType: entry.target?.type ?? null,
      targetId: entry.target ? String(entry.target.id) : null,
      ip: entry.req?.ip ?? null,
      details: entry.details ?? {},
    });
  }
}
