import { z } from 'zod';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "30s", "15m", "1h", "2d" (or "0") into milliseconds; NaN when malformed. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(text);
  if (!match) return Number.NaN;
  const [, amount, unit] = match;
  if (!unit) return Number(amount) === 0 ? 0 : Number.NaN;
  return Number(amount) * UNITS[unit]!;
}

/** A duration written like 30s, 15m, 1h or 2d. */
export const durationSchema = z
  .string()
  .refine((text) => Number.isFinite(parseDuration(text)), 'a duration such as 30s, 15m, 1h or 2d')
  .describe('A duration: a number followed by s, m, h or d (e.g. 15m, 1h, 2d).');
