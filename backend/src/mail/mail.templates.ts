/**
 * Every mail Convene sends, as plain text and HTML in one layout. E-mail is an untrusted channel:
 * no mail carries a message body or anything a member wrote, only what kind of thing happened and
 * a link to PUBLIC_URL. Every value is escaped in the HTML; there are no images and no links to
 * other hosts. Tokens travel in the link's fragment (never sent to any server by the browser, so
 * never in a log), and the landing page POSTs them.
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FORUM = 'Convene';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

interface Layout {
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
  const text = [
    ...layout.paragraphs,
    ...(layout.items ?? []).map((item) => `- ${item.line}\n  ${item.url}`),
    ...(layout.action ? [`${layout.action.label}:\n${layout.action.url}`] : []),
    '--',
    layout.footer ?? `You receive this because you have an account at ${FORUM}.`,
    ...(layout.footerLink ? [`${layout.footerLink.label}:\n${layout.footerLink.url}`] : []),
  ].join('\n\n');
  const items = layout.items?.length
    ? `<ul style="margin:0 0 16px;padding-left:20px">\n${layout.items.map((item) => `<li style="margin:0 0 8px">${escapeHtml(item.line)}<br><a href="${escapeHtml(item.url)}">${escapeHtml(item.url)}</a></li>`).join('\n')}\n</ul>`
    : '';
  const footerLink = layout.footerLink
    ? `\n<p style="font-size:13px;color:#374151;margin:8px 0 0"><a href="${escapeHtml(layout.footerLink.url)}" style="color:#1d4ed8">${escapeHtml(layout.footerLink.label)}</a></p>`
    : '';
  const paragraphs = layout.paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n');
  const action = layout.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(layout.action.url)}" style="background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(layout.action.label)}</a></p>\n<p style="margin:0 0 16px;font-size:13px;color:#374151">${escapeHtml(layout.action.url)}</p>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(layout.subject)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#111827;background:#ffffff;margin:0;padding:24px">
<div style="max-width:560px;margin:0 auto">
<p style="font-weight:700;font-size:18px;margin:0 0 24px">${FORUM}</p>
${paragraphs}
${items}
${action}
<hr style="border:none;border-top:1px solid #d1d5db;margin:24px 0">
<p style="font-size:13px;color:#374151;margin:0">${escapeHtml(layout.footer ?? `You receive this because you have an account at ${FORUM}.`)}</p>${footerLink}
</div></body></html>`;
  return { subject: layout.subject, text, html };
}

export function verifyEmailMail(publicUrl: string, token: string, name: string): RenderedMail {
  return render({
    subject: `Confirm your e-mail address for ${FORUM}`,
    paragraphs: [`Hello ${name},`, `Please confirm that this address is yours. The link works once, for 24 hours.`, 'If you did not sign up, ignore this mail: nothing happens.'],
    action: { label: 'Confirm my address', url: `${publicUrl}/verify-email#token=${token}` },
  });
}

export function passwordResetMail(publicUrl: string, token: string): RenderedMail {
  return render({
    subject: `Reset your ${FORUM} password`,
    paragraphs: ['Someone asked to reset the password of the account with this address.', 'The link works once, for one hour. If it was not you, ignore this mail: your password stays as it is.'],
    action: { label: 'Choose a new password', url: `${publicUrl}/reset-password#token=${token}` },
  });
}

export function passwordChangedMail(publicUrl: string, how: 'reset' | 'changed'): RenderedMail {
  return render({
    subject: `Your ${FORUM} password was changed`,
    paragraphs: [
      how === 'reset' ? 'The password of your account was reset through a link sent to this address.' : 'The password of your account was changed.',
      'Every session of your account has been signed out.',
      'If this was not you, reset your password at once and tell the moderators.',
    ],
    action: { label: 'Reset my password', url: `${publicUrl}/forgot-password` },
  });
}

export function testMail(publicUrl: string): RenderedMail {
  return render({
    subject: `${FORUM} test mail`,
    paragraphs: ['An admin sent this mail to check that outgoing mail works.'],
    action: { label: `Open ${FORUM}`, url: publicUrl },
  });
}

/**
 * To each expert on duty when a removal order on the support desk reaches half time. Nothing the
 * requester wrote, and no organisation: the kind of thing, the time left, the deadline, a link.
 */
export function removalOrderEscalationMail(publicUrl: string, requestId: string, minutesLeft: number, deadlineAt: Date): RenderedMail {
  return render({
    subject: `Removal order at half time: ${minutesLeft} min left`,
    paragraphs: [
      'A removal order on the support desk has used half of its legal deadline, and you are on duty.',
      `Deadline: ${deadlineAt.toISOString().replace('T', ' ').slice(0, 16)} UTC (${minutesLeft} minutes from when this was sent). You are now assigned to it.`,
    ],
    action: { label: 'Open the request', url: `${publicUrl}/support/${requestId}` },
    footer: `You receive this because you are an expert on duty at ${FORUM}. Go off duty on the Get help page.`,
  });
}

export function confirmEmailChangeMail(publicUrl: string, token: string, name: string): RenderedMail {
  return render({
    subject: `Confirm your new e-mail address for ${FORUM}`,
    paragraphs: [
      `Hello ${name},`,
      'You asked to use this address for your account. It replaces your current address once you confirm it here. The link works once, for 24 hours.',
      'If you did not ask for this, ignore this mail: nothing changes.',
    ],
    action: { label: 'Use this address', url: `${publicUrl}/confirm-email-change#token=${token}` },
  });
}

