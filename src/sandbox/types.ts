import type { IncomingHttpHeaders } from 'node:http';
import type { FaultInjector } from './faults.ts';
import type { SandboxSystem } from './request-log.ts';

/** One HTTP request as the emulators see it: the body is kept raw (signatures, exact bytes). */
export interface SandboxRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** What an emulator answers. `body` objects are sent as JSON; strings as-is with `contentType`. */
export interface SandboxReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Defaults to `application/json` (the HubSpot SDK refuses bodies without a content type). */
  contentType?: string;
  /** Operation name for the request log, e.g. `contacts.search`. */
  endpoint: string;
  /** Never answer: the client must time out (fault injection). */
  hang?: boolean;
  /** Send the headers and half the body, then nothing more or close the connection (fault injection). */
  partial?: 'stall' | 'cut';
}

/** An emulated API: answers the requests under its paths, `undefined` for others. */
export interface Emulator {
  readonly system: SandboxSystem;
  handle(request: SandboxRequest): Promise<SandboxReply | undefined>;
}

export interface EmulatorContext {
  faults: FaultInjector;
  /** Seed for anything random the emulator does (ids, data). */
  seed: number;
}
