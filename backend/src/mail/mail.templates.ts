/**
 * Every mail Convene sends, as plain text and HTML in one layout, in the recipient's language
 * (`member.locale ?? 'en'`; for an address with no member yet, the language of the request that
 * caused the mail). E-mail is an untrusted channel: no mail carries a message body or anything a
 * member wrote, only what kind of thing happened and a link to PUBLIC_URL. Every value is escaped in
 * the HTML; there are no images and no links to other hosts. Tokens travel in the link's fragment
 * (never sent to any server by the browser, so never in a log), and the landing page POSTs them.
 */
import { m } from '../http/locale.ts';
import { textDirection, type Locale } from '../shared/i18n/locale.ts';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FORUM = 'Convene';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** A moment in a mail: the reader's calendar and words, always in UTC, saying so. */
export function mailDateTime(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(date);
}

/** A day in a mail (UTC). */
export function mailDay(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' }).format(date);
}

interface Layout {
  locale: Locale;
  subject: string;
  /** Paragraphs of plain text (escaped for HTML here). */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** A list of lines, each with its link (digests). */
  items?: { line: string; url: string }[];
  footer?: string;
  /** A link under the footer (how to stop these mails). */
  footerLink?: { label: string; url: string };
}

function render(layout: Layout): RenderedMail {
  const { locale } = layout;
  const footer = layout.footer ?? m.mail_footer_account({}, { locale });
  const text = [
    ...layout.paragraphs,
    ...(layout.items ?? []).map((item) => `- ${item.line}\n  ${item.url}`),
    ...(layout.action ? [`${layout.action.label}:\n${layout.action.url}`] : []),
    '--',
    footer,
    ...(layout.footerLink ? [`${layout.footerLink.label}:\n${layout.footerLink.url}`] : []),
  ].join('\n\n');
  const dir = textDirection(locale);
  // URLs stay left to right inside right-to-left text; user-given lines find their own direction.
  const url = (value: string) => `<a href="${escapeHtml(value)}" dir="ltr">${escapeHtml(value)}</a>`;
  const items = layout.items?.length
    ? `<ul style="margin:0 0 16px;padding-inline-start:20px">\n${layout.items.map((item) => `<li style="margin:0 0 8px"><span dir="auto">${escapeHtml(item.line)}</span><br>${url(item.url)}</li>`).join('\n')}\n</ul>`
    : '';
  const footerLink = layout.footerLink
    ? `\n<p style="font-size:13px;color:#374151;margin:8px 0 0"><a href="${escapeHtml(layout.footerLink.url)}" style="color:#1d4ed8">${escapeHtml(layout.footerLink.label)}</a></p>`
    : '';
  const paragraphs = layout.paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n');
  const action = layout.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(layout.action.url)}" style="background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(layout.action.label)}</a></p>\n<p style="margin:0 0 16px;font-size:13px;color:#374151" dir="ltr">${escapeHtml(layout.action.url)}</p>`
    : '';
  const html = `<!doctype html>
<html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(layout.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#111827;background:#ffffff;margin:0;padding:24px">
<div style="max-width:560px;margin:0 auto;text-align:start" dir="${dir}">
<p style="font-weight:700;font-size:18px;margin:0 0 24px">${FORUM}</p>
${paragraphs}
${items}
${action}
<hr style="border:none;border-top:1px solid #d1d5db;margin:24px 0">
<p style="font-size:13px;color:#374151;margin:0">${escapeHtml(footer)}</p>${footerLink}
</div></body></html>`;
  return { subject: layout.subject, text, html };
}

export function verifyEmailMail(locale: Locale, publicUrl: string, token: string, name: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_verify_subject({}, { locale }),
    paragraphs: [m.mail_hello({ name }, { locale }), m.mail_verify_intro({}, { locale }), m.mail_verify_ignore({}, { locale })],
    action: { label: m.mail_verify_action({}, { locale }), url: `${publicUrl}/verify-email#token=${token}` },
  });
}

