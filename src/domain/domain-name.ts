/**
 * Normalises a website or email domain so that "https://www.Acme.com/about", "acme.com" and
 * "WWW.ACME.COM" all become "acme.com": Salesforce's Website is free text.
 */
export function normalizeDomain(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  let text = value.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at >= 0) text = text.slice(at + 1);
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  text = text.split(/[/?#]/, 1)[0] ?? '';
  text = text
    .replace(/:\d+$/, '')
    .replace(/^www\d?\./, '')
    .replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(text) ? text : undefined;
}
