import { RE2JS, RE2JSSyntaxException } from 're2js';
import { z } from 'zod';

/**
 * The condition language shared by every config file: `{property, op, value}` leaves,
 * combined with `all`, `any` and `not`. Property values come from HubSpot, where every value
 * is a string or null, so comparisons coerce as documented on each operator.
 */
export const CONDITION_OPS = ['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'matches', 'exists', 'within_days'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A property's values, as HubSpot sends them. */
export type PropertyBag = Readonly<Record<string, string | null | undefined>>;

export const leafConditionSchema = z
  .object({
    property: z.string().min(1).describe('HubSpot property name, e.g. `industry`.'),
    op: z
      .enum(CONDITION_OPS)
      .describe(
        'eq/ne: equal (case-insensitive text, numeric when both are numbers); in/not_in: one of a list; ' +
          'gt/gte/lt/lte: numeric comparison; matches: regular expression (case-insensitive); ' +
          'exists: has a non-empty value (value: false for "is empty"); within_days: a date at most N days before now.',
      ),
    value: z
      .union([scalar, z.array(scalar)])
      .optional()
      .describe('What to compare with; a list for in/not_in.'),
  })
  .strict()
  .superRefine((leaf, ctx) => {
    const { op, value } = leaf;
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message, path: ['value'] });
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(value) || value.length === 0) fail(`"${op}" needs a non-empty list as value`);
      return;
    }
    if (Array.isArray(value)) return fail(`"${op}" takes a single value, not a list (use "in" for a list)`);
    if (op === 'exists') {
      if (value !== undefined && typeof value !== 'boolean') fail('"exists" takes true or false (or no value)');
      return;
    }
    if (value === undefined) return fail(`"${op}" needs a value`);
    if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'within_days') {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${op}" needs a number as value`);
      else if (op === 'within_days' && value < 0) fail('"within_days" needs a number of days ≥ 0');
      return;
    }
    if (op === 'matches') {
      if (typeof value !== 'string') return fail('"matches" needs a regular expression as a string');
      const problem = regexProblem(value);
      if (problem) fail(`invalid regular expression: ${problem}`);
    }
  });

export type LeafCondition = z.infer<typeof leafConditionSchema>;
export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

// Built once: the recursive references must keep one identity, or JSON Schema generation
// (and zod's own traversal) would unfold the recursion forever.
const combinedConditionSchema: z.ZodType<Condition> = z.union([
  leafConditionSchema,
  z
    .object({
      get all() {
        return z.array(conditionSchema).min(1);
      },
    })
    .strict()
    .describe('Every condition holds.'),
  z
    .object({
      get any() {
        return z.array(conditionSchema).min(1);
      },
    })
    .strict()
    .describe('At least one condition holds.'),
  z
    .object({
      get not() {
        return conditionSchema;
      },
    })
    .strict()
    .describe('The condition does not hold.'),
]);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => combinedConditionSchema);

const DAY_MS = 86_400_000;

/**
 * `matches` reads at most this many characters of a value (the rest is ignored). The engine
 * is linear in the length it reads, so this bounds the time one condition can take on a value
 * a web form let someone make as long as they like.
 */
export const MATCHES_MAX_LENGTH = 4096;

/**
 * `matches` patterns run on RE2 (the pure-JS port `re2js`), which matches in time linear in
 * the input whatever the pattern: a pattern such as `^(\w+\s?)+$`, which a backtracking engine
 * takes minutes over on a 35-character job title, cannot hang the worker. RE2 has no
 * backreferences and no lookaround; such patterns are refused when the file loads.
 */
const regexCache = new Map<string, RE2JS>();

function regexFor(source: string): RE2JS {
  let regex = regexCache.get(source);
  if (!regex) {
    regex = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    regexCache.set(source, regex);
  }
  return regex;
}

/**
 * The first capture group of a `matches`-style pattern in a value (the whole match when the
 * pattern has no group); undefined when it does not match.
 */
export function firstCapture(pattern: string, value: string): string | undefined {
  const matcher = regexFor(pattern).matcher(value.slice(0, MATCHES_MAX_LENGTH));
  if (!matcher.find()) return undefined;
  return (matcher.groupCount() > 0 ? matcher.group(1) : matcher.group(0)) ?? undefined;
}

/** A regular expression in RE2 syntax, refused with its reason when it does not compile. */
export const patternSchema = z.string().superRefine((source, ctx) => {
  const problem = regexProblem(source);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${problem}` });
});

/** Why RE2 refuses a pattern, in words for the person who wrote it; undefined if it compiles. */
function regexProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    if (!(error instanceof RE2JSSyntaxException)) return (error as Error).message;
    const at = error.input ?? '';
    if (/^\\[1-9k]/.test(at)) return `backreferences (${at.slice(0, 2)}) are not supported (RE2 syntax)`;
    if (/^\(\?<?[=!]/.test(at)) return `lookaround (${at.slice(0, at.startsWith('(?<') ? 4 : 3)}) is not supported (RE2 syntax)`;
    return at ? `${error.error}: \`${at}\`` : error.error;
  }
}

