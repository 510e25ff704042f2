/**
 * A SOQL subset: SELECT fields (and Relationship.Field, COUNT()) FROM one object, WHERE with
 * AND/OR/NOT/parentheses, = != <> < <= > >=, LIKE, IN/NOT IN, NULL, booleans, numbers, quoted
 * strings with Salesforce's escapes, unquoted date/datetime literals; ORDER BY (ASC/DESC,
 * NULLS FIRST/LAST), LIMIT, OFFSET; parent-child subqueries one level deep in the SELECT list,
 * `(SELECT fields FROM ChildRelationship [WHERE] [ORDER BY] [LIMIT])`
 * (docs/salesforce-api.md#parent-child-subqueries). Anything else is a clear MALFORMED_QUERY.
 */
export class SoqlError extends Error {
  readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR' | 'EXTERNAL_OBJECT_UNSUPPORTED_EXCEPTION';
  constructor(errorCode: SoqlError['errorCode'], message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

export type Literal = string | number | boolean | null | { date: number };
export type Where =
  | { kind: 'and' | 'or'; left: Where; right: Where }
  | { kind: 'not'; inner: Where }
  | { kind: 'cmp'; field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'in'; field: string; negate: boolean; values: Literal[] }
  | { kind: 'like'; field: string; pattern: RegExp };

export interface SoqlQuery {
  fields: string[];
  /** Parent-child subqueries of the SELECT list, in order; each `from` is a child relationship name. */
  subqueries: SoqlQuery[];
  count: boolean;
  from: string;
  where?: Where;
  orderBy: { field: string; desc: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

type Token = { t: 'ident' | 'string' | 'number' | 'date' | 'op' | 'punct'; v: string; pos: number };

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2}))?/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new SoqlError('MALFORMED_QUERY', `unterminated string literal starting at column ${i + 1}`);
        const ch = text[j]!;
        if (ch === "'") break;
        if (ch === '\\') {
          const next = text[j + 1];
          const simple: Record<string, string> = { n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f', '"': '"', "'": "'", '\\': '\\' };
          if (next !== undefined && next in simple) {
            value += simple[next];
            j += 2;
            continue;
          }
          if (next === '_' || next === '%') {
            // LIKE-only escapes: kept marked so LIKE treats them literally.
            value += `\u0000${next}`;
            j += 2;
            continue;
          }
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
            value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          // "If you use a backslash character in any other context, an error occurs." (SOQL reference)
          throw new SoqlError('MALFORMED_QUERY', `Invalid string literal '${text.slice(i, j + 2)}...'. Illegal character sequence '\\${next ?? ''}' in string literal.`);
        }
        value += ch;
        j++;
      }
      tokens.push({ t: 'string', v: value, pos: i });
      i = j + 1;
      continue;
    }
    const date = DATE_RE.exec(text.slice(i));
    if (date && !/[A-Za-z_]/.test(text[i - 1] ?? ' ')) {
      tokens.push({ t: 'date', v: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ t: 'number', v: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (ident && text[i + ident[0].length] === ':') {
      throw new SoqlError('MALFORMED_QUERY', `date literals such as ${ident[0]}:n and bind variables are not supported by the sandbox`);
    }
    if (ident) {
      tokens.push({ t: 'ident', v: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(text.slice(i));
    if (op) {
      tokens.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(c)) {
      tokens.push({ t: 'punct', v: c, pos: i });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected character '${c}' at column ${i + 1}`);
  }
  return tokens;
}

export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const kw = (word: string) => peek()?.t === 'ident' && peek()!.v.toUpperCase() === word;
  const expectKw = (word: string) => {
    if (!kw(word)) throw new SoqlError('MALFORMED_QUERY', `expected ${word} at ${describe(peek())}`);
    p++;
  };
  const expectPunct = (ch: string) => {
    if (peek()?.t !== 'punct' || peek()!.v !== ch) throw new SoqlError('MALFORMED_QUERY', `expected '${ch}' at ${describe(peek())}`);
    p++;
  };
  const ident = () => {
    const tok = peek();
    if (tok?.t !== 'ident') throw new SoqlError('MALFORMED_QUERY', `expected a field name at ${describe(tok)}`);
    p++;
    return tok.v;
  };

  const literal = (): Literal => {
    const tok = peek();
    if (!tok) throw new SoqlError('MALFORMED_QUERY', 'expected a value at the end of the query');
    p++;
    if (tok.t === 'string') return tok.v.replaceAll('\u0000', '\\');
    if (tok.t === 'number') return Number(tok.v);
    if (tok.t === 'date') {
      const iso = tok.v.length === 10 ? `${tok.v}T00:00:00Z` : tok.v;
      return { date: Date.parse(iso) };
    }
    if (tok.t === 'ident') {
      const up = tok.v.toUpperCase();
      if (up === 'NULL') return null;
      if (up === 'TRUE' || up === 'FALSE') return up === 'TRUE';
      throw new SoqlError('MALFORMED_QUERY', `date literals and bind variables such as ${tok.v} are not supported by the sandbox`);
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected '${tok.v}' at column ${tok.pos + 1}`);
  };

  const comparison = (): Where => {
    const field = ident();
    if (kw('NOT') && tokens[p + 1]?.t === 'ident' && tokens[p + 1]!.v.toUpperCase() === 'IN') {
      p += 2;
      return { kind: 'in', field, negate: true, values: list() };
    }
    if (kw('IN')) {
      p++;
      return { kind: 'in', field, negate: false, values: list() };
    }
    if (kw('LIKE')) {
      p++;
      const tok = peek();
      if (tok?.t !== 'string') throw new SoqlError('MALFORMED_QUERY', 'LIKE needs a quoted pattern');
      p++;
      let source = '';
      for (let i = 0; i < tok.v.length; i++) {
        const ch = tok.v[i]!;
        if (ch === '\u0000') source += escapeRegex(tok.v[++i]!);
        else if (ch === '%') source += '.*';
        else if (ch === '_') source += '.';
        else source += escapeRegex(ch);
      }
      return { kind: 'like', field, pattern: new RegExp(`^${source}$`, 'is') };
    }
    const op = peek();
    if (op?.t !== 'op') throw new SoqlError('MALFORMED_QUERY', `expected an operator after ${field} at ${describe(op)}`);
    p++;
    return { kind: 'cmp', field, op: op.v as '=', value: literal() };
  };
  const list = (): Literal[] => {
    expectPunct('(');
    const values: Literal[] = [];
    if (kw('SELECT')) throw new SoqlError('MALFORMED_QUERY', 'semi-joins (IN (SELECT ...)) are not supported by the sandbox');
    for (;;) {
      values.push(literal());
      if (peek()?.v !== ',') break;
      p++;
    }
    expectPunct(')');
    return values;
  };
  const factor = (): Where => {
    if (kw('NOT')) {
      p++;
      return { kind: 'not', inner: factor() };
    }
    if (peek()?.v === '(') {
      p++;
      const inner = expr();
      expectPunct(')');
      return inner;
    }
    return comparison();
  };
  const term = (): Where => {
    let left = factor();
    while (kw('AND')) {
      p++;
      left = { kind: 'and', left, right: factor() };
    }
    return left;
  };
  const expr = (): Where => {
    let left = term();
    while (kw('OR')) {
      p++;
      left = { kind: 'or', left, right: term() };
    }
    return left;
  };

  const select = (nested: boolean): SoqlQuery => {
    expectKw('SELECT');
    const fields: string[] = [];
    const subqueries: SoqlQuery[] = [];
    let count = false;
    if (kw('COUNT') && tokens[p + 1]?.v === '(') {
      p += 2;
      expectPunct(')');
      count = true;
    } else {
      for (;;) {
        if (peek()?.t === 'punct' && peek()!.v === '(') {
          // A parent-child subquery; Salesforce nests them further only in newer versions, the sandbox one level.
          if (nested) throw new SoqlError('MALFORMED_QUERY', 'nested subqueries are not supported by the sandbox');
          p++;
          subqueries.push(select(true));
          expectPunct(')');
          if (peek()?.v !== ',') break;
          p++;
          continue;
        }
        const name = ident();
        if (peek()?.t === 'punct' && peek()!.v === '(') throw new SoqlError('MALFORMED_QUERY', `the function ${name}() is not supported by the sandbox`);
        fields.push(name);
        if (peek()?.v !== ',') break;
        p++;
      }
    }
    expectKw('FROM');
    const from = ident();
    if (peek()?.v === ',') throw new SoqlError('MALFORMED_QUERY', 'only one object in FROM is supported');
    const query: SoqlQuery = { fields, subqueries, count, from, orderBy: [] };
    if (kw('WHERE')) {
      p++;
      query.where = expr();
    }
    if (kw('ORDER')) {
      p++;
      expectKw('BY');
      for (;;) {
        const field = ident();
        let desc = false;
        if (kw('ASC')) p++;
        else if (kw('DESC')) {
          p++;
          desc = true;
        }
        let nullsLast = desc; // Salesforce: nulls first ascending, last descending
        if (kw('NULLS')) {
          p++;
          if (kw('FIRST')) nullsLast = false;
          else if (kw('LAST')) nullsLast = true;
          else throw new SoqlError('MALFORMED_QUERY', 'NULLS must be followed by FIRST or LAST');
          p++;
        }
        query.orderBy.push({ field, desc, nullsLast });
        if (peek()?.v !== ',') break;
        p++;
      }
    }
    const countAfter = (word: 'LIMIT' | 'OFFSET'): number | undefined => {
      if (!kw(word)) return undefined;
      p++;
      const tok = peek();
      if (tok?.t !== 'number') throw new SoqlError('MALFORMED_QUERY', `${word} needs a number`);
      p++;
      return Number(tok.v);
    };
    const limit = countAfter('LIMIT');
    if (limit !== undefined) query.limit = limit;
    const offset = countAfter('OFFSET');
    if (offset !== undefined) query.offset = offset;
    return query;
  };

  const query = select(false);
  if (p < tokens.length) {
    const tok = tokens[p]!;
    throw new SoqlError(
      'MALFORMED_QUERY',
      `unexpected token: '${tok.v}' at column ${tok.pos + 1}${['GROUP', 'HAVING', 'WITH', 'FOR', 'TYPEOF', 'USING'].includes(tok.v.toUpperCase()) ? ` (${tok.v.toUpperCase()} is not supported by the sandbox)` : ''}`,
    );
  }
  return query;
}

function describe(tok: Token | undefined): string {
  return tok ? `'${tok.v}' (column ${tok.pos + 1})` : 'the end of the query';
}

function escapeRegex(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A field's describe type, as far as comparing values goes. */
export type FieldType = string;

/**
 * Evaluates a WHERE clause; `get` resolves a field (case-insensitive, relationships included),
 * `typeOf` its type: id and reference fields compare by their 15-character case-sensitive form
 * (an 18-character id and its 15-character form are equal), so `Id > '...'` orders as ORDER BY Id.
 */
export function matches(where: Where | undefined, get: (field: string) => unknown, typeOf: (field: string) => FieldType | undefined = () => undefined): boolean {
  if (!where) return true;
  switch (where.kind) {
    case 'and':
      return matches(where.left, get, typeOf) && matches(where.right, get, typeOf);
    case 'or':
      return matches(where.left, get, typeOf) || matches(where.right, get, typeOf);
    case 'not':
      return !matches(where.inner, get, typeOf);
    case 'like': {
      const v = get(where.field);
      return typeof v === 'string' && where.pattern.test(v);
    }
    case 'in': {
      const v = get(where.field);
      const id = isIdType(typeOf(where.field));
      const found = where.values.some((x) => equal(v, x, id));
      return where.negate ? !found && v !== null && v !== undefined : found;
    }
    case 'cmp': {
      const v = get(where.field);
      const id = isIdType(typeOf(where.field));
      if (where.op === '=') return equal(v, where.value, id);
      if (where.op === '!=') return !equal(v, where.value, id);
      if (v === null || v === undefined || where.value === null) return false;
      const a = id ? idKey(v) : comparable(v);
      const b = id ? idKey(where.value) : comparable(where.value);
      if (where.op === '<') return a < b;
      if (where.op === '<=') return a <= b;
      if (where.op === '>') return a > b;
      return a >= b;
    }
  }
}

function comparable(v: unknown): number | string {
  if (v && typeof v === 'object' && 'date' in v) return (v as { date: number }).date;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (!Number.isNaN(t)) return t;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : String(v).toLowerCase();
}

const isIdType = (type: FieldType | undefined) => type === 'id' || type === 'reference';
const idKey = (v: unknown) => String(v).slice(0, 15);

function equal(v: unknown, x: Literal, id = false): boolean {
  if (x === null) return v === null || v === undefined;
  if (v === null || v === undefined) return false;
  if (id) return idKey(v) === idKey(x);
  if (typeof x === 'string' && typeof v === 'string') return v.toLowerCase() === x.toLowerCase(); // SOQL = on text is case-insensitive
  return comparable(v) === comparable(x);
}
