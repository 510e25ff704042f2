import type { RoutingConfig } from '../config/routing.ts';
import type { SlaConfig } from '../config/sla.ts';
import type { OwnerDirectory } from '../handoff/types.ts';
import type { WorkingHours } from './working-time.ts';

/** Who the SLA clock deals with, by Salesforce id: their hours, team, manager and who takes over at a breach. */
export interface SlaPeople {
  /** The user a record owned by `ownerId` counts for: the user, or a queue's manager; undefined when nobody. */
  personFor(ownerId: string | null): string | undefined;
  hoursOf(userId: string): WorkingHours;
  teamOf(userId: string): string | null;
  /** The manager told of a breach: the owner's team's (or the queue's), else sync.yaml's `on_breach.manager`. */
  managerOf(userId: string, ownerId: string): string | undefined;
  /** Who takes a breached lead over, as `on_breach.reassign` says; undefined when nobody else can. */
  takeOver(userId: string): { ownerId: string; label: string } | undefined;
  labelOf(id: string): string;
}

const isUser = (id: string | null | undefined): id is string => id?.startsWith('005') === true;

export function slaPeople(routing: RoutingConfig, directory: OwnerDirectory, sla: SlaConfig): SlaPeople {
  const ownerByEmail = new Map(routing.owners.map((o) => [o.email.toLowerCase(), o]));
  const emailOf = (userId: string) => directory.emailsById.get(userId)?.toLowerCase();
  const activeUser = (email: string | undefined) => {
    const user = email ? directory.usersByEmail.get(email.toLowerCase()) : undefined;
    return user?.active ? user.id : undefined;
  };
  const queueByOwnerId = new Map<string, { name: string; manager?: string | undefined }>();
  for (const [name, queue] of Object.entries(routing.queues)) {
    const id = queue.salesforce_queue_id ?? directory.queuesByName.get(queue.salesforce_queue);
    if (id) queueByOwnerId.set(id, { name, manager: queue.manager });
  }
  const memberEmails = (team: RoutingConfig['teams'][string]) => team.members.map((m) => (typeof m === 'string' ? m : m.email).toLowerCase());
  const teamNameOf = (userId: string) => {
    const email = emailOf(userId);
    if (!email) return null;
    return Object.entries(routing.teams).find(([, team]) => memberEmails(team).includes(email))?.[0] ?? null;
  };
  const nextInTeam = (userId: string) => {
    const name = teamNameOf(userId);
    if (!name) return undefined;
    const emails = memberEmails(routing.teams[name]!);
    const at = emails.indexOf(emailOf(userId)!);
    for (let step = 1; step < emails.length; step++) {
      const id = activeUser(emails[(at + step) % emails.length]);
      if (id && id !== userId) return id;
    }
    return undefined;
  };
  const fallback = (userId: string): { ownerId: string; label: string } | undefined => {
    const target = routing.fallback;
    if (target.assign === 'owner') {
      const id = activeUser(target.owner);
      return id && id !== userId ? { ownerId: id, label: target.owner! } : undefined;
    }
    if (target.assign === 'team') {
      const team = routing.teams[target.team!];
      const id = team
        ? memberEmails(team)
            .map(activeUser)
            .find((candidate) => candidate && candidate !== userId)
        : undefined;
      return id ? { ownerId: id, label: emailOf(id) ?? id } : undefined;
    }
    const queue = routing.queues[target.queue!];
    const id = queue ? (queue.salesforce_queue_id ?? directory.queuesByName.get(queue.salesforce_queue)) : undefined;
    return id ? { ownerId: id, label: `queue ${target.queue}` } : undefined;
  };
  return {
    personFor(ownerId) {
      if (isUser(ownerId)) return ownerId;
      const queue = ownerId ? queueByOwnerId.get(ownerId) : undefined;
      return activeUser(queue?.manager);
    },
    hoursOf(userId) {
      const email = emailOf(userId);
      return (email ? ownerByEmail.get(email)?.working_hours : undefined) ?? routing.default_working_hours;
    },
    teamOf: teamNameOf,
    managerOf(userId, ownerId) {
      const queue = queueByOwnerId.get(ownerId);
      const team = teamNameOf(userId);
      const manager = activeUser(queue?.manager) ?? activeUser(team ? routing.teams[team]!.manager : undefined) ?? activeUser(sla.on_breach.manager);
      return manager === userId && !queue ? activeUser(sla.on_breach.manager) : manager;
    },
    takeOver(userId) {
      if (sla.on_breach.reassign === 'next_in_team') {
        const id = nextInTeam(userId);
        return id ? { ownerId: id, label: emailOf(id) ?? id } : undefined;
      }
      if (sla.on_breach.reassign === 'fallback') return fallback(userId);
      return undefined;
    },
    labelOf(id) {
      return emailOf(id) ?? (queueByOwnerId.has(id) ? `queue ${queueByOwnerId.get(id)!.name}` : id);
    },
  };
}
