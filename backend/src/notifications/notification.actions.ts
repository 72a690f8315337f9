import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { trimToNewest } from '../db/database.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import { NOTIFICATION_BOX_LIMIT, type NotificationBoxModel, type NotificationItem, type NotificationKind } from './notification.model.ts';
import { presentNotification } from './notification.presenter.ts';
import type { MailContext, NotificationMailer } from './notification-mail.ts';

export class Notifier {
  /** Turns notifications into mail for members who are away (set once the context exists). */
  mailer: NotificationMailer | undefined;

  constructor(
    private readonly NotificationBox: NotificationBoxModel,
    private readonly realtime: RealtimeHub,
  ) {}

  /**
   * Stores the notification in the person's box, then pushes it to their live sockets, then lets the
   * mailer remember it for e-mail. `mail` says where the content lives (TLP, open space), which
   * decides whether its title may travel by mail; without it, the mail names only the kind.
   */
  async notify(memberId: string | Types.ObjectId, notification: { kind: NotificationKind; title: string; body: string; link: string }, mail?: MailContext): Promise<void> {
    const item: NotificationItem = { id: randomUUID(), ...notification, at: new Date(), read: false };
    await this.NotificationBox.updateOne(
      { _id: memberId },
      { $push: { items: { $each: [item], $slice: -NOTIFICATION_BOX_LIMIT } } },
      { upsert: true },
    );
    await trimToNewest(this.NotificationBox, memberId, 'items', NOTIFICATION_BOX_LIMIT);
    this.realtime.toMember(String(memberId), 'notification.created', presentNotification(item));
    await this.mailer?.enqueue(String(memberId), item, mail);
  }
}
