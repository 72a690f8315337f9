import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import type { Types } from 'mongoose';
import type { AlertDoc } from '../alerts/alert.model.ts';
import { alertRule } from '../alerts/alert.model.ts';
import { toActor, ACTOR_FIELDS, type ActorFields } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { Invalid, isDuplicateKey } from '../http/errors.ts';
import { digestMail, notificationMail, type SafeLine } from '../mail/mail.templates.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { RealtimeSocket } from '../realtime/realtime.ts';
import { canSeeAlert, type SpaceRule, type TlpMarking } from '../policy/policy.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { DEFAULT_MAIL_PREFS, MAIL_KINDS, type MailKind, type MailMode, type MailPrefsDoc, type PendingMailDoc } from './notification-mail.model.ts';
import { isRead, type NotificationBoxDoc, type NotificationItem, type NotificationKind } from './notification.model.ts';
import { m, msg } from '../http/locale.ts';

/** Which in-app notifications may become mail, and as which kind. The others (role changes, suspensions, events, library suggestions) stay in the app. */
export const MAIL_KIND_OF: Partial<Record<NotificationKind, MailKind>> = {
  'message.mention': 'mention',
  'message.reply': 'reply',
  'question.answered': 'answer',
  'application.approved': 'decision',
  'application.rejected': 'decision',
  'application.question': 'decision',
  'moderation.action': 'decision',
  'moderation.reversed': 'decision',
  'moderation.appeal_decided': 'decision',
  'alert.published': 'subscribed_alert',
  'alert.updated': 'subscribed_alert',
};

/** How a kind is named in mails and on the profile, in the reader's language. */
export function mailKindLabel(kind: MailKind, locale: Locale): string {
  switch (kind) {
    case 'mention':
      return m.mail_kind_mention({}, { locale });
    case 'reply':
      return m.mail_kind_reply({}, { locale });
    case 'answer':
      return m.mail_kind_answer({}, { locale });
    case 'decision':
      return m.mail_kind_decision({}, { locale });
    case 'subscribed_alert':
      return m.mail_kind_subscribed_alert({}, { locale });
    case 'critical_alert':
      return m.mail_kind_critical_alert({}, { locale });
  }
}

export const mailKindLabels = (locale: Locale): Record<MailKind, string> => Object.fromEntries(MAIL_KINDS.map((kind) => [kind, mailKindLabel(kind, locale)])) as Record<MailKind, string>;

/**
 * Where the notified thing lives, as far as e-mail needs to know: the TLP marking of an alert, or
 * whether the space is open to every member. Callers that pass nothing get the most careful mail.
 */
export interface MailContext {
  tlp?: TlpMarking;
  /** The content is in a space every member may enter (no sector, no role in its rule). */
  spaceOpen?: boolean;
  /** Send no mail for this notification (a critical alert is mailed on its own path). */
  skip?: boolean;
}

export const isOpenSpace = (space: SpaceRule): boolean => space.access.sectors.length === 0 && space.access.roles.length === 0;

const FORUM = 'Convene';

/** What a mail may say when the title may not travel: only the kind of thing that is waiting (and an alert's marking). */
function withheld(kind: MailKind, tlp: TlpMarking | undefined, notificationKind: NotificationKind | 'alert.critical', locale: Locale): string {
  switch (kind) {
    case 'mention':
      return m.mail_withheld_mention({}, { locale });
    case 'reply':
      return m.mail_withheld_reply({}, { locale });
    case 'answer':
      return m.mail_withheld_answer({}, { locale });
    case 'decision':
      return notificationKind.startsWith('application.') ? m.mail_withheld_application({}, { locale }) : m.mail_withheld_moderation({}, { locale });
    case 'subscribed_alert':
      return tlp ? m.mail_withheld_alert({ tlp }, { locale }) : m.mail_withheld_alert_restricted({}, { locale });
    case 'critical_alert':
      return tlp ? m.mail_withheld_critical_alert({ tlp }, { locale }) : m.mail_withheld_critical_alert_restricted({}, { locale });
  }
}

const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim().slice(0, 200);

/**
 * THE decision of what a notification mail may say; immediate mails, digests and critical alerts
 * all use it. E-mail is an untrusted channel, so:
 * - a body never travels (it is not even an input here);
 * - a title travels only for TLP:CLEAR and TLP:GREEN alerts and for content in a space open to every
 *   member; decisions never carry theirs (they concern one person);
 * - everything else says only what kind of thing is waiting, with its marking for alerts;
 * - authors are never named by this function: titles that name one come only from spaces open to
 *   all and never from anonymous posts (whose notifications carry the pseudonym only in the body).
 * `locale` is the recipient's language (the title is already worded in it); English if not given.
 */
