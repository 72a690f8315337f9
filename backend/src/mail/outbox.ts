import { isDuplicateKey } from '../http/errors.ts';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Types } from 'mongoose';
import type { Config } from '../config/config.ts';
import type { Logger } from '../http/logger.ts';
import type { MailClaimModel, MailLogModel, OutboxDoc, OutboxModel } from './mail.model.ts';
import type { RenderedMail } from './mail.templates.ts';

/** Waits between attempts: 30 s, 2 min, 8 min, 32 min, then every 2 h; given up after 8 attempts. */
const BACKOFF_MS = [30_000, 120_000, 480_000, 1_920_000, 7_200_000];
const MAX_ATTEMPTS = 8;
/** A claim older than this belongs to a worker that died mid-send: the attempt is retried. */
const STALE_CLAIM_MS = 10 * 60_000;
/** How many finished mails `mail_log` keeps. */
const LOG_KEEP = 2000;

export interface QueueMail extends RenderedMail {
  kind: string;
  to: string;
  memberId?: Types.ObjectId | string | null;
  headers?: Record<string, string>;
}

export interface OutboxModels {
  Outbox: OutboxModel;
  MailClaim: MailClaimModel;
  MailLog: MailLogModel;
}

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').slice(0, 300);

/** The transport to SMTP_URL: TLS is required in production unless SMTP_ALLOW_INSECURE says otherwise. */
export function createTransport(config: Config, smtpUrl: string): Transporter {
  const dkim =
    config.dkimDomain && config.dkimSelector && config.dkimPrivateKey
      ? {
          domainName: config.dkimDomain,
          keySelector: config.dkimSelector,
          privateKey: config.dkimPrivateKey.includes('-----BEGIN') ? config.dkimPrivateKey : readFileSync(config.dkimPrivateKey, 'utf8'),
        }
      : undefined;
  const requireTLS = config.env === 'production' && !config.smtpAllowInsecure && !smtpUrl.startsWith('smtps://');
  return nodemailer.createTransport({ url: smtpUrl, requireTLS, dkim, connectionTimeout: 15_000, socketTimeout: 30_000 } as never);
}

/**
 * The durable outbox and its worker. `queue` only stores (a request never waits for SMTP); the
 * worker, in every process, claims one attempt of one mail at a time by inserting
 * `<mailId>:<attempt>` into `mail_claims`, sends it with the Message-ID fixed at queueing, then
 * moves it to `mail_log`. A crash before the send leaves the mail queued; a crash after it sends
 * the same Message-ID again, which receiving servers and clients recognise as one message.
 * Emits `sent` and `failed` with the mail id (tests await them instead of sleeping).
 */
