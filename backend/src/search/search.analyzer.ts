/**
 * How text becomes index terms, the same for what is indexed and for what is searched.
 *
 * 1. Words are runs of letters, digits and combining marks in the original text (so a word written
 *    with Arabic harakat or decomposed accents stays one word, and snippets mark it whole).
 * 2. Each word is folded (`fold`): Unicode NFKD with combining marks removed (accent folding:
 *    "Résumé" → "resume", "año" → "ano", "ё" → "е"), except the breve of Cyrillic "й"/"ў" and the
 *    kana voicing marks, which make other letters; Arabic tatweel dropped, alef forms (أ إ آ ٱ) → ا,
 *    ى → ي, ة → ه, Arabic-Indic digits → 0–9; œ æ ß ł ø đ spelt out; then NFC and lower case.
 * 3. Chinese and Japanese (Han, Hiragana, Katakana) have no spaces: a run of them is indexed as its
 *    characters and its overlapping character pairs ("互联网" → 互 联 网 互联 联网). A query of one
 *    character looks for that character, a longer one for all of its pairs, so any piece of a
 *    sentence finds it. ICU's dictionary segmenter (`Intl.Segmenter`) is not used for terms: it cuts
 *    the same letters differently alone and inside a sentence ("互联网" alone is 互|联|网, in
 *    "在互联网上传播" it is 互|联|网上; "极端" is not a word of "暴力极端主义"), so a query would
 *    miss text that contains it. Snippets use it to cut text without spaces at word boundaries.
 * 4. Stop words (English, French, Spanish; a few Chinese particles as single characters) and single
 *    letters are not terms; a query made only of them finds nothing (and says so).
 * 5. A small English suffix stemmer (below) so that "accounts", "accounting" and "account" meet,
 *    applied to Latin-script words only: Cyrillic, Arabic and the rest are matched as written
 *    (folded), the last word of a query also as a prefix.
 */

/** Bumped whenever the terms of a text change: a database indexed with another version is rebuilt at start. */
export const ANALYZER_VERSION = 2;

/** Words too common to help a search; a query made only of them finds nothing (and says so). */
export const STOP_WORDS = new Set([
  // English
  ...'a an and are as at be but by can do does for from had has have he her his i if in into is it its me my no not of on or our she so than that the their them then there these they this to us was we were what when where which who will with you your'.split(' '),
  // French (folded: "à" is "a", "été" is "ete")
  ...'au aux ce ces cet cette dans de des du elle elles en est et il ils je la le les leur leurs lui mais ne nous ou par pas pour qu que qui sa se ses son sont sur ta te tes ton tu un une vous'.split(' '),
  // Spanish (folded: "él" is "el", "más" is "mas")
  ...'al como con del el ella ellas ellos en es esta este las lo los mas mi muy nos o para pero por que se sin son su sus un una unas uno unos'.split(' '),
]);

/** Chinese characters too common to be searched alone (they still count inside character pairs). */
export const CJK_STOP_CHARS = new Set([...'的了着是在和与及或之其也而就这那个把被']);

/** Longer tokens are codes, hashes or URLs: not worth a term. */
export const MAX_TERM_LENGTH = 40;

/** Combining marks folded away: all but the breve of й/ў (Cyrillic letters of their own) and the kana voicing marks. */
const MARKS = /(?<![ИиУу])\u0306|(?![\u0306\u3099\u309A])\p{M}/gu;
/** Format characters that join or hyphenate inside a word: soft hyphen, (non-)joiners, word joiner, BOM. */
const JOINERS = /[\u00AD\u200C\u200D\u2060\uFEFF]/g;
const LETTER_MAP: Record<string, string> = {
  // Arabic: alef forms not decomposed by NFKD, alef maksura, ta marbuta, Persian yeh and kaf.
  '\u0671': '\u0627', '\u0672': '\u0627', '\u0673': '\u0627', '\u0675': '\u0627',
  '\u0649': '\u064A', '\u06CC': '\u064A', '\u0629': '\u0647', '\u06A9': '\u0643',
  // Latin letters NFKD keeps whole.
  'œ': 'oe', 'æ': 'ae', 'ß': 'ss', 'ł': 'l', 'ø': 'o', 'đ': 'd',
};
const MAPPED = /[\u0671\u0672\u0673\u0675\u0649\u06CC\u0629\u06A9œæßłøđ]/g;
/** Arabic-Indic and extended (Persian) digits → ASCII. */
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

