import type { AppContext } from './context.ts';
import { removeExpiredTokens } from './mail/mail.actions.ts';
import { runReverification } from './members/reverification.ts';

/**
 * Housekeeping the engines cannot do for us (no TTL indexes): expired sessions and rate-limit
 * counters are removed every few minutes. Each run is one query per collection; a failure is
 * logged and retried next time.
 */
export function startPeriodicJobs(ctx: AppContext, intervalMs = 5 * 60_000): { stop(): void; runOnce(): Promise<void> } {
  const runOnce = async () => {
    try {
      const sessions = await ctx.sessions.removeExpired();
      const limits = await ctx.rateLimiter.removeExpired();
      const sendKeys = await ctx.messages.dropOldSendKeys();
      // Mail: expired link tokens, and the outbox log past its length.
      await removeExpiredTokens(ctx);
      await ctx.outbox.trimLog();
      // Yearly re-verification: ask those due, pause those past the grace period.
      const reverification = await runReverification(ctx);
      if (reverification.asked || reverification.lapsed) ctx.logger.info(reverification, 're-verification: asked and lapsed members');
      if (sessions || limits || sendKeys) ctx.logger.debug({ sessions, limits, sendKeys }, 'removed expired sessions, rate-limit counters and old idempotency keys');
    } catch (error) {
      ctx.logger.warn({ err: error }, 'housekeeping failed; will retry');
    }
  };
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  // Notification mail: immediate mail for members now away, digests now due (decided on ctx.clock).
  const mailTimer = setInterval(() => void ctx.notificationMail.run().catch((error: unknown) => ctx.logger.warn({ err: error }, 'notification mail failed; will retry')), 60_000);
  mailTimer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      clearInterval(mailTimer);
    },
    runOnce,
  };
}