/** To the new address when another account has it: no link, and nothing about that account. */
export function emailChangeUnavailableMail(publicUrl: string): RenderedMail {
  return render({
    subject: `This address cannot be used for your ${FORUM} account`,
    paragraphs: [
      'Someone asked to use this address for an account, but it cannot be used for it.',
      'If it was you: you may already have an account with this address. Sign in with it, or reset its password.',
      'If it was not you, ignore this mail.',
    ],
    action: { label: 'Reset a password', url: `${publicUrl}/forgot-password` },
  });
}

/** To the old address, when the change is asked for and when it is done. */
export function emailChangeNoticeMail(publicUrl: string, stage: 'requested' | 'changed', newAddress: string): RenderedMail {
  return render({
    subject: stage === 'requested' ? `A change of your ${FORUM} e-mail address was requested` : `Your ${FORUM} e-mail address was changed`,
    paragraphs: [
      stage === 'requested'
        ? `Someone signed in to your account asked to use ${newAddress} instead of this address. Nothing changes unless the link sent to ${newAddress} is followed.`
        : `Your account now uses ${newAddress}. Mail from ${FORUM} no longer comes to this address.`,
      'If this was not you, reset your password at once and tell the moderators.',
    ],
    action: { label: 'Reset my password', url: `${publicUrl}/forgot-password` },
  });
}

const formatDay = (date: Date) => date.toISOString().slice(0, 10);

/** The yearly ask: with a link if the member's own address is on the organisation's domain, else how to give one. */
export function affiliationAskMail(publicUrl: string, input: { name: string; organisation: string; domains: string[]; expires: Date; token: string | null }): RenderedMail {
  const at = input.domains.join(' or ');
  return render({
    subject: `Please confirm your affiliation for ${FORUM}`,
    paragraphs: [
      `Hello ${input.name},`,
      `Once a year every member confirms that they still work for their organisation (${input.organisation}). Yours runs out on ${formatDay(input.expires)}; after a grace period your access pauses until you confirm. Your account and what you wrote stay.`,
      input.token
        ? 'Follow the link below to confirm. It works once, for 7 days.'
        : `Sign in and ask for a confirmation link to your address at ${at} on your profile.`,
    ],
    action: input.token ? { label: 'Confirm my affiliation', url: `${publicUrl}/confirm-affiliation#token=${input.token}` } : { label: 'Open my profile', url: `${publicUrl}/profile` },
  });
}

export function affiliationConfirmMail(publicUrl: string, token: string, organisation: string): RenderedMail {
  return render({
    subject: `Confirm your affiliation for ${FORUM}`,
    paragraphs: [`Follow the link to confirm that you still work for ${organisation}. It works once, for 7 days.`, 'If you did not ask for this, ignore this mail.'],
    action: { label: 'Confirm my affiliation', url: `${publicUrl}/confirm-affiliation#token=${token}` },
  });
}

export function affiliationLapsedMail(publicUrl: string): RenderedMail {
  return render({
    subject: `Your ${FORUM} access is paused until you confirm your affiliation`,
    paragraphs: [
      'Your affiliation was not confirmed in time, so your access is paused. Your account and everything you wrote are kept.',
      'Sign in and ask for a confirmation link on your profile, or ask the moderators to vet you again.',
    ],
    action: { label: 'Open my profile', url: `${publicUrl}/profile` },
  });
}

/** What a notification mail says: decided by safeNotificationContent, never a body. */
export interface SafeLine {
  subject: string;
  line: string;
  link: string;
}

const unsubscribeFooter = (what: string, mode: string) =>
  `You receive this because your ${FORUM} e-mail settings send ${what} ${mode}. Change them on your profile.`;

/** One notification, mailed because the member is away (or a critical alert). */
export function notificationMail(publicUrl: string, item: SafeLine, what: string, unsubscribeUrl: string): RenderedMail {
  return render({
    subject: item.subject,
    paragraphs: [item.line, `Sign in to ${FORUM} to see it. For your safety this mail does not carry its content.`],
    action: { label: `Open in ${FORUM}`, url: `${publicUrl}${item.link}` },
    footer: unsubscribeFooter(what, 'at once'),
    footerLink: { label: `Stop these mails (${what})`, url: unsubscribeUrl },
  });
}

/** Several notifications of one kind gathered over an hour or a day. */
export function digestMail(publicUrl: string, items: SafeLine[], what: string, mode: 'hourly' | 'daily', unsubscribeUrl: string): RenderedMail {
  const period = mode === 'hourly' ? 'in the last hour' : 'today';
  return render({
    subject: `${items.length} ${what} waiting for you in ${FORUM} (${mode} summary)`,
    paragraphs: [`What happened ${period} while you were away. For your safety this mail does not carry any content: sign in to see it.`],
    items: items.map((item) => ({ line: item.line, url: `${publicUrl}${item.link}` })),
    action: { label: `Open ${FORUM}`, url: publicUrl },
    footer: unsubscribeFooter(what, mode === 'hourly' ? 'as an hourly summary' : 'as a daily summary'),
    footerLink: { label: `Stop these mails (${what})`, url: unsubscribeUrl },
  });
}