export function safeNotificationContent(input: {
  kind: MailKind;
  notificationKind: NotificationKind | 'alert.critical';
  title: string;
  link: string;
  context?: MailContext;
  locale?: Locale;
}): SafeLine {
  const tlp = input.context?.tlp;
  const titleAllowed =
    input.kind === 'subscribed_alert' || input.kind === 'critical_alert'
      ? tlp === 'TLP:CLEAR' || tlp === 'TLP:GREEN'
      : (input.kind === 'mention' || input.kind === 'reply' || input.kind === 'answer') && input.context?.spaceOpen === true;
  const line = titleAllowed ? oneLine(input.title) : withheld(input.kind, tlp, input.notificationKind, input.locale ?? 'en');
  const subject = titleAllowed ? `${FORUM}: ${line}`.slice(0, 200) : line;
  // Only in-app paths: never another host.
  const link = input.link.startsWith('/') && !input.link.startsWith('//') ? input.link : '/';
  return { subject, line, link };
}

/* ------------------------------------------------------------------------------------------------
 * Preferences
 */

export async function readMailPrefs(ctx: AppContext, memberId: string | Types.ObjectId): Promise<Record<MailKind, MailMode>> {
  const doc = await ctx.models.MailPrefs.findById(String(memberId)).lean<MailPrefsDoc>();
  const prefs = { ...DEFAULT_MAIL_PREFS };
  for (const kind of MAIL_KINDS) {
    const chosen = doc?.prefs?.[kind];
    if (chosen) prefs[kind] = chosen;
  }
  return prefs;
}

/** Sets some kinds' modes (caller validated them). Audited: `how` says whether from the profile or an unsubscribe link. */
export async function doSetMailPrefs(
  ctx: AppContext,
  memberId: string,
  changes: Partial<Record<MailKind, MailMode>>,
  how: 'profile' | 'unsubscribe',
  req: Pick<Request, 'ip'>,
): Promise<Record<MailKind, MailMode>> {
  const set: Record<string, unknown> = { updatedAt: ctx.clock.date() };
  for (const [kind, mode] of Object.entries(changes)) if (mode) set[`prefs.${kind}`] = mode;
  await ctx.models.MailPrefs.updateOne({ _id: memberId }, { $set: set }, { upsert: true });
  await ctx.audit.record({
    action: how === 'profile' ? 'notification_mail.preferences_changed' : 'notification_mail.unsubscribed',
    actorId: memberId,
    target: { type: 'member', id: memberId },
    details: { changes },
    req,
  });
  // Turned off: what was waiting for that kind is not sent either.
  const off = Object.entries(changes).filter(([, mode]) => mode === 'off').map(([kind]) => kind);
  if (off.length) {
    const waiting = await ctx.models.PendingMail.find({ memberId }, { _id: 1, kind: 1 }).lean<Pick<PendingMailDoc, '_id' | 'kind'>[]>();
    for (const item of waiting) if (off.includes(item.kind)) await ctx.models.PendingMail.deleteOne({ _id: item._id });
  }
  return readMailPrefs(ctx, memberId);
}

/* ------------------------------------------------------------------------------------------------
 * One-click unsubscribe (RFC 8058): `<memberId>.<kind>.<HMAC>`. Not single-use on purpose: it only
 * ever turns one kind off for one member, and a mail client may POST it more than once.
 */

const tokenKey = (ctx: AppContext) => createHmac('sha256', ctx.config.sessionSecret).update('convene:unsubscribe:v1').digest();
const signature = (ctx: AppContext, memberId: string, kind: MailKind) => createHmac('sha256', tokenKey(ctx)).update(`${memberId}:${kind}`).digest('base64url');

export const UNSUBSCRIBE_TOKEN = /^[a-f0-9]{24}\.[a-z_]{3,20}\.[A-Za-z0-9_-]{43}$/;

export function unsubscribeToken(ctx: AppContext, memberId: string, kind: MailKind): string {
  return `${memberId}.${kind}.${signature(ctx, memberId, kind)}`;
}

export function unsubscribeUrl(ctx: AppContext, memberId: string, kind: MailKind): string {
  return `${ctx.config.publicUrl}/api/email/unsubscribe?token=${unsubscribeToken(ctx, memberId, kind)}`;
}

/** The member and kind a token names, if its signature is right; otherwise a 400 `invalid_token`. */
export function readUnsubscribeToken(ctx: AppContext, token: string): { memberId: string; kind: MailKind } {
  const bad = () => new Invalid(msg(m.error_unsubscribe_link_invalid), undefined, 'invalid_token');
  const [memberId, kind, sig] = token.split('.');
  if (!memberId || !kind || !sig || !(MAIL_KINDS as readonly string[]).includes(kind)) throw bad();
  const expected = Buffer.from(signature(ctx, memberId, kind as MailKind));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
  return { memberId, kind: kind as MailKind };
}

