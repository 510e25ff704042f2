import type { Connection } from 'jsforce';
import type { OwnerDirectory } from '../domain/handoff/types.ts';
import { queryAll } from './query.ts';

/** Users (by email and username, lower case) and queues (by DeveloperName). */
export type SalesforceDirectory = OwnerDirectory;

const cache = new WeakMap<Connection, Promise<SalesforceDirectory>>();

/** Users and lead queues, looked up once per connection (two queries) and reused. */
export function loadDirectory(conn: Connection, options: { refresh?: boolean } = {}): Promise<SalesforceDirectory> {
  let loading = options.refresh ? undefined : cache.get(conn);
  if (!loading) {
    loading = (async () => {
      const users = await queryAll<{ Id: string; Email: string; Username: string; Name: string; IsActive: boolean }>(conn, 'SELECT Id, Email, Username, Name, IsActive FROM User');
      const queues = await queryAll<{ Id: string; DeveloperName: string }>(conn, "SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue'");
      const usersByEmail = new Map<string, { id: string; active: boolean; name: string }>();
      const emailsById = new Map<string, string>();
      for (const u of users) {
        const entry = { id: u.Id, active: u.IsActive, name: u.Name };
        usersByEmail.set(u.Email.toLowerCase(), entry);
        usersByEmail.set(u.Username.toLowerCase(), entry);
        emailsById.set(u.Id, u.Email.toLowerCase());
      }
      return { usersByEmail, emailsById, queuesByName: new Map(queues.map((q) => [q.DeveloperName, q.Id])) };
    })();
    loading.catch(() => cache.delete(conn));
    cache.set(conn, loading);
  }
  return loading;
}
