const DAY_MS = 86_400_000;

/** Exponential decay: worth half after one half-life. A date in the future counts as now. */
export function decayFactor(ageMs: number, halfLifeDays: number): number {
  const ageDays = Math.max(0, ageMs) / DAY_MS;
  return 0.5 ** (ageDays / halfLifeDays);
}

export function ageInDays(at: number, now: number): number {
  return Math.max(0, now - at) / DAY_MS;
}