/* ------------------------------------------------------------------------------------------------
 * Presence: a member is away when no socket of theirs is live and none was for `awayMs`.
 */

export async function recordPresence(ctx: AppContext, memberId: string): Promise<void> {
  await ctx.models.Presence.updateOne({ _id: memberId }, { $set: { lastSeenAt: ctx.clock.date() } }, { upsert: true });
  // Tests await this instead of sleeping.
  ctx.notificationMail.emit('presence', memberId);
}

/** A member's socket: when it opens and when it closes are the times they were last seen. */
export function trackPresence(ctx: AppContext, socket: RealtimeSocket): void {
  const memberId = socket.data.memberId;
  if (!memberId) return;
  const seen = () => void recordPresence(ctx, memberId).catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not record presence'));
  seen();
  socket.once('disconnect', seen);
}

async function isAway(ctx: AppContext, memberId: string): Promise<boolean> {
  if (await ctx.realtime.isOnline(memberId)) return false;
  const presence = await ctx.models.Presence.findById(memberId).lean();
  return !presence || ctx.clock.now() - presence.lastSeenAt.getTime() >= ctx.config.notifyAwayMinutes * 60_000;
}

/* ------------------------------------------------------------------------------------------------
 * Queueing and sending
 */

const PERIOD_MS = { hourly: 3600_000, daily: 24 * 3600_000 } as const;

/** A member mail may go to: a verified address, not suspended. */
async function recipient(ctx: AppContext, memberId: string): Promise<MemberDoc | null> {
  const member = await ctx.cache.member(memberId);
  if (!member || member.status === 'suspended' || !member.emailVerifiedAt) return null;
  return member;
}

