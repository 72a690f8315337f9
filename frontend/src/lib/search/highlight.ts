/** A piece of text, marked when it is a word the search matched (rendered as text, never HTML). */
export interface Segment {
  text: string;
  match: boolean;
}

/** A word as written: letters, digits and combining marks (Arabic harakat, decomposed accents). */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
/** Chinese and Japanese: written without spaces, matched as runs of characters. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}|\u0640/gu, '')
    .toLowerCase()
    .replace(/[\u0671\u0649\u0629]/g, (letter) => ({ '\u0671': '\u0627', '\u0649': '\u064A', '\u0629': '\u0647' })[letter]!);

/**
 * Marks the words of a hit's title that the search words match. The server marks the snippet with
 * its own analyzer; titles come unmarked, so this is a close approximation of it: a title word
 * matches when it starts with a searched word ("lists" for "list", and the last word's prefix), or
 * a searched word starts with it ("account" for "accounts"), accents and case folded; a searched
 * Chinese or Japanese word is marked wherever its characters stand in the title.
 */
export function highlight(text: string, searched: string[]): Segment[] {
  const cjk = searched.filter((word) => CJK.test(word));
  const wanted = searched
    .filter((word) => !CJK.test(word))
    .map(fold)
    .filter((word) => word.length > 1);
  const matches = (word: string) => wanted.some((want) => word.startsWith(want) || (word.length >= 4 && want.startsWith(word)));
  const spans: { start: number; end: number }[] = [];
  for (const token of text.matchAll(WORD)) {
    if (CJK.test(token[0])) {
      for (const want of cjk) {
        for (let at = token[0].indexOf(want); at >= 0; at = token[0].indexOf(want, at + want.length)) spans.push({ start: token.index + at, end: token.index + at + want.length });
      }
    } else if (matches(fold(token[0]))) spans.push({ start: token.index, end: token.index + token[0].length });
  }
  spans.sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  const push = (piece: string, match: boolean) => {
    if (!piece) return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += piece;
    else segments.push({ text: piece, match });
  };
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    push(text.slice(at, Math.max(at, span.start)), false);
    push(text.slice(Math.max(at, span.start), span.end), true);
    at = span.end;
  }
  push(text.slice(at), false);
  return segments;
}