export class Outbox extends EventEmitter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private transport: Transporter | undefined;
  readonly messageHost: string;

  constructor(
    private readonly models: OutboxModels,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.messageHost = new URL(config.publicUrl).hostname;
  }

  /** Points the worker at an SMTP server (SMTP_URL, or the local one) and starts polling. */
  start(smtpUrl: string, pollMs = 15_000): void {
    this.transport = createTransport(this.config, smtpUrl);
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport?.close();
  }

  /** Stores a mail to be sent; returns its id. Sending happens later, off the caller's path. */
  async queue(mail: QueueMail): Promise<string> {
    const _id = randomBytes(16).toString('hex');
    await this.#store(_id, mail);
    this.kick();
    return _id;
  }

  /**
   * Stores a mail under an id the caller derives from what it is about (a notification, a digest,
   * an alert and a member), unless a mail with that id is queued or was sent already: a job that
   * runs again after a crash, or in two processes at once, queues it once. Returns whether it queued.
   */
  async queueOnce(id: string, mail: QueueMail): Promise<boolean> {
    if (await this.models.MailLog.exists({ _id: id })) return false;
    try {
      await this.#store(id, mail);
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    this.kick();
    return true;
  }

  #store(_id: string, mail: QueueMail) {
    return this.models.Outbox.create({
      _id,
      kind: mail.kind,
      to: mail.to,
      memberId: mail.memberId ?? null,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers ?? {},
      attempts: 0,
      nextAttemptAt: this.now(),
      lastError: null,
    });
  }

  /** Runs the worker soon (coalesced): after a queue, on a timer. */
  kick(): void {
    if (!this.transport) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.drain().catch((error: unknown) => this.logger.warn({ err: error }, 'mail worker failed; will retry'));
      } while (this.again && this.transport);
    })().finally(() => (this.running = undefined));
  }

  /** Waits for the worker's current run (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass over the outbox: it holds only unsent mail, so this reads as much as the backlog. */
  private async drain(): Promise<void> {
    const due = await this.models.Outbox.find({}).lean<OutboxDoc[]>();
    const now = this.now().getTime();
    for (const listed of due.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())) {
      if (listed.nextAttemptAt.getTime() > now || !this.transport) continue;
      if (!(await this.claim(listed))) continue;
      // Another worker may have finished this attempt since the list was read: look again (by _id).
      const item = await this.models.Outbox.findById(listed._id).lean<OutboxDoc>();
      if (!item || item.attempts !== listed.attempts) continue;
      await this.attempt(item);
    }
  }

  private async claim(item: OutboxDoc): Promise<boolean> {
    const claimId = `${item._id}:${item.attempts}`;
    try {
      await this.models.MailClaim.create({ _id: claimId, at: this.now() });
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const claim = await this.models.MailClaim.findById(claimId).lean();
      if (claim && this.now().getTime() - claim.at.getTime() > STALE_CLAIM_MS) {
        // Its worker died mid-attempt: count that attempt, so the next pass claims a fresh one.
        await this.models.Outbox.updateOne(
          { _id: item._id, attempts: item.attempts },
          { $set: { attempts: item.attempts + 1, lastError: 'worker stopped during the attempt' } },
        );
      }
      return false;
    }
  }

  private async attempt(item: OutboxDoc): Promise<void> {
    const attempts = item.attempts + 1;
    try {
      await this.transport!.sendMail({
        from: this.config.mailFrom,
        to: item.to,
        subject: item.subject,
        text: item.text,
        html: item.html,
        messageId: `<${item._id}@${this.messageHost}>`,
        headers: item.headers,
      });
    } catch (error) {
      const reason = oneLine((error as Error).message ?? String(error));
      if (attempts >= MAX_ATTEMPTS || (error as { responseCode?: number }).responseCode === 550) {
        await this.finish(item, 'failed', attempts, reason);
        this.emit('failed', item._id, reason);
      } else {
        const wait = BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!;
        await this.models.Outbox.updateOne({ _id: item._id }, { $set: { attempts, lastError: reason, nextAttemptAt: new Date(this.now().getTime() + wait) } });
        this.logger.warn({ mailId: item._id, kind: item.kind, attempts, reason }, 'mail not sent; will retry');
      }
      return;
    }
    await this.finish(item, 'sent', attempts, null);
    this.logger.info({ mailId: item._id, kind: item.kind }, 'mail sent');
    this.emit('sent', item._id);
  }

  /** The log entry first, then the outbox entry goes: a crash between them leaves a mail sent twice at worst, never lost. */
  private async finish(item: OutboxDoc, status: 'sent' | 'failed', attempts: number, reason: string | null): Promise<void> {
    await this.models.MailLog.updateOne(
      { _id: item._id },
      { $set: { kind: item.kind, to: item.to, status, attempts, reason, queuedAt: item.createdAt, at: this.now() } },
      { upsert: true },
    );
    await this.models.Outbox.deleteOne({ _id: item._id });
  }

  /**
   * Claims stay after their attempt (a worker holding an old list must not claim a finished
   * attempt again); they go a day later, with the log's excess. Run by the periodic jobs.
   */
  async trimLog(): Promise<number> {
    const claims = await this.models.MailClaim.find({}).lean();
    const dayAgo = this.now().getTime() - 24 * 3600_000;
    for (const claim of claims) if (claim.at.getTime() < dayAgo) await this.models.MailClaim.deleteOne({ _id: claim._id });
    const count = await this.models.MailLog.estimatedDocumentCount();
    if (count <= LOG_KEEP) return 0;
    const old = await this.models.MailLog.find({}, { _id: 1 }).sort({ at: 1 }).limit(count - LOG_KEEP).lean();
    let removed = 0;
    for (const entry of old) removed += (await this.models.MailLog.deleteOne({ _id: entry._id })).deletedCount;
    return removed;
  }

  /** Mails waiting, and the newest finished, for admins: no bodies, no subjects. */
  async state(limit = 100) {
    const [queued, log] = await Promise.all([
      this.models.Outbox.find({}, { text: 0, html: 0, subject: 0, headers: 0 }).lean<OutboxDoc[]>(),
      this.models.MailLog.find({}).sort({ at: -1 }).limit(limit).lean(),
    ]);
    return { queued, log };
  }
}
