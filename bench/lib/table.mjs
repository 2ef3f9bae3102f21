// Plain-text tables and number formatting for benchmark reports.

/** Formats a number with a sensible precision for a table cell. */
export function fmt(x, digits) {
  if (x === null || x === undefined) return '-';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return '-';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** "median [min–max]" of a spread() result. */
export function fmtSpread(s, digits) {
  if (!s || !Number.isFinite(s.median)) return '-';
  if (s.n <= 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

/**
 * Renders rows (arrays of cells) under headers. `align` is a string of 'l'/'r' per column
 * (default: first column left, the rest right).
 */
export function table(headers, rows, align) {
  const cols = headers.length;
  const al = align ?? 'l' + 'r'.repeat(cols - 1);
  const cells = [headers, ...rows].map((r) => r.map((c) => (c === undefined || c === null ? '-' : String(c))));
  const width = Array.from({ length: cols }, (_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  const pad = (s, i) => {
    const n = width[i] - [...s].length;
    return al[i] === 'l' ? s + ' '.repeat(n) : ' '.repeat(n) + s;
  };
  const line = (r) => '| ' + r.map((c, i) => pad(c ?? '', i)).join(' | ') + ' |';
  const sep = '|' + width.map((w, i) => (al[i] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n');
}
