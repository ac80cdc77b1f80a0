/** How figures read everywhere: milliseconds to 0.1 below 100 and whole above, changes as signed percentages. */

export function formatMs(value: number | undefined | null): string {
  if (value === undefined || value === null) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** A ratio as a signed change: 1.253 -> "+25.3%". */
export function formatPercent(ratio: number): string {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}
