/**
 * The web app's language. The server already chose it for the page (`<html lang dir>`: the
 * member's profile choice, else the visitor's cookie, else Accept-Language); every compiled
 * message (`m.*`) and every `Intl` format here follows it. Changing it reloads the page, so that
 * everything on screen, formats included, is in one language. The production build is made once
 * per language (scripts/build-frontend.mjs) and the server sends each reader their language's.
 */
import { overwriteGetLocale } from '$shared/i18n/paraglide/runtime.js';
import { m } from '$shared/i18n/paraglide/messages.js';
import { LOCALE_COOKIE, baseLocale, isLocale, locales, negotiateLocale, textDirection, type Locale } from '$shared/i18n/locale.ts';

export { m };
export type { Locale };

function initialLocale(): Locale {
  const fromPage = document.documentElement.lang;
  if (isLocale(fromPage)) return fromPage;
  return negotiateLocale(navigator.languages.join(',')) ?? baseLocale;
}

export const locale: Locale = initialLocale();
export const dir: 'ltr' | 'rtl' = textDirection(locale);
overwriteGetLocale(() => locale);
document.documentElement.lang = locale;
document.documentElement.dir = dir;

/**
 * The locale everything is formatted in (dates, times, numbers, lists, sorting): the page's
 * language, in the reader's own variety of it when the browser names one (an English page for a
 * browser set to en-GB starts weeks on Monday and shows 24-hour times; an Arabic page for ar-MA
 * writes Latin digits, as the Maghreb does; zh-CN for zh-Hans), else the language itself.
 */
export const formatLocale: string = (() => {
  try {
    const page = new Intl.Locale(locale).maximize();
    for (const tag of navigator.languages) {
      const candidate = new Intl.Locale(tag).maximize();
      if (candidate.language === page.language && candidate.script === page.script) return tag;
    }
  } catch {
    // An unknown tag in the browser's list: the page's language alone.
  }
  return locale;
})();

/**
 * Every language, each named in itself (a reader finds their own whatever the page is in), by
 * Intl: a page's build carries only its own language's messages.
 */
export const languages: ReadonlyArray<{ locale: Locale; name: string; dir: 'ltr' | 'rtl' }> = locales.map((code) => {
  const name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  return { locale: code, name: name.charAt(0).toLocaleUpperCase(code) + name.slice(1), dir: textDirection(code) };
});

/** Remembers a language in the cookie the server reads, and reloads in it (when it changes). */
export function switchLocale(next: Locale): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${LOCALE_COOKIE}=${encodeURIComponent(next)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  if (next !== locale) location.reload();
}
