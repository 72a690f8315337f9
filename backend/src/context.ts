import type { Config } from './config/config.ts';
import type { Audit } from './audit/audit.actions.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { DatabaseSessionStore } from './auth/session-store.ts';
import type { Models } from './db/models.ts';
import type { Logger } from './http/logger.ts';
import type { Notifier } from './notifications/notification.actions.ts';
import type { RealtimeHub } from './realtime/hub.ts';
import type { MessageStore } from './messages/message.store.ts';
import type { PostingLimiter } from './messages/message.actions.ts';
import type { SearchIndex } from './search/search.index.ts';
import type { ModerationSources } from './moderation/moderation.sources.ts';
import type { Outbox } from './mail/outbox.ts';
import type { NotificationMailer } from './notifications/notification-mail.ts';
import type { Clock } from './shared/clock.ts';
import type { CachedStore } from './cache/cache.store.ts';

/** What routes and actions are built from: one per app instance. */
export interface AppContext {
  config: Config;
  logger: Logger;
  models: Models;
  audit: Audit;
  notifier: Notifier;
  realtime: RealtimeHub;
  sessions: DatabaseSessionStore;
  rateLimiter: RateLimiter;
  messages: MessageStore;
  postingLimiter: PostingLimiter;
  /** The term index; capabilities index their content and register how hits are checked. */
  search: SearchIndex;
  /** The moderatable content types and how to load and change each. */
  moderation: ModerationSources;
  /** Outgoing mail: queue here; the worker sends (mail/outbox.ts). */
  outbox: Outbox;
  /** Notification mail for members who are away, digests, critical alerts (notifications/notification-mail.ts). */
  notificationMail: NotificationMailer;
  /** The time deadlines and schedules act on; tests swap in a `ManualClock`. */
  clock: Clock;
  /** Hot documents read through the cache layer (cache/); `cache.layer` for its counters and notices. */
  cache: CachedStore;
}
