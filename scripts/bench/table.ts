/** Markdown tables for benchmark reports. */

export function table(header: string[], align: ('l' | 'r')[], rows: (string | number)[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((side) => (side === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(String).join(' | ')} |`),
  ];
}

/** `a / b` with two significant digits, or — when b is 0. */
export const ratio = (a: number, b: number) => (b > 0 ? (a / b >= 10 ? (a / b).toFixed(0) : (a / b).toFixed(1)) : '—');

export const int = (value: number) => Math.round(value).toLocaleString('en');
