/** How figures read everywhere: milliseconds to 0.1 below 100 and whole above, changes as signed percentages. */

export function formatMs(value: number | undefined | null): string {
  if (value === undefined || value === null) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** Milliseconds with their unit ("12.3 ms", "457 ms"), or "-" for none. */
export function formatMsUnit(value: number | undefined | null): string {
  return value === undefined || value === null ? '-' : `${formatMs(value)} ms`;
}

/** A share (or a difference of shares) as a percentage: 0.958 -> "95.8%", -0.333 -> "-33.3%". */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** A ratio as a signed change: 1.253 -> "+25.3%". */
export function formatPercent(ratio: number): string {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}
