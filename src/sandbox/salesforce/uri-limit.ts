import type { SandboxReply, SandboxRequest } from '../types.ts';

/**
 * "In each REST call, the maximum length for the combined URI and headers is 16,384 bytes. A
 * request exceeding this limit returns a 431 Request Header Fields Too Large error. If the URI
 * itself exceeds this limit, the request returns a 414 URI Too Long error." (Salesforce Help
 * 000386264; docs/salesforce-api.md#uri-length). A SOQL query travels in the URI (`?q=`), so a long
 * IN list hits this. The bodies are the front end's HTML pages as captured in public reports
 * (`<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>`); the 431 body is assumed to follow
 * the same pattern (unconfirmed). The request never reaches the API, so it is not counted
 * against the daily allocation (unconfirmed).
 */
export const MAX_URI_AND_HEADERS_BYTES = 16_384;

/** The refusal of an over-long request line or header block, or undefined when it fits. */
export function uriLimitReply(request: SandboxRequest, endpoint: string): SandboxReply | undefined {
  const uri = Buffer.byteLength(`${request.url.pathname}${request.url.search}`);
  const headers = Object.entries(request.headers).reduce((sum, [name, value]) => sum + Buffer.byteLength(`${name}: ${Array.isArray(value) ? value.join(', ') : (value ?? '')}\r\n`), 0);
  const refuse = (status: number, reason: string): SandboxReply => ({
    status,
    endpoint,
    body: `<h1>Bad Message ${status}</h1><pre>reason: ${reason}</pre>`,
    contentType: 'text/html;charset=iso-8859-1',
  });
  if (uri > MAX_URI_AND_HEADERS_BYTES) return refuse(414, 'URI Too Long');
  if (uri + headers > MAX_URI_AND_HEADERS_BYTES) return refuse(431, 'Request Header Fields Too Large');
  return undefined;
}
