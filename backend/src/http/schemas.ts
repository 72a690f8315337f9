import { z } from 'zod';
import { m } from '../shared/i18n/paraglide/messages.js';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import type { Localized } from './locale.ts';

type Issue = z.core.$ZodRawIssue;

/**
 * Messages people can read, for the checks zod words for programmers, in one language. The
 * field's name comes before the message in every error (`body.reason: must be at least 20
 * characters`). Undefined for the issues zod's own translation words well enough.
 */
export function fieldMessage(issue: Issue, locale: Locale): string | undefined {
  const limit = Number((issue as { minimum?: unknown; maximum?: unknown }).minimum ?? (issue as { maximum?: unknown }).maximum);
  const options = { locale };
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return limit === 1 ? m.error_field_not_empty({}, options) : m.error_field_min_characters({ count: limit }, options);
      if (issue.origin === 'array') return m.error_field_min_items({ count: limit }, options);
      return m.error_field_min({ limit: String(limit) }, options);
    case 'too_big':
      if (issue.origin === 'string') return m.error_field_max_characters({ count: limit }, options);
      if (issue.origin === 'array') return m.error_field_max_items({ count: limit }, options);
      return m.error_field_max({ limit: String(limit) }, options);
    case 'invalid_type':
      return issue.input === undefined ? m.error_field_required({}, options) : m.error_field_wrong_type({ expected: issue.expected }, options);
    case 'unrecognized_keys':
      return m.error_field_unknown({ count: issue.keys.length, keys: issue.keys.join(', ') }, options);
    case 'invalid_value':
      return m.error_field_one_of({ values: issue.values.map(String).join(', ') }, options);
    case 'invalid_format':
      return issue.format === 'email' ? m.error_field_email({}, options) : m.error_field_bad_form({}, options);
    default:
      return undefined;
  }
}

/**
 * Zod's own translations of its issue messages, per language of ours (English for a language zod
 * does not have), for the issues `fieldMessage` leaves to zod.
 */
const ZOD_LOCALES: Partial<Record<string, () => { localeError: z.core.$ZodErrorMap }>> = {
  fr: z.locales.fr,
  es: z.locales.es,
  ru: z.locales.ru,
  ar: z.locales.ar,
  'zh-Hans': z.locales.zhCN,
};
const zodErrorMaps = new Map<string, z.core.$ZodErrorMap>();
export function zodErrorMap(locale: Locale): z.core.$ZodErrorMap {
  let map = zodErrorMaps.get(locale);
  if (!map) {
    map = (ZOD_LOCALES[locale] ?? z.locales.en)().localeError;
    zodErrorMaps.set(locale, map);
  }
  return map;
}

/**
 * The language of the parse running now. Zod words a schema's own messages (`localized` below)
 * while it parses, and parsing is synchronous, so `parseIn` sets it for exactly that span.
 */
let parsing: Locale = baseLocale;

/** `schema.safeParse`, with every message (zod's, ours, the schemas' own) in `locale`. */
export function parseIn<T extends z.ZodType>(schema: T, input: unknown, locale: Locale): z.ZodSafeParseResult<z.output<T>> {
  const previous = parsing;
  parsing = locale;
  try {
    const result = schema.safeParse(input, { error: (issue) => fieldMessage(issue, locale) ?? zodErrorMap(locale)(issue) }) as z.ZodSafeParseResult<z.output<T>>;
    // Zod words the issues on the first read of `error`: read it while `parsing` is this locale.
    if (!result.success) void result.error.issues;
    return result;
  } finally {
    parsing = previous;
  }
}

type Message<I> = (inputs: I, options: { locale: Locale }) => string;

/**
 * A schema's own message in the language of the parse: `.refine(check, localized(m.error_field_x))`,
 * `.regex(pattern, localized(m.error_field_y))`. Outside `parseIn` (scripts, config) it is English.
 */
export function localized(message: Message<Record<string, never>>): { error: () => string };
export function localized<I>(message: Message<I>, inputs: I): { error: () => string };
export function localized<I>(message: Message<I>, inputs?: I): { error: () => string } {
  return { error: () => message((inputs ?? {}) as I, { locale: parsing }) };
}

/** The same, as a string now: for `ctx.addIssue({ message: worded(m.error_field_x) })` in a refinement. */
export function worded(message: Message<Record<string, never>>): string;
export function worded<I>(message: Message<I>, inputs: I): string;
export function worded<I>(message: Message<I>, inputs?: I): string {
  return message((inputs ?? {}) as I, { locale: parsing });
}

/** A `Localized` text in the language of the parse running now (in a refinement's `addIssue`). */
export function inParseLocale(text: Localized): string {
  return text(parsing);
}

// Parses that do not go through `parseIn` (scripts, config) get the English wording.
z.config({ customError: (issue) => fieldMessage(issue, parsing) });

/**
 * Building blocks for request schemas. Every string an API accepts goes through `text()`:
 * neither engine stores NUL characters faithfully, so they are refused at the edge.
 */
export function text(options: { min?: number; max: number }) {
  return z
    .string()
    .min(options.min ?? 0)
    .max(options.max)
    .refine((value) => !value.includes('\u0000'), localized(m.error_field_no_nul));
}
