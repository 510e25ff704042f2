/** Prints rows as a plain-text table: the first column left-aligned, the others right-aligned, a rule under the header. */
export function table(out: (line?: string) => void, header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const [n, row] of all.entries()) {
    out(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
    if (n === 0) out(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
