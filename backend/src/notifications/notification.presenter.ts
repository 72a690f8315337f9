import { z } from 'zod';
import type { NotificationItem } from './notification.model.ts';

export const NotificationView = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string(),
    at: z.string().describe('ISO 8601 time'),
    read: z.boolean(),
  })
  .meta({ id: 'Notification' });
export type NotificationView = z.infer<typeof NotificationView>;

export function presentNotification(item: NotificationItem): NotificationView {
  return { id: item.id, kind: item.kind, title: item.title, body: item.body, link: item.link, at: item.at.toISOString(), read: item.read };
}
