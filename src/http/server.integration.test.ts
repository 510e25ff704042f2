import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { quietServer, signatureHeaders } from './test-server.ts';

// Over a real socket: what app.inject cannot show (connection handling and timeouts).

const sockets: Socket[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const close of closers.splice(0)) await close();
});

async function listening() {
  const server = await quietServer();
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => server.app.close());
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Writes `chunks` on one connection and collects everything it reads until the server closes it or `until` holds. */
function exchange(port: number, chunks: (string | Buffer)[], until: (text: string) => boolean = () => false): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if (until(text)) resolve({ text, closed: false });
    });
    socket.on('error', () => resolve({ text, closed: true }));
    socket.on('close', () => resolve({ text, closed: true }));
    for (const chunk of chunks) socket.write(chunk);
  });
}

/** The responses in what a connection read, in order, each with its status and body. */
function responses(text: string): { status: number; headers: string; body: string }[] {
  const out: { status: number; headers: string; body: string }[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const headers = rest.slice(0, end).toLowerCase();
    const length = Number(/content-length: (\d+)/.exec(headers)?.[1] ?? 0);
    out.push({ status: Number(rest.slice(9, 12)), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

describe('HTTP server over a socket', () => {
  it('answers a 2 MB webhook body with a readable 413 and keeps the connection for the next request', { timeout: 30_000 }, async () => {
    const port = await listening();
    const body = Buffer.alloc(2 * 1024 * 1024, 'x');
    const head = [
      'POST /webhooks/hubspot HTTP/1.1',
      'host: leads.example.com',
      'content-type: application/json',
      `content-length: ${body.length}`,
      ...Object.entries(signatureHeaders(body)).map(([k, v]) => `${k}: ${v}`),
    ].join('\r\n');
    const next = 'GET /healthz HTTP/1.1\r\nhost: leads.example.com\r\n\r\n';
    const { text } = await exchange(port, [`${head}\r\n\r\n`, body, next], (read) => responses(read).length === 2);
    const [tooLarge, health] = responses(text);
    expect(tooLarge?.status).toBe(413);
    expect(JSON.parse(tooLarge!.body)).toEqual({ error: 'payload too large', reason: 'the body is larger than 1048576 bytes' });
    expect(health?.status).toBe(200);
  });

  it('ends a request whose body stalls, and one whose headers never end, with 408', { timeout: 60_000 }, async () => {
    const port = await listening();
    const [stalledBody, stalledHeaders] = await Promise.all([
      exchange(port, ['POST /webhooks/hubspot HTTP/1.1\r\nhost: leads.example.com\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[{"objectId":']),
      exchange(port, ['POST /webhooks/hubspot HTTP/1.1\r\nhost: leads.example.com\r\n']),
    ]);
    for (const { text, closed } of [stalledBody, stalledHeaders]) {
      expect(closed).toBe(true);
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
    }
  });
});
