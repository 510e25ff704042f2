import type { Connection } from 'jsforce';
import { queryAll } from './query.ts';
import { identifier, quote } from './soql.ts';

/** The leads carrying `contactId` in our external ID field (one query), converted or not. */
export async function leadsKeyedBy(conn: Connection, externalIdField: string, contactId: string): Promise<{ id: string; isConverted: boolean }[]> {
  const rows = await queryAll<{ Id: string; IsConverted: boolean }>(conn, `SELECT Id, IsConverted FROM Lead WHERE ${identifier(externalIdField)} = ${quote(contactId)}`);
  return rows.map((r) => ({ id: r.Id, isConverted: r.IsConverted }));
}
