import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { trimToNewest } from '../db/database.ts';
import type { Localized } from '../http/locale.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { NOTIFICATION_BOX_LIMIT, type NotificationBoxModel, type NotificationItem, type NotificationKind } from './notification.model.ts';
import { presentNotification } from './notification.presenter.ts';
import type { MailContext, NotificationMailer } from './notification-mail.ts';

/** A notification as callers give it: fixed texts as `Localized` (worded for the recipient), user content as written. */
export interface NotificationInput {
  kind: NotificationKind;
  title: string | Localized;
  body: string | Localized;
  link: string;
}

const wordIn = (text: string | Localized, locale: Locale) => (typeof text === 'string' ? text : text(locale));

export class Notifier {
  /** Turns notifications into mail for members who are away (set once the context exists). */
  mailer: NotificationMailer | undefined;

  constructor(
    private readonly NotificationBox: NotificationBoxModel,
    private readonly realtime: RealtimeHub,
    /** The cached member lookup (ctx.cache.member), for the recipient's language. */
    private readonly member: (id: string) => Promise<Pick<MemberDoc, 'locale'> | null>,
  ) {}

  /**
   * Stores the notification in the person's box, worded in their language (their profile's choice,
   * else English), then pushes that same text to their live sockets, then lets the mailer remember
   * it for e-mail. `mail` says where the content lives (TLP, open space), which decides whether its
   * title may travel by mail; without it, the mail names only the kind.
   */
  async notify(memberId: string | Types.ObjectId, notification: NotificationInput, mail?: MailContext): Promise<void> {
    const locale = (await this.member(String(memberId)))?.locale ?? 'en';
    const item: NotificationItem = {
      id: randomUUID(),
      kind: notification.kind,
      title: wordIn(notification.title, locale),
      body: wordIn(notification.body, locale),
      link: notification.link,
      at: new Date(),
      read: false,
    };
    await this.NotificationBox.updateOne(
      { _id: memberId },
      { $push: { items: { $each: [item], $slice: -NOTIFICATION_BOX_LIMIT } } },
      { upsert: true },
    );
    await trimToNewest(this.NotificationBox, memberId, 'items', NOTIFICATION_BOX_LIMIT);
    this.realtime.toMember(String(memberId), 'notification.created', presentNotification(item));
    await this.mailer?.enqueue(String(memberId), item, mail, locale);
  }
}
