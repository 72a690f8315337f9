import type { Connection } from 'mongoose';
import { registerApplication } from '../applications/application.model.ts';
import { registerAudit } from '../audit/audit.model.ts';
import { registerRateLimit, registerSession, registerSetupToken } from '../auth/auth.model.ts';
import { registerIdentity, registerMember } from '../members/member.model.ts';
import { registerNotificationBox } from '../notifications/notification.model.ts';
import { registerOrganisation } from '../organisations/organisation.model.ts';
import { registerChannel } from '../channels/channel.model.ts';
import { registerReadPositions } from '../messages/message.model.ts';
import { registerSpace } from '../spaces/space.model.ts';
import { registerAnonymousProfile, registerFile } from '../knowledge/knowledge.model.ts';
import { registerAlert, registerAlertAck, registerAlertSubscription } from '../alerts/alert.model.ts';
import { registerModeration } from '../moderation/moderation.model.ts';
import { registerMail } from '../mail/mail.model.ts';
import { registerNotificationMail } from '../notifications/notification-mail.model.ts';
import { registerEvent, registerEventFeed } from '../events/event.model.ts';
import { registerEventMaterial, registerFeedbackGiver, registerFeedbackTally } from '../events/material.model.ts';
import { registerSupportRequest } from '../support/support.model.ts';

/** Every model, bound to one connection (tests run many apps, each on its own database). */
export function createModels(connection: Connection) {
  return {
    Member: registerMember(connection),
    Identity: registerIdentity(connection),
    Organisation: registerOrganisation(connection),
    Application: registerApplication(connection),
    AuditEvent: registerAudit(connection),
    NotificationBox: registerNotificationBox(connection),
    Session: registerSession(connection),
    RateLimit: registerRateLimit(connection),
    SetupToken: registerSetupToken(connection),
    Space: registerSpace(connection),
    Channel: registerChannel(connection),
    ReadPositions: registerReadPositions(connection),
    AnonymousProfile: registerAnonymousProfile(connection),
    File: registerFile(connection),
    Alert: registerAlert(connection),
    AlertAck: registerAlertAck(connection),
    AlertSubscription: registerAlertSubscription(connection),
    ...registerModeration(connection),
    ...registerMail(connection),
    ...registerNotificationMail(connection),
    Event: registerEvent(connection),
    EventFeed: registerEventFeed(connection),
    EventMaterial: registerEventMaterial(connection),
    FeedbackGiver: registerFeedbackGiver(connection),
    FeedbackTally: registerFeedbackTally(connection),
    SupportRequest: registerSupportRequest(connection),
  };
}
export type Models = ReturnType<typeof createModels>;

/** Creates collections and indexes; run once at start. */
export async function initModels(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((model) => model.init()));
}