/** Emits `presence` (member id) once a socket's opening or closing is recorded. */
export class NotificationMailer extends EventEmitter {
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: AppContext) {
    super();
  }

  /**
   * After an in-app notification is stored: remembers what the mail may say (never the body) if the
   * member wants mail for its kind. Whether it is sent is decided later, by `run`. Never throws:
   * the notification is stored already.
   */
  async enqueue(memberId: string, item: NotificationItem, context: MailContext | undefined, locale: Locale = 'en'): Promise<void> {
    const kind = MAIL_KIND_OF[item.kind];
    if (!kind || context?.skip) return;
    try {
      const mode = (await readMailPrefs(this.ctx, memberId))[kind];
      if (mode === 'off') return;
      const safe = safeNotificationContent({ kind, notificationKind: item.kind, title: item.title, link: item.link, context, locale });
      await this.ctx.models.PendingMail.create({ _id: `${memberId}:${item.id}`, memberId, notificationId: item.id, kind, mode, ...safe, at: this.ctx.clock.date() });
    } catch (error) {
      this.ctx.logger.warn({ err: error, kind: item.kind }, 'could not queue a notification mail');
    }
  }

  /**
   * One pass over what is waiting, after any pass already running in this process (so a caller
   * always gets a pass that sees what it stored before calling). Driven by the periodic jobs; tests
   * call it after moving ctx.clock.
   */
  run(): Promise<void> {
    const pass = this.#chain.then(() => this.#pass());
    this.#chain = pass.catch((error: unknown) => this.ctx.logger.warn({ err: error }, 'notification mail pass failed; will retry'));
    return pass;
  }

  async #pass(): Promise<void> {
    const pending = await this.ctx.models.PendingMail.find({}).lean<PendingMailDoc[]>();
    const byMember = new Map<string, PendingMailDoc[]>();
    for (const item of pending) byMember.set(item.memberId, [...(byMember.get(item.memberId) ?? []), item]);
    for (const [memberId, items] of byMember) {
      try {
        await this.#forMember(memberId, items);
      } catch (error) {
        this.ctx.logger.warn({ err: error }, 'notification mail pass failed for a member; will retry');
      }
    }
  }

  async #forMember(memberId: string, items: PendingMailDoc[]): Promise<void> {
    const member = await recipient(this.ctx, memberId);
    if (!member) return this.#drop(items);
    const locale = member.locale ?? 'en';
    const box = await this.ctx.models.NotificationBox.findById(memberId).lean<NotificationBoxDoc>();
    const readState = { readBefore: box?.readBefore ?? null, readIds: box?.readIds ?? [] };
    const read = new Set((box?.items ?? []).filter((item) => isRead(readState, item)).map((item) => item.id));
    // Read in the app meanwhile: nothing to tell.
    await this.#drop(items.filter((item) => read.has(item.notificationId)));
    const unread = items.filter((item) => !read.has(item.notificationId));

    const immediate = unread.filter((item) => item.mode === 'immediate');
    if (immediate.length) {
      if (await this.ctx.realtime.isOnline(memberId)) {
        // The live notification reached them.
        await this.#drop(immediate);
      } else if (await isAway(this.ctx, memberId)) {
        for (const item of immediate) {
          const mail = notificationMail(locale, this.ctx.config.publicUrl, item, mailKindLabel(item.kind, locale), unsubscribeUrl(this.ctx, memberId, item.kind));
          await this.ctx.outbox.queueOnce(`n-${memberId}-${item.notificationId}`, { kind: `notify.${item.kind}`, to: member.email, memberId: member._id, ...mail, headers: unsubscribeHeaders(this.ctx, memberId, item.kind) });
          await this.#drop([item]);
        }
      }
      // Otherwise they left only a moment ago: look again on the next pass.
    }

    const now = this.ctx.clock.now();
    for (const mode of ['hourly', 'daily'] as const) {
      for (const kind of MAIL_KINDS) {
        const batch = unread.filter((item) => item.mode === mode && item.kind === kind).sort((a, b) => a.at.getTime() - b.at.getTime() || a._id.localeCompare(b._id));
        if (!batch.length || batch[0]!.at.getTime() + PERIOD_MS[mode] > now) continue;
        const mail = digestMail(locale, this.ctx.config.publicUrl, batch, mailKindLabel(kind, locale), mode, unsubscribeUrl(this.ctx, memberId, kind));
        // The id names the batch's first item: a second pass (or process) over the same batch queues nothing.
        const queued = await this.ctx.outbox.queueOnce(`d-${memberId}-${mode}-${batch[0]!.notificationId}`, {
          kind: `digest.${kind}`,
          to: member.email,
          memberId: member._id,
          ...mail,
          headers: unsubscribeHeaders(this.ctx, memberId, kind),
        });
        if (queued) await this.#drop(batch);
        else await this.#drop([batch[0]!]);
      }
    }
  }

  async #drop(items: Pick<PendingMailDoc, '_id'>[]): Promise<void> {
    for (const item of items) await this.ctx.models.PendingMail.deleteOne({ _id: item._id });
  }

  /**
   * A critical alert that is active (just published, widened or updated): every member who may see
   * it, is not online and has not opted out gets one mail, once per alert ever (the marker's unique
   * `_id` decides races). Not its author, nor who made the change. Never throws.
   */
  async criticalAlert(alert: AlertDoc, byId: string | null): Promise<void> {
    if (alert.severity !== 'critical' || alert.status !== 'active' || alert.moderation?.visibility === 'hidden') return;
    try {
      const rule = alertRule(alert);
      const alertId = String(alert._id);
      const members = await this.ctx.models.Member.find({ status: 'member' }, { ...ACTOR_FIELDS, locale: 1, email: 1, emailVerifiedAt: 1 }).lean<(ActorFields & Pick<MemberDoc, 'locale' | 'email' | 'emailVerifiedAt'>)[]>();
      for (const member of members) {
        const memberId = String(member._id);
        if (memberId === alert.authorId || memberId === byId || !member.emailVerifiedAt) continue;
        if (!canSeeAlert(toActor(member), rule)) continue;
        if ((await this.ctx.models.AlertMailMark.exists({ _id: `${alertId}:${memberId}` })) !== null) continue;
        if ((await readMailPrefs(this.ctx, memberId)).critical_alert === 'off') continue;
        if (await this.ctx.realtime.isOnline(memberId)) continue;
        try {
          await this.ctx.models.AlertMailMark.create({ _id: `${alertId}:${memberId}`, at: this.ctx.clock.date() });
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
        const locale = member.locale ?? 'en';
        const safe = safeNotificationContent({ kind: 'critical_alert', notificationKind: 'alert.critical', title: alert.title, link: `/alerts/${alertId}`, context: { tlp: alert.marking }, locale });
        const mail = notificationMail(locale, this.ctx.config.publicUrl, safe, mailKindLabel('critical_alert', locale), unsubscribeUrl(this.ctx, memberId, 'critical_alert'));
        await this.ctx.outbox.queueOnce(`c-${alertId}-${memberId}`, { kind: 'notify.critical_alert', to: member.email, memberId: member._id, ...mail, headers: unsubscribeHeaders(this.ctx, memberId, 'critical_alert') });
      }
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'critical alert mail failed');
    }
  }
}

/** RFC 8058: the mail client may POST `List-Unsubscribe=One-Click` to the URL, without signing in. */
export function unsubscribeHeaders(ctx: AppContext, memberId: string, kind: MailKind): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl(ctx, memberId, kind)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
