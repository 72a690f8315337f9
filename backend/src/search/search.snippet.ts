import { fold, termOf } from './search.analyzer.ts';

/** A piece of a snippet: plain text, marked when it is a word that matched. Clients render it as text. */
export interface SnippetSegment {
  text: string;
  match: boolean;
}

/** Whether a folded word of a hit's text matches the query: its term, or the last word's prefix. */
export type WordMatcher = (word: string) => boolean;

export function matcherFor(query: { term: string; prefix: string | null }[]): WordMatcher {
  const wanted = new Set(query.map((word) => word.term));
  const prefixes = query.flatMap((word) => (word.prefix ? [word.prefix] : []));
  return (word) => {
    const term = termOf(word);
    if (term && wanted.has(term)) return true;
    return prefixes.some((prefix) => word.startsWith(prefix));
  };
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * About `length` characters of `text` around the first matching word, cut at word boundaries, as
 * segments with every matching word marked. Whitespace runs (Markdown line breaks) become one space.
 */
export function snippet(text: string, matches: WordMatcher, length = 240): SnippetSegment[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  const found: { start: number; end: number }[] = [];
  for (const token of clean.matchAll(WORD)) {
    if (matches(fold(token[0]))) found.push({ start: token.index, end: token.index + token[0].length });
  }
  let start = 0;
  if (found.length > 0 && found[0]!.start > length / 3) start = found[0]!.start - Math.floor(length / 3);
  let end = Math.min(clean.length, start + length);
  if (start > 0) {
    const space = clean.indexOf(' ', start);
    start = space >= 0 && space < found[0]!.start ? space + 1 : start;
  }
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end);
    end = space > start ? space : end;
  }
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