export function passwordResetMail(locale: Locale, publicUrl: string, token: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_reset_subject({}, { locale }),
    paragraphs: [m.mail_reset_intro({}, { locale }), m.mail_reset_ignore({}, { locale })],
    action: { label: m.mail_reset_action({}, { locale }), url: `${publicUrl}/reset-password#token=${token}` },
  });
}

export function passwordChangedMail(locale: Locale, publicUrl: string, how: 'reset' | 'changed'): RenderedMail {
  return render({
    locale,
    subject: m.mail_password_changed_subject({}, { locale }),
    paragraphs: [
      how === 'reset' ? m.mail_password_changed_by_reset({}, { locale }) : m.mail_password_changed_by_member({}, { locale }),
      m.mail_password_changed_signed_out({}, { locale }),
      m.mail_not_you_reset({}, { locale }),
    ],
    action: { label: m.mail_action_reset_my_password({}, { locale }), url: `${publicUrl}/forgot-password` },
  });
}

export function testMail(locale: Locale, publicUrl: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_test_subject({}, { locale }),
    paragraphs: [m.mail_test_body({}, { locale })],
    action: { label: m.mail_action_open_forum({}, { locale }), url: publicUrl },
  });
}

/**
 * To each expert on duty when a removal order on the support desk reaches half time. Nothing the
 * requester wrote, and no organisation: the kind of thing, the time left, the deadline, a link.
 */
export function removalOrderEscalationMail(locale: Locale, publicUrl: string, requestId: string, minutesLeft: number, deadlineAt: Date): RenderedMail {
  const minutes = new Intl.NumberFormat(locale).format(minutesLeft);
  return render({
    locale,
    subject: m.mail_escalation_subject({ minutes }, { locale }),
    paragraphs: [m.mail_escalation_intro({}, { locale }), m.mail_escalation_deadline({ deadline: mailDateTime(deadlineAt, locale), minutes }, { locale })],
    action: { label: m.mail_escalation_action({}, { locale }), url: `${publicUrl}/support/${requestId}` },
    footer: m.mail_escalation_footer({}, { locale }),
  });
}

export function confirmEmailChangeMail(locale: Locale, publicUrl: string, token: string, name: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_change_confirm_subject({}, { locale }),
    paragraphs: [m.mail_hello({ name }, { locale }), m.mail_change_confirm_intro({}, { locale }), m.mail_change_confirm_ignore({}, { locale })],
    action: { label: m.mail_change_confirm_action({}, { locale }), url: `${publicUrl}/confirm-email-change#token=${token}` },
  });
}

/** To the new address when another account has it: no link, and nothing about that account. */
export function emailChangeUnavailableMail(locale: Locale, publicUrl: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_change_unavailable_subject({}, { locale }),
    paragraphs: [m.mail_change_unavailable_intro({}, { locale }), m.mail_change_unavailable_if_you({}, { locale }), m.mail_change_unavailable_ignore({}, { locale })],
    action: { label: m.mail_action_reset_a_password({}, { locale }), url: `${publicUrl}/forgot-password` },
  });
}

/** To the old address, when the change is asked for and when it is done. */
export function emailChangeNoticeMail(locale: Locale, publicUrl: string, stage: 'requested' | 'changed', newAddress: string): RenderedMail {
  return render({
    locale,
    subject: stage === 'requested' ? m.mail_change_requested_subject({}, { locale }) : m.mail_change_done_subject({}, { locale }),
    paragraphs: [
      stage === 'requested' ? m.mail_change_requested_body({ address: newAddress }, { locale }) : m.mail_change_done_body({ address: newAddress }, { locale }),
      m.mail_not_you_reset({}, { locale }),
    ],
    action: { label: m.mail_action_reset_my_password({}, { locale }), url: `${publicUrl}/forgot-password` },
  });
}

