/** The ledger database cannot be used: unreachable, refused, or its data folder is not writable. */
export class LedgerUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerUnavailable';
  }
}
