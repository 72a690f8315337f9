import { termOf, tokens, type Token } from './search.analyzer.ts';

/** A piece of a snippet: plain text, marked when it is a word that matched. Clients render it as text. */
export interface SnippetSegment {
  text: string;
  match: boolean;
}

/** Where a match stands in the text (UTF-16 offsets, end excluded). */
export interface Span {
  start: number;
  end: number;
}

/**
 * The parts of a word of a hit's text that match the query: the whole word when its term is
 * searched or it starts with the last word's prefix; in a Chinese or Japanese run, the characters
 * of every searched character or character pair.
 */
export type TokenMatcher = (token: Token) => Span[];

export function matcherFor(query: { term: string; prefix: string | null }[]): TokenMatcher {
  const wanted = new Set(query.map((word) => word.term));
  const prefixes = query.flatMap((word) => (word.prefix ? [word.prefix] : []));
  return (token) => {
    if (token.cjk) {
      const chars = token.cjk;
      const spans: Span[] = [];
      const mark = (from: number, to: number) => {
        const last = spans[spans.length - 1];
        if (last && last.end >= chars[from]!.start) last.end = Math.max(last.end, chars[to]!.end);
        else spans.push({ start: chars[from]!.start, end: chars[to]!.end });
      };
      chars.forEach((char, index) => {
        if (wanted.has(char.ch)) mark(index, index);
        if (index + 1 < chars.length && wanted.has(char.ch + chars[index + 1]!.ch)) mark(index, index + 1);
      });
      return spans;
    }
    const term = termOf(token.word);
    if ((term && wanted.has(term)) || prefixes.some((prefix) => token.word.startsWith(prefix))) return [{ start: token.start, end: token.end }];
    return [];
  };
}

const SEGMENTER = new Intl.Segmenter('zh', { granularity: 'word' });

/**
 * A place near `index` (at most `reach` characters away, towards `direction`) where a word starts:
 * after a space when there is one, else at a word boundary found by ICU's segmenter (text without
 * spaces: Chinese, Japanese), else `index` itself moved off a surrogate pair.
 */
function boundary(text: string, index: number, direction: 1 | -1, reach: number, limit: number): number {
  if (direction === 1) {
    const space = text.indexOf(' ', index);
    if (space >= 0 && space < limit) return space + 1;
  } else {
    const space = text.lastIndexOf(' ', index);
    if (space > limit) return space;
  }
  const from = Math.max(0, index - reach);
  const window = text.slice(from, index + reach);
  let best: number | null = null;
  for (const { index: at } of SEGMENTER.segment(window)) {
    const position = from + at;
    if (direction === 1 ? position >= index && position <= limit : position <= index && position > limit) {
      if (direction === 1) return position;
      best = position;
    }
  }
  if (best !== null) return best;
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + (direction === 1 ? 1 : -1) : index;
}

/**
 * About `length` characters of `text` around the first match, cut at word boundaries, as segments
 * with every match marked. Whitespace runs (Markdown line breaks) become one space.
 */
export function snippet(text: string, matches: TokenMatcher, length = 240): SnippetSegment[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  const found: Span[] = [];
  for (const token of tokens(clean)) {
    for (const span of matches(token)) {
      const last = found[found.length - 1];
      // Words split inside one written word ("1/4" → 1, 4 share the span) are marked once.
      if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
      else found.push({ ...span });
    }
  }
  let start = 0;
  if (found.length > 0 && found[0]!.start > length / 3) start = found[0]!.start - Math.floor(length / 3);
  let end = Math.min(clean.length, start + length);
  if (start > 0) start = boundary(clean, start, 1, 12, found[0]!.start);
  if (end < clean.length) end = boundary(clean, end, -1, 12, start);
  const segments: SnippetSegment[] = [];
  const push = (piece: string, match: boolean) => {
    if (!piece) return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += piece;
    else segments.push({ text: piece, match });
  };
  if (start > 0) push('…', false);
  let at = start;
  for (const match of found) {
    if (match.start < start || match.end > end) continue;
    push(clean.slice(at, match.start), false);
    segments.push({ text: clean.slice(match.start, match.end), match: true });
    at = match.end;
  }
  push(clean.slice(at, end), false);
  if (end < clean.length) push('…', false);
  return segments;
}
