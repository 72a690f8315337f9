/** A piece of text, marked when it is a word the search matched (rendered as text, never HTML). */
export interface Segment {
  text: string;
  match: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Marks the words of a hit's title that the search words match. The server marks the snippet with
 * its own analyzer; titles come unmarked, so this is a close approximation of it: a title word
 * matches when it starts with a searched word ("lists" for "list", and the last word's prefix), or
 * a searched word starts with it ("account" for "accounts"), accents and case folded.
 */
export function highlight(text: string, searched: string[]): Segment[] {
  const wanted = searched.map(fold).filter((word) => word.length > 1);
  const matches = (word: string) => wanted.some((want) => word.startsWith(want) || (word.length >= 4 && want.startsWith(word)));
  const segments: Segment[] = [];
  const push = (piece: string, match: boolean) => {
    if (!piece) return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += piece;
    else segments.push({ text: piece, match });
  };
  let at = 0;
  for (const token of text.matchAll(WORD)) {
    if (!matches(fold(token[0]))) continue;
    push(text.slice(at, token.index), false);
    segments.push({ text: token[0], match: true });
    at = token.index + token[0].length;
  }
  push(text.slice(at), false);
  return segments;
}
