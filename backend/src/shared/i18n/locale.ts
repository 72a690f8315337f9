/**
 * The languages of the product and how one is chosen, shared by the server and the web app.
 * The list comes from the message files (config/i18n/messages/<locale>.json, compiled by setup).
 */
import { baseLocale, getTextDirection, locales, type Locale } from './paraglide/runtime.js';

export { baseLocale, locales, type Locale };

/** The cookie that carries a visitor's choice (and a member's, so that pages load in it at once). */
export const LOCALE_COOKIE = 'convene_locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

export function textDirection(locale: Locale): 'ltr' | 'rtl' {
  return getTextDirection(locale);
}

/**
 * The locale of ours that best serves a BCP 47 tag, or null: an exact match, then one of ours with
 * the same language ("fr-CA" → "fr", "zh-CN" → "zh-Hans"; Traditional Chinese readers get Simplified,
 * the only Chinese we have, rather than English).
 */
export function matchLocale(tag: string): Locale | null {
  const wanted = tag.trim().toLowerCase();
  if (!wanted || wanted === '*') return null;
  const exact = locales.find((locale) => locale.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split('-')[0];
  return locales.find((locale) => locale.toLowerCase().split('-')[0] === language) ?? null;
}

/** The best of our locales for an `Accept-Language` header (RFC 9110 quality values), or null. */
export function negotiateLocale(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((range) => range.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const range of ranges) {
    const match = matchLocale(range.tag);
    if (match) return match;
  }
  return null;
}

/** A cookie's value from a `Cookie` header, or null. */
export function cookieValue(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