function isBlank(value: string | null | undefined): value is null | undefined | '' {
  return value === undefined || value === null || value.trim() === '';
}

function toNumber(value: string | number | boolean): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number.NaN;
  return value.trim() === '' ? Number.NaN : Number(value);
}

function equals(actual: string, expected: string | number | boolean): boolean {
  if (typeof expected === 'number') return toNumber(actual) === expected;
  if (typeof expected === 'boolean') return actual.trim().toLowerCase() === String(expected);
  const a = actual.trim();
  const e = expected.trim();
  if (a.toLowerCase() === e.toLowerCase()) return true;
  const an = toNumber(a);
  const en = toNumber(e);
  return Number.isFinite(an) && Number.isFinite(en) && an === en;
}

/**
 * Parses a HubSpot date value: ISO 8601, or epoch milliseconds as a string (HubSpot sends
 * both, depending on the property and endpoint). Returns NaN when it is neither.
 */
export function parseHubSpotDate(value: string | null | undefined): number {
  if (isBlank(value)) return Number.NaN;
  const trimmed = value.trim();
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  return Date.parse(trimmed);
}

function evaluateLeaf(leaf: LeafCondition, properties: PropertyBag, now: number): boolean {
  const actual = properties[leaf.property];
  const { op, value } = leaf;
  if (op === 'exists') return (value ?? true) === !isBlank(actual);
  if (isBlank(actual)) return op === 'ne' || op === 'not_in';
  switch (op) {
    case 'eq':
      return equals(actual, value as string | number | boolean);
    case 'ne':
      return !equals(actual, value as string | number | boolean);
    case 'in':
      return (value as (string | number | boolean)[]).some((v) => equals(actual, v));
    case 'not_in':
      return !(value as (string | number | boolean)[]).some((v) => equals(actual, v));
    case 'gt':
      return toNumber(actual) > (value as number);
    case 'gte':
      return toNumber(actual) >= (value as number);
    case 'lt':
      return toNumber(actual) < (value as number);
    case 'lte':
      return toNumber(actual) <= (value as number);
    case 'matches':
      return regexFor(value as string).test(actual.slice(0, MATCHES_MAX_LENGTH));
    case 'within_days': {
      const at = parseHubSpotDate(actual);
      return Number.isFinite(at) && at <= now && now - at <= (value as number) * DAY_MS;
    }
  }
}

/** Whether a condition holds for a contact's properties at `now`. Never throws on odd values. */
export function evaluateCondition(condition: Condition, properties: PropertyBag, now: Date | number): boolean {
  const at = typeof now === 'number' ? now : now.getTime();
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, properties, at));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, properties, at));
  if ('not' in condition) return !evaluateCondition(condition.not, properties, at);
  return evaluateLeaf(condition, properties, at);
}

/** A one-line, human-readable rendering for explanations, e.g. `industry in [Software, SaaS]`. */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return `(${condition.all.map(describeCondition).join(' and ')})`;
  if ('any' in condition) return `(${condition.any.map(describeCondition).join(' or ')})`;
  if ('not' in condition) return `not ${describeCondition(condition.not)}`;
  const value = Array.isArray(condition.value) ? `[${condition.value.join(', ')}]` : condition.value;
  if (condition.op === 'exists') return condition.value === false ? `${condition.property} is empty` : `${condition.property} is set`;
  return `${condition.property} ${condition.op} ${String(value)}`;
}

/** Every property a condition reads (for cross-file checks and the input fingerprint). */
export function conditionProperties(condition: Condition): string[] {
  if ('all' in condition) return condition.all.flatMap(conditionProperties);
  if ('any' in condition) return condition.any.flatMap(conditionProperties);
  if ('not' in condition) return conditionProperties(condition.not);
  return [condition.property];
}

/**
 * The dates of the `within_days` conditions that hold (walking `all` and `any`, not `not`): the
 * dated inputs that made a condition true. Empty when it holds on undated values only.
 */
export function datesThatHold(condition: Condition, properties: PropertyBag, now: number): number[] {
  if ('all' in condition) return condition.all.flatMap((c) => datesThatHold(c, properties, now));
  if ('any' in condition) return condition.any.flatMap((c) => (evaluateCondition(c, properties, now) ? datesThatHold(c, properties, now) : []));
  if ('not' in condition) return [];
  if (condition.op !== 'within_days' || !evaluateLeaf(condition, properties, now)) return [];
  return [parseHubSpotDate(properties[condition.property])];
}