/** Folded, lower-cased text (see the top of this file). */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(MARKS, '')
    .replace(JOINERS, '')
    .replace(/\u0640/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(MAPPED, (letter) => LETTER_MAP[letter]!)
    .replace(ARABIC_DIGITS, (digit) => String((digit.charCodeAt(0) - (digit >= '\u06F0' ? 0x06f0 : 0x0660))));
}

/** Characters of scripts written without spaces between words (Chinese, Japanese). */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC\uFF70]/u;
/** A word in the original text: letters, digits, combining marks, joiners (and tatweel, a letter). */
const RAW_WORD = /[\p{L}\p{N}\p{M}\u00AD\u200C\u200D\u2060]+/gu;
const WORD = /[\p{L}\p{N}]+/gu;
const ASCII_WORD = /^[A-Za-z0-9]+$/;

/** One character of a Chinese or Japanese run, where it stands in the original text. */
export interface CjkChar {
  start: number;
  end: number;
  /** Folded. */
  ch: string;
}

/** A word of a text, where it stands in the original text (for snippets), folded. */
export interface Token {
  start: number;
  end: number;
  /** The folded word; for a Chinese or Japanese run, its folded characters. */
  word: string;
  /** Set on a run of Chinese or Japanese characters: its characters. */
  cjk: CjkChar[] | null;
}

/** The words of a text in order, with their places in it (stop words included). */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const match of text.matchAll(RAW_WORD)) {
    const raw = match[0];
    const base = match.index;
    // Most words: ASCII letters and digits (nothing to fold but case), or no Chinese or Japanese.
    if (ASCII_WORD.test(raw)) {
      out.push({ start: base, end: base + raw.length, word: raw.toLowerCase(), cjk: null });
      continue;
    }
    if (!CJK.test(raw)) {
      for (const word of fold(raw).match(WORD) ?? []) out.push({ start: base, end: base + raw.length, word, cjk: null });
      continue;
    }
    // Split the raw word into runs of CJK and other characters; marks and joiners stay with what precedes them.
    let runStart = 0;
    let runCjk: boolean | null = null;
    const flush = (end: number) => {
      if (runCjk === null || end <= runStart) return;
      const piece = raw.slice(runStart, end);
      if (runCjk) {
        const chars: CjkChar[] = [];
        for (const unit of piece.matchAll(/\P{M}\p{M}*/gu)) {
          const ch = fold(unit[0]);
          if (ch) chars.push({ start: base + runStart + unit.index, end: base + runStart + unit.index + unit[0].length, ch });
        }
        if (chars.length > 0) out.push({ start: chars[0]!.start, end: chars[chars.length - 1]!.end, word: chars.map((c) => c.ch).join(''), cjk: chars });
      } else {
        for (const word of fold(piece).match(WORD) ?? []) out.push({ start: base + runStart, end: base + end, word, cjk: null });
      }
    };
    let offset = 0;
    for (const char of raw) {
      const cjk = CJK.test(char);
      const attached = /[\p{M}\u00AD\u200C\u200D\u2060]/u.test(char);
      if (runCjk === null) runCjk = cjk;
      else if (!attached && cjk !== runCjk) {
        flush(offset);
        runStart = offset;
        runCjk = cjk;
      }
      offset += char.length;
    }
    flush(raw.length);
  }
  return out;
}

/** The folded words of a text, in order (stop words included; a Chinese or Japanese run is one). */
export function words(text: string): string[] {
  return tokens(text).map((token) => token.word);
}

