import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { conditionProperties, conditionSchema, describeCondition, evaluateCondition, MATCHES_MAX_LENGTH, type Condition } from './condition.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const props = {
  industry: 'COMPUTER_SOFTWARE',
  employees: '250',
  country: 'Germany',
  jobtitle: 'VP of Marketing',
  empty: '',
  nothing: null,
  visited: new Date(NOW - 3 * 86_400_000).toISOString(),
  visited_ms: String(NOW - 40 * 86_400_000),
  future: new Date(NOW + 86_400_000).toISOString(),
};

describe('evaluateCondition', () => {
  it.each<[string, Condition, boolean]>([
    ['eq is case-insensitive text', { property: 'industry', op: 'eq', value: 'computer_software' }, true],
    ['eq compares numbers numerically', { property: 'employees', op: 'eq', value: 250 }, true],
    ['eq "250.0" equals "250"', { property: 'employees', op: 'eq', value: '250.0' }, true],
    ['eq on a missing property is false', { property: 'missing', op: 'eq', value: 'x' }, false],
    ['ne on a different value', { property: 'country', op: 'ne', value: 'France' }, true],
    ['ne on a missing property is true', { property: 'missing', op: 'ne', value: 'x' }, true],
    ['in a list', { property: 'country', op: 'in', value: ['France', 'germany'] }, true],
    ['in a list, absent', { property: 'country', op: 'in', value: ['France'] }, false],
    ['not_in a list', { property: 'country', op: 'not_in', value: ['France'] }, true],
    ['not_in on a missing property is true', { property: 'nothing', op: 'not_in', value: ['France'] }, true],
    ['gt', { property: 'employees', op: 'gt', value: 249 }, true],
    ['gt equal is false', { property: 'employees', op: 'gt', value: 250 }, false],
    ['gte equal', { property: 'employees', op: 'gte', value: 250 }, true],
    ['lt', { property: 'employees', op: 'lt', value: 251 }, true],
    ['lte equal', { property: 'employees', op: 'lte', value: 250 }, true],
    ['gt on text is false', { property: 'country', op: 'gt', value: 1 }, false],
    ['matches, case-insensitive', { property: 'jobtitle', op: 'matches', value: '^vp\\b' }, true],
    ['matches fails', { property: 'jobtitle', op: 'matches', value: 'student' }, false],
    ['exists', { property: 'country', op: 'exists' }, true],
    ['exists on an empty string is false', { property: 'empty', op: 'exists' }, false],
    ['exists false on null', { property: 'nothing', op: 'exists', value: false }, true],
    ['within_days for an ISO date', { property: 'visited', op: 'within_days', value: 7 }, true],
    ['within_days too old', { property: 'visited', op: 'within_days', value: 2 }, false],
    ['within_days for epoch milliseconds', { property: 'visited_ms', op: 'within_days', value: 30 }, false],
    ['within_days ignores dates in the future', { property: 'future', op: 'within_days', value: 30 }, false],
    ['within_days on text is false', { property: 'country', op: 'within_days', value: 30 }, false],
    [
      'all',
      {
        all: [
          { property: 'country', op: 'eq', value: 'Germany' },
          { property: 'employees', op: 'gte', value: 100 },
        ],
      },
      true,
    ],
    [
      'any',
      {
        any: [
          { property: 'country', op: 'eq', value: 'Spain' },
          { property: 'employees', op: 'gte', value: 100 },
        ],
      },
      true,
    ],
    ['not', { not: { property: 'country', op: 'eq', value: 'Germany' } }, false],
  ])('%s', (_label, condition, expected) => {
    expect(conditionSchema.safeParse(condition).success).toBe(true);
    expect(evaluateCondition(condition, props, NOW)).toBe(expected);
  });

  it('lists the properties a condition reads and renders it for people', () => {
    const condition: Condition = { all: [{ property: 'country', op: 'in', value: ['Germany', 'France'] }, { not: { property: 'email', op: 'exists' } }] };
    expect(conditionProperties(condition)).toEqual(['country', 'email']);
    expect(describeCondition(condition)).toBe('(country in [Germany, France] and not email is set)');
  });
});

