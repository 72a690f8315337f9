import type { Request, Response } from 'express';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { m, requestLocale } from '../http/locale.ts';
import { escapeHtml } from '../mail/mail.templates.ts';
import { Permission } from '../policy/policy.ts';
import { DEFAULT_MAIL_PREFS, type MailKind } from './notification-mail.model.ts';
import { NotificationEmailView, SetNotificationEmailBody, UnsubscribeQuery } from './notification-mail.schemas.ts';
import { textDirection, type Locale } from '../shared/i18n/locale.ts';
import { doSetMailPrefs, mailKindLabel, mailKindLabels, readMailPrefs, readUnsubscribeToken } from './notification-mail.ts';

/** A plain page (the CSP allows no inline style; the browser's own look is readable and keyboard-friendly). */
function page(res: Response, status: number, locale: Locale, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="${locale}" dir="${textDirection(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1>${body}<p><a href="/profile">${escapeHtml(m.mail_unsubscribe_settings_link({}, { locale }))}</a></p></main></body></html>`,
    );
}

/** A translated sentence with the kind's name in bold: the name goes in after escaping, so the translation never carries markup. */
function withStrongKind(sentence: (what: string) => string, label: string): string {
  const marker = '\u0000KIND\u0000';
  return escapeHtml(sentence(marker)).replace(marker, `<strong>${escapeHtml(label)}</strong>`);
}

/** The page's language: the member the link names (their profile's choice), else the browser's. */
async function pageLocale(ctx: AppContext, memberId: string, req: Request): Promise<Locale> {
  const member = await ctx.cache.member(memberId).catch(() => null);
  return member?.locale ?? requestLocale(req);
}

export function notificationMailOperations(ctx: AppContext): Operation[] {
  const view = async (memberId: string, locale: Locale) => ({
    prefs: await readMailPrefs(ctx, memberId),
    defaults: DEFAULT_MAIL_PREFS,
    labels: mailKindLabels(locale),
    awayMinutes: ctx.config.notifyAwayMinutes,
  });
  return [
    defineOperation({
      method: 'get',
      path: '/api/me/notification-email',
      operationId: 'getNotificationEmail',
      summary: 'Which notifications you get by e-mail, and how (immediate when away, hourly, daily, off)',
      tags: ['profile'],
      access: Permission.NotificationsOwn,
      responses: { 200: { description: 'Your settings', schema: NotificationEmailView } },
      handler: ({ req }) => view(req.actor!.id, requestLocale(req)),
    }),
    defineOperation({
      method: 'put',
      path: '/api/me/notification-email',
      operationId: 'setNotificationEmail',
      summary: 'Change how some kinds of notification reach you by e-mail; kinds not named stay as they are',
      tags: ['profile'],
      access: Permission.NotificationsOwn,
      body: SetNotificationEmailBody,
      responses: { 200: { description: 'Your settings now', schema: NotificationEmailView } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`notification-email:member:${req.actor!.id}`, 60, 3600_000);
        await doSetMailPrefs(ctx, req.actor!.id, body, 'profile', req);
        return view(req.actor!.id, requestLocale(req));
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/email/unsubscribe',
      operationId: 'unsubscribeConfirmPage',
      summary: 'The page an unsubscribe link opens: asks to confirm; changes nothing (GET never changes state)',
      tags: ['notifications'],
      access: 'public',
      query: UnsubscribeQuery,
      responses: { 200: { description: 'An HTML page with a confirm button', contentType: 'text/html' } },
      handler: async ({ req, query, res }) => {
        const { memberId, kind } = readUnsubscribeToken(ctx, query.token);
        const locale = await pageLocale(ctx, memberId, req);
        const action = `/api/email/unsubscribe?token=${encodeURIComponent(query.token)}`;
        page(
          res,
          200,
          locale,
          m.mail_unsubscribe_confirm_title({}, { locale }),
          `<p>${withStrongKind((what) => m.mail_unsubscribe_confirm_body({ what }, { locale }), mailKindLabel(kind, locale))}</p>` +
            `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
            `<button type="submit">${escapeHtml(m.mail_unsubscribe_button({}, { locale }))}</button></form>`,
        );
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/email/unsubscribe',
      operationId: 'unsubscribeOneClick',
      summary: 'One-click unsubscribe (RFC 8058): turns one kind of notification mail off for the member the signed token names; no session needed',
      description:
        'The token (in the query, as in the List-Unsubscribe header) is an HMAC over the member and the kind. The body (List-Unsubscribe=One-Click, form-encoded) is not needed. Exempt from the CSRF header: it acts on the token, never on a session.',
      tags: ['notifications'],
      access: 'public',
      query: UnsubscribeQuery,
      responses: { 200: { description: 'An HTML page saying it is done', contentType: 'text/html' } },
      handler: async ({ req, query, res }) => {
        // Generous: mail providers POST from a few shared addresses on behalf of many people.
        await ctx.rateLimiter.hit(`unsubscribe:ip:${req.ip}`, 600, 3600_000);
        const { memberId, kind } = readUnsubscribeToken(ctx, query.token);
        const member = await ctx.cache.member(memberId);
        if (member) await doSetMailPrefs(ctx, memberId, { [kind]: 'off' } as Partial<Record<MailKind, 'off'>>, 'unsubscribe', req);
        const locale = member?.locale ?? requestLocale(req);
        page(res, 200, locale, m.mail_unsubscribe_done_title({}, { locale }), `<p>${escapeHtml(m.mail_unsubscribe_done_body({ what: mailKindLabel(kind, locale) }, { locale }))}</p>`);
      },
    }),
  ];
}
