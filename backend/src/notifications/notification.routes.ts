import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Permission } from '../policy/policy.ts';
import { isRead, type NotificationBoxDoc } from './notification.model.ts';
import { NotificationView, presentNotification } from './notification.presenter.ts';

export function notificationOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/notifications',
      operationId: 'listNotifications',
      summary: 'Your notifications, newest first',
      tags: ['notifications'],
      access: Permission.NotificationsOwn,
      responses: { 200: { description: 'Notifications', schema: z.object({ items: z.array(NotificationView), unread: z.number() }) } },
      handler: async ({ req }) => {
        const box = await ctx.models.NotificationBox.findById(req.actor!.id).lean<NotificationBoxDoc>();
        if (!box) return { items: [], unread: 0 };
        const items = box.items
          .slice()
          .reverse()
          .map((item) => presentNotification({ ...item, read: isRead({ readBefore: box.readBefore ?? null, readIds: box.readIds ?? [] }, item) }));
        return { items, unread: items.filter((item) => !item.read).length };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/notifications/read',
      operationId: 'markNotificationsRead',
      summary: 'Mark some (or, without ids, all) of your notifications read',
      tags: ['notifications'],
      access: Permission.NotificationsOwn,
      body: z.strictObject({ ids: z.array(z.uuid()).max(200).optional() }).meta({ id: 'MarkReadBody' }),
      responses: { 204: { description: 'Marked' } },
      handler: async ({ req, body }) => {
        const update = body.ids ? { $addToSet: { readIds: { $each: body.ids } } } : { $set: { readBefore: new Date(), readIds: [] } };
        await ctx.models.NotificationBox.updateOne({ _id: req.actor!.id }, update, { upsert: true });
      },
    }),
  ];
}