/** Whether a folded word is worth indexing: not a stop word, not a single letter, not too long. */
export function indexable(word: string): boolean {
  if (word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word)) return false;
  return word.length > 1 || /\p{N}/u.test(word);
}

/** The terms of a Chinese or Japanese run: its characters (but the commonest) and its character pairs. */
export function cjkTerms(chars: CjkChar[]): string[] {
  const out: string[] = [];
  chars.forEach((char, index) => {
    if (!CJK_STOP_CHARS.has(char.ch)) out.push(char.ch);
    if (index > 0) out.push(chars[index - 1]!.ch + char.ch);
  });
  return out;
}

/** What a query's Chinese or Japanese run must match: one character alone, else every character pair. */
export function cjkQueryTerms(chars: CjkChar[]): string[] {
  if (chars.length === 1) return CJK_STOP_CHARS.has(chars[0]!.ch) ? [] : [chars[0]!.ch];
  return chars.slice(1).map((char, index) => chars[index]!.ch + char.ch);
}

const DOUBLED = /([bdfgmnprt])\1$/;
const LATIN = /^\p{Script=Latin}+$/u;

/**
 * A small English suffix stemmer (our own, deliberately light): British and American spellings
 * meet (-ize → -ise), plurals go, then one of -ation, -ment, -ness, -ing, -ed, -ly, -er, then a
 * doubled final consonant and a final "e". Both sides of a search go through it, so it only has to
 * be consistent, not linguistically right: "radicalisation", "radicalised", "radicalizing" and
 * "radicalise" all become "radicalis". Only Latin-script words are stemmed (French and Spanish go
 * through it too: harmless, as it is the same on both sides); words with digits are left alone.
 */
export function stem(word: string): string {
  if (word.length <= 3 || !LATIN.test(word)) return word;
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

/** The term of one folded word (not a Chinese or Japanese run), or null when it is not indexed. */
export function termOf(word: string): string | null {
  return indexable(word) ? stem(word) : null;
}

/** The terms of one token. */
export function tokenTerms(token: Token): string[] {
  if (token.cjk) return cjkTerms(token.cjk);
  const term = termOf(token.word);
  return term ? [term] : [];
}

/** The distinct terms of a text. */
export function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const token of tokens(text)) for (const term of tokenTerms(token)) out.add(term);
  return out;
}

/** The distinct indexable folded words of a text (what the prefix table lists; no Chinese or Japanese). */
export function indexableWords(text: string): Set<string> {
  return new Set(
    tokens(text)
      .filter((token) => !token.cjk && indexable(token.word))
      .map((token) => token.word),
  );
}

/** Words shorter than this do not expand as prefixes (too many terms would match). */
export const PREFIX_LENGTH = 3;

/** One word of a query: the term it must match, and for the last word the prefix it may extend. */
export interface QueryWord {
  /** The folded word as searched (a Chinese or Japanese run: the whole run, for each of its terms). */
  word: string;
  term: string;
  /** Set on the last word (when long enough): any indexed word starting with it matches too. */
  prefix: string | null;
}

/** A query's words, stop words dropped. The last word also matches as a prefix (not Chinese or Japanese). */
export function parseQuery(q: string): QueryWord[] {
  const list = tokens(q).filter((token) => (token.cjk ? cjkQueryTerms(token.cjk).length > 0 : indexable(token.word)));
  const seen = new Set<string>();
  const out: QueryWord[] = [];
  const add = (entry: QueryWord) => {
    const id = `${entry.term}|${entry.prefix ?? ''}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(entry);
  };
  list.forEach((token, index) => {
    if (token.cjk) {
      for (const term of cjkQueryTerms(token.cjk)) add({ word: token.word, term, prefix: null });
      return;
    }
    const { word } = token;
    const last = index === list.length - 1;
    const prefix = last && word.length >= PREFIX_LENGTH && !/\p{N}/u.test(word) ? word : null;
    add({ word, term: stem(word), prefix });
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
