import { z } from 'zod';
import { localized } from '../http/schemas.ts';
import { m } from '../http/locale.ts';
import { CRITICAL_MODES, MAIL_MODES } from './notification-mail.model.ts';
import { UNSUBSCRIBE_TOKEN } from './notification-mail.ts';

const Mode = z.enum(MAIL_MODES).describe('immediate (when you are away), hourly or daily summary, or off');
const CriticalMode = z.enum(CRITICAL_MODES as ['immediate', 'off']).describe('Critical alerts: immediate or off (no summaries)');

const Prefs = z
  .object({
    mention: Mode,
    reply: Mode,
    answer: Mode,
    decision: Mode,
    subscribed_alert: Mode,
    critical_alert: CriticalMode,
  })
  .meta({ id: 'NotificationEmailPrefs' });

export const NotificationEmailView = z
  .object({
    prefs: Prefs,
    defaults: Prefs,
    labels: z.record(z.string(), z.string()).describe('How each kind is named'),
    awayMinutes: z.number().describe('"immediate" mail waits until you have had no live connection for this long'),
  })
  .meta({ id: 'NotificationEmailSettings' });

export const SetNotificationEmailBody = z
  .strictObject({
    mention: Mode.optional(),
    reply: Mode.optional(),
    answer: Mode.optional(),
    decision: Mode.optional(),
    subscribed_alert: Mode.optional(),
    critical_alert: CriticalMode.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, localized(m.error_field_name_a_kind))
  .meta({ id: 'SetNotificationEmailBody' });

export const UnsubscribeQuery = z.strictObject({ token: z.string().max(120).regex(UNSUBSCRIBE_TOKEN, localized(m.error_field_unsubscribe_token)) });
export type SetNotificationEmailBody = z.infer<typeof SetNotificationEmailBody>;
export type NotificationEmailView = z.infer<typeof NotificationEmailView>;
