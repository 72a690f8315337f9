/**
 * How text becomes index terms, the same for what is indexed and for what is searched:
 * Unicode NFKD with combining marks removed (accent folding: "Café" → "cafe"), lower case, split
 * on everything that is not a letter or a digit, a short list of English stop words dropped, and
 * a small suffix stemmer (below) so that "accounts", "accounting" and "account" meet.
 */

/** Words too common to help a search; a query made only of them finds nothing (and says so). */
export const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from had has have he her his i if in into is it its me my no not of on or our she so than that the their them then there these they this to us was we were what when where which who will with you your'.split(' '),
);

/** Longer tokens are codes, hashes or URLs: not worth a term. */
export const MAX_TERM_LENGTH = 40;

/** Folded, lower-cased text. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The folded words of a text, in order (stop words included). */
export function words(text: string): string[] {
  return fold(text).match(WORD) ?? [];
}

/** Whether a folded word is worth indexing: not a stop word, not a single letter, not too long. */
export function indexable(word: string): boolean {
  if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) return false;
  return word.length > 1 || /\p{N}/u.test(word);
}

const DOUBLED = /([bdfgmnprt])\1$/;

/**
 * A small English suffix stemmer (our own, deliberately light): British and American spellings
 * meet (-ize → -ise), plurals go, then one of -ation, -ment, -ness, -ing, -ed, -ly, -er, then a
 * doubled final consonant and a final "e". Both sides of a search go through it, so it only has to
 * be consistent, not linguistically right: "radicalisation", "radicalised", "radicalizing" and
 * "radicalise" all become "radicalis". Words with digits are left alone.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\p{N}/u.test(word)) return word;
  let w = word.replace(/iz(e|ed|es|ing|ation|ations|er|ers)$/, 'is$1');
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w) && w.length > 3) w = w.slice(0, -1);
  let undouble = false;
  for (const [suffix, keep] of [
    ['ation', 4],
    ['ment', 4],
    ['ness', 3],
    ['ing', 3],
    ['ed', 3],
    ['ly', 3],
    ['er', 4],
  ] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length >= keep) {
      w = w.slice(0, -suffix.length);
      undouble = suffix === 'ing' || suffix === 'ed' || suffix === 'er';
      break;
    }
  }
  if (undouble && DOUBLED.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** The term of one folded word, or null when it is not indexed. */
export function termOf(word: string): string | null {
  return indexable(word) ? stem(word) : null;
}

/** The distinct terms of a text. */
export function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of words(text)) {
    const term = termOf(word);
    if (term) out.add(term);
  }
  return out;
}

/** The distinct indexable folded words of a text (what the prefix table lists). */
export function indexableWords(text: string): Set<string> {
  return new Set(words(text).filter(indexable));
}

/** Words shorter than this do not expand as prefixes (too many terms would match). */
export const PREFIX_LENGTH = 3;

/** One word of a query: the term it must match, and for the last word the prefix it may extend. */
export interface QueryWord {
  word: string;
  term: string;
  /** Set on the last word (when long enough): any indexed word starting with it matches too. */
  prefix: string | null;
}

/** A query's words, stop words dropped. The last word also matches as a prefix. */
export function parseQuery(q: string): QueryWord[] {
  const list = words(q).filter(indexable);
  const seen = new Set<string>();
  const out: QueryWord[] = [];
  list.forEach((word, index) => {
    const term = stem(word);
    const last = index === list.length - 1;
    const prefix = last && word.length >= PREFIX_LENGTH && !/\p{N}/u.test(word) ? word : null;
    const id = `${term}|${prefix ?? ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ word, term, prefix });
  });
  return out;
}

/** A stable bucket number for a string (FNV-1a, 32 bits). */
export function bucketOf(value: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index++) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}
