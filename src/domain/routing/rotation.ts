import type { RoutingConfig } from '../config/routing.ts';

type Team = RoutingConfig['teams'][string];

const sequences = new WeakMap<Team, string[]>();

/**
 * The order in which a team's members receive leads: plain rotation for round robin, and a
 * smooth weighted round robin (nginx's algorithm) for weights, so that a 2:1 team gets
 * a, b, a rather than a, a, b. Computed once per config.
 */
export function rotationOf(team: Team): string[] {
  let sequence = sequences.get(team);
  if (sequence) return sequence;
  const members = team.members.map((m) => (typeof m === 'string' ? { email: m, weight: 1 } : m));
  if (team.strategy === 'round_robin' || members.every((m) => m.weight === members[0]?.weight)) {
    sequence = members.map((m) => m.email.toLowerCase());
  } else {
    // Integer weights keep the cycle finite; one decimal of precision is plenty for shares.
    const weights = members.map((m) => Math.max(1, Math.round(m.weight * 10)));
    const divisor = weights.reduce(gcd);
    const scaled = weights.map((w) => w / divisor);
    const total = scaled.reduce((a, b) => a + b, 0);
    const current = scaled.map(() => 0);
    sequence = [];
    for (let step = 0; step < total; step++) {
      let best = 0;
      for (let i = 0; i < scaled.length; i++) {
        current[i]! += scaled[i]!;
        if (current[i]! > current[best]!) best = i;
      }
      current[best]! -= total;
      sequence.push(members[best]!.email.toLowerCase());
    }
  }
  sequences.set(team, sequence);
  return sequence;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
