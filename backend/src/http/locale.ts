import type { Request } from 'express';
import { LOCALE_COOKIE, baseLocale, cookieValue, isLocale, negotiateLocale, type Locale } from '../shared/i18n/locale.ts';

export { m } from '../shared/i18n/paraglide/messages.js';

/** A text in whichever language it is asked for: what errors, mails and notifications carry. */
export type Localized = (locale: Locale) => string;

type Message<I> = (inputs: I, options: { locale: Locale }) => string;

/**
 * Binds a compiled message to its inputs, for the language to be chosen later (an error is thrown
 * before anyone knows who will read it): `new NotFound(msg(m.error_no_such_item))`.
 */
export function msg(message: Message<Record<string, never>>): Localized;
export function msg<I>(message: Message<I>, inputs: I): Localized;
export function msg<I>(message: Message<I>, inputs?: I): Localized {
  return (locale) => message((inputs ?? {}) as I, { locale });
}

/**
 * The language of a request: a member's choice on their profile, else the visitor's cookie (the
 * switcher sets it), else the best match of Accept-Language, else English.
 */
export function requestLocale(req: Request): Locale {
  const chosen = (req.user as { locale?: unknown } | undefined)?.locale;
  if (isLocale(chosen)) return chosen;
  const cookie = cookieValue(req.headers.cookie, LOCALE_COOKIE);
  if (isLocale(cookie)) return cookie;
  return negotiateLocale(req.headers['accept-language']) ?? baseLocale;
}