describe('conditionSchema', () => {
  it.each<[string, unknown, string]>([
    ['a list for in', { property: 'a', op: 'in', value: 'x' }, 'needs a non-empty list'],
    ['a number for gt', { property: 'a', op: 'gt', value: 'ten' }, 'needs a number'],
    ['a valid regular expression', { property: 'a', op: 'matches', value: '([a-z' }, 'invalid regular expression'],
    ['no backreference in a regular expression', { property: 'a', op: 'matches', value: '(a)\\1' }, 'invalid regular expression: backreferences'],
    ['no lookahead in a regular expression', { property: 'a', op: 'matches', value: 'vp(?=\\s)' }, 'invalid regular expression: lookaround'],
    ['no lookbehind in a regular expression', { property: 'a', op: 'matches', value: '(?<!senior )manager' }, 'invalid regular expression: lookaround'],
    ['no list for eq', { property: 'a', op: 'eq', value: ['x'] }, 'single value'],
    ['a value for eq', { property: 'a', op: 'eq' }, 'needs a value'],
    ['a known op', { property: 'a', op: 'like', value: 'x' }, ''],
  ])('requires %s', (_label, condition, message) => {
    const result = conditionSchema.safeParse(condition);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});

describe('matches', () => {
  /**
   * Evaluates one condition in a worker thread, so a regular expression that backtracks for
   * minutes cannot block the test runner: the worker is ended after `boundMs`, and then the
   * result is 'did not finish'.
   */
  function evaluateInWorker(condition: Condition, properties: Record<string, string>, boundMs: number): Promise<boolean | 'did not finish'> {
    const module = new URL('./condition.ts', import.meta.url).href;
    const source = `
      const { parentPort, workerData } = await import('node:worker_threads');
      const { evaluateCondition } = await import(workerData.module);
      parentPort.postMessage(evaluateCondition(workerData.condition, workerData.properties, Date.now()));`;
    const worker = new Worker(source, { eval: true, workerData: { module, condition, properties } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => void worker.terminate().then(() => resolve('did not finish')), boundMs);
      worker.once('message', (result: boolean) => {
        clearTimeout(timer);
        void worker.terminate().then(() => resolve(result));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  it('finishes on a pattern that backtracks catastrophically in a backtracking engine', { timeout: 30_000 }, async () => {
    const condition: Condition = { property: 'jobtitle', op: 'matches', value: '^(\\w+\\s?)+$' };
    expect(conditionSchema.safeParse(condition).success).toBe(true);
    // A job title from a web form: 40 word characters and a trailing "!" that makes every split fail.
    const jobtitle = `${'a'.repeat(40)}!`;
    expect(await evaluateInWorker(condition, { jobtitle }, 20_000)).toBe(false);
    expect(await evaluateInWorker(condition, { jobtitle: 'Head of Marketing' }, 20_000)).toBe(true);
  });

  it('is case-insensitive with the RE2 syntax', () => {
    const check = (value: string, actual: string) => evaluateCondition({ property: 'p', op: 'matches', value }, { p: actual }, NOW);
    expect(check('\\b(chief|c[eiotm]o|vp)\\b', 'Senior VP, Sales')).toBe(true);
    expect(check('^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$', 'Ann@Example.COM')).toBe(true);
    expect(check('@(gmail|proton(mail)?)\\.', 'ann@ProtonMail.com')).toBe(true);
    expect(check('\\bmanager\\b', 'Managerial')).toBe(false);
  });

  it(`reads only the first ${MATCHES_MAX_LENGTH} characters of a value`, () => {
    const long = `${'a'.repeat(MATCHES_MAX_LENGTH)}needle`;
    expect(evaluateCondition({ property: 'p', op: 'matches', value: 'needle' }, { p: long }, NOW)).toBe(false);
    expect(evaluateCondition({ property: 'p', op: 'matches', value: '^a+$' }, { p: long }, NOW)).toBe(true);
    expect(evaluateCondition({ property: 'p', op: 'matches', value: 'needle' }, { p: long.slice(6) }, NOW)).toBe(true);
  });
});