/** The yearly ask: with a link if the member's own address is on the organisation's domain, else how to give one. */
export function affiliationAskMail(
  locale: Locale,
  publicUrl: string,
  input: { name: string; organisation: string; domains: string[]; expires: Date; token: string | null },
): RenderedMail {
  const domains = new Intl.ListFormat(locale, { type: 'disjunction' }).format(input.domains);
  return render({
    locale,
    subject: m.mail_affiliation_ask_subject({}, { locale }),
    paragraphs: [
      m.mail_hello({ name: input.name }, { locale }),
      m.mail_affiliation_ask_body({ organisation: input.organisation, date: mailDay(input.expires, locale) }, { locale }),
      input.token ? m.mail_affiliation_ask_link({}, { locale }) : m.mail_affiliation_ask_no_link({ domains }, { locale }),
    ],
    action: input.token
      ? { label: m.mail_affiliation_action_confirm({}, { locale }), url: `${publicUrl}/confirm-affiliation#token=${input.token}` }
      : { label: m.mail_action_open_profile({}, { locale }), url: `${publicUrl}/profile` },
  });
}

export function affiliationConfirmMail(locale: Locale, publicUrl: string, token: string, organisation: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_affiliation_confirm_subject({}, { locale }),
    paragraphs: [m.mail_affiliation_confirm_body({ organisation }, { locale }), m.mail_ignore_if_not_asked({}, { locale })],
    action: { label: m.mail_affiliation_action_confirm({}, { locale }), url: `${publicUrl}/confirm-affiliation#token=${token}` },
  });
}

export function affiliationLapsedMail(locale: Locale, publicUrl: string): RenderedMail {
  return render({
    locale,
    subject: m.mail_affiliation_lapsed_subject({}, { locale }),
    paragraphs: [m.mail_affiliation_lapsed_body({}, { locale }), m.mail_affiliation_lapsed_how({}, { locale })],
    action: { label: m.mail_action_open_profile({}, { locale }), url: `${publicUrl}/profile` },
  });
}

/** What a notification mail says: decided by safeNotificationContent, never a body. */
export interface SafeLine {
  subject: string;
  line: string;
  link: string;
}

/** One notification, mailed because the member is away (or a critical alert). `what` names its kind in the reader's language. */
export function notificationMail(locale: Locale, publicUrl: string, item: SafeLine, what: string, unsubscribeUrl: string): RenderedMail {
  return render({
    locale,
    subject: item.subject,
    paragraphs: [item.line, m.mail_notification_see({}, { locale })],
    action: { label: m.mail_action_open_in_forum({}, { locale }), url: `${publicUrl}${item.link}` },
    footer: m.mail_footer_settings_immediate({ what }, { locale }),
    footerLink: { label: m.mail_stop_link({ what }, { locale }), url: unsubscribeUrl },
  });
}

/** Several notifications of one kind gathered over an hour or a day. */
export function digestMail(locale: Locale, publicUrl: string, items: SafeLine[], what: string, mode: 'hourly' | 'daily', unsubscribeUrl: string): RenderedMail {
  const count = new Intl.NumberFormat(locale).format(items.length);
  return render({
    locale,
    subject: mode === 'hourly' ? m.mail_digest_subject_hourly({ count, what }, { locale }) : m.mail_digest_subject_daily({ count, what }, { locale }),
    paragraphs: [mode === 'hourly' ? m.mail_digest_intro_hourly({}, { locale }) : m.mail_digest_intro_daily({}, { locale })],
    items: items.map((item) => ({ line: item.line, url: `${publicUrl}${item.link}` })),
    action: { label: m.mail_action_open_forum({}, { locale }), url: publicUrl },
    footer: mode === 'hourly' ? m.mail_footer_settings_hourly({ what }, { locale }) : m.mail_footer_settings_daily({ what }, { locale }),
    footerLink: { label: m.mail_stop_link({ what }, { locale }), url: unsubscribeUrl },
  });
}
