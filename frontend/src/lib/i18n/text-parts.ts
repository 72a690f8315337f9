/**
 * A worded message cut around the values it was given, so that a page can put each value in its
 * own bidi isolate (`<bdi>`): a Latin name or a date inside Arabic text (or an Arabic name inside
 * English) then keeps its own direction and does not pull the punctuation around it along.
 * The text a reader (or a test) gets is exactly the message's; only the markup differs.
 */
export interface TextPart {
  text: string;
  /** A value given to the message (a name, a date, a number), to be isolated. */
  isolate: boolean;
}

// Private-use characters stand for the values while the message is worded, then are cut out.
const FIRST = 0xe000;

export function textParts<K extends string>(word: (markers: Record<K, string>) => string, values: Record<K, string>): TextPart[] {
  const keys = Object.keys(values) as K[];
  const markers = Object.fromEntries(keys.map((key, index) => [key, String.fromCharCode(FIRST + index)])) as Record<K, string>;
  const byMarker = new Map(keys.map((key) => [markers[key], values[key]]));
  return word(markers)
    .split(/([\uE000-\uE0FF])/)
    .filter((piece) => piece !== '')
    .map((piece) => (byMarker.has(piece) ? { text: byMarker.get(piece)!, isolate: true } : { text: piece, isolate: false }));
}
