/**
 * SOQL literals built safely (docs/salesforce-api.md#soql-escaping). jsforce's own escaper only
 * escapes quotes, so `x\' OR Id != null` closes the string early: escape the backslash first.
 */
export function escapeSoqlString(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "\\'")
      .replace(/"/g, '\\"')
      .replace(/\n/g, '\\n')
      .replace(/\r/g, '\\r')
      .replace(/\t/g, '\\t')
      .replace(/\f/g, '\\f')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching U+0008 (backspace) is the point: SOQL escapes it as \b
      .replace(/\x08/g, '\\b')
  );
}

/** For LIKE patterns that must match literally: `_` and `%` escaped too. */
export function escapeSoqlLike(value: string): string {
  return escapeSoqlString(value).replace(/_/g, '\\_').replace(/%/g, '\\%');
}

export function quote(value: string): string {
  return `'${escapeSoqlString(value)}'`;
}

/** Identifiers cannot be escaped: allow-list them. */
export function identifier(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(__c|__r)?$/.test(name)) throw new Error(`not a Salesforce field or object name: ${JSON.stringify(name)}`);
  return name;
}

export function salesforceId(id: string): string {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) throw new Error(`not a Salesforce id: ${JSON.stringify(id)}`);
  return id;
}

/** Datetime literals are unquoted: 2024-01-01T00:00:00Z. */
export function soqlDateTime(at: number | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Splits values into IN (...) lists that keep a query well under SOQL's length limit (100,000 characters). */
export function inLists(values: readonly string[], maxChars = 20_000): string[] {
  const lists: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const value of values) {
    const literal = quote(value);
    if (current.length > 0 && (length + literal.length + 2 > maxChars || current.length >= 500)) {
      lists.push(current.join(', '));
      current = [];
      length = 0;
    }
    current.push(literal);
    length += literal.length + 2;
  }
  if (current.length > 0) lists.push(current.join(', '));
  return lists;
}

/**
 * Record ids per `IN (...)` list. A query travels in the GET URI (`/query?q=`), and Salesforce
 * refuses a URI over 16,384 bytes (414) or URI and headers over that (431)
 * (docs/salesforce-api.md#uri-length). An 18-character id costs 30 bytes there once
 * URL-encoded (`%27` + id + `%27%2C%20`): 300 ids are 9,000 bytes, which leaves room for the
 * SELECT list, the rest of the WHERE clause and the headers.
 */
export const IDS_PER_QUERY = 300;

/** Record ids (checked, each once) as IN lists of at most IDS_PER_QUERY: `'006…', '006…'`. */
export function idLists(ids: readonly string[]): string[] {
  const unique = [...new Set(ids.map(salesforceId))];
  const lists: string[] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY)
    lists.push(
      unique
        .slice(i, i + IDS_PER_QUERY)
        .map(quote)
        .join(', '),
    );
  return lists;
}

/** A datetime as the API returns it (`2024-05-20T20:49:32.000+0000`) in epoch milliseconds. */
export function parseDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
