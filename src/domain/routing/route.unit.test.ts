import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../config/routing.ts';
import { route } from './route.ts';
import type { AccountMatch, RoutingContext, RoutingLead } from './types.ts';

const routing = routingConfigSchema.parse(parse(readFileSync(new URL('../../../config/routing.yaml', import.meta.url), 'utf8')));
// Tuesday 15:00 UTC: 10:00 in New York, 09:00 in Chicago, 07:00 in Los Angeles.
const NOW = Date.parse('2026-11-24T15:00:00Z');
const accounts = new Map<string, AccountMatch>([
  ['globex.example', { accountId: '001000000000001AAA', ownerEmail: 'tom.okafor@copperleaf.example', ownerId: '005000000000002AAA' }],
  ['initech.example', { accountId: '001000000000002AAA', ownerId: '005000000000099AAA' }],
]);
const context = (over: Partial<RoutingContext> = {}): RoutingContext => ({
  now: NOW,
  roundRobin: {},
  loadToday: {},
  accountByDomain: (d) => accounts.get(d),
  ...over,
});
const lead = (properties: Record<string, string>, grade: RoutingLead['grade'] = 'warm'): RoutingLead => ({ id: '1', properties, grade, score: 50 });

describe('route', () => {
  it.each([
    ['existing account owner wins first', { email: 'ann@globex.example', numemployees: '1000+', country: 'United States' }, 'existing-account', 'tom.okafor@copperleaf.example'],
    ['enterprise in North America', { email: 'ann@bigco.example', numemployees: '1000+', country: 'Canada' }, 'enterprise-na', 'dana.whitfield@copperleaf.example'],
    ['enterprise in Europe', { email: 'ann@bigco.example', numemployees: '1000+', country: 'Germany' }, 'enterprise-emea', 'marco.bellini@copperleaf.example'],
    ['mid-market in Europe, first in turn', { email: 'a@x.example', numemployees: '100-500', country: 'France' }, 'mid-market-emea', 'lukas.meyer@copperleaf.example'],
    ['small company', { email: 'a@x.example', numemployees: '5-25', country: 'Japan' }, 'smb', 'ben.carter@copperleaf.example'],
  ])('%s', (_label, properties, rule, email) => {
    const result = route(lead(properties), routing, context());
    expect(result.rule).toBe(rule);
    expect(result.assignee).toMatchObject({ kind: 'user', email });
  });

  it('sends partner referrals to the partner queue', () => {
    const result = route(lead({ lead_source: 'referral', numemployees: '5-25' }), routing, context());
    expect(result.assignee).toEqual({ kind: 'queue', queue: 'partners', salesforceQueue: 'Partner_Leads' });
  });

  it('uses the account owner id when the owner is not in the directory', () => {
    const result = route(lead({ website: 'https://www.Initech.example/about' }), routing, context());
    expect(result.assignee).toEqual({ kind: 'user', salesforceUserId: '005000000000099AAA' });
  });

  it('falls back to the inbound queue when no rule matches, with the trace of rules tried', () => {
    const result = route(lead({ email: 'a@x.example' }), routing, context());
    expect(result.rule).toBe('fallback');
    expect(result.assignee).toMatchObject({ kind: 'queue', salesforceQueue: 'Inbound_Lead_Queue' });
    expect(result.trace.map((t) => t.rule)).toEqual(['existing-account', 'partner-referral', 'enterprise-na', 'enterprise-emea', 'mid-market-na', 'mid-market-emea', 'smb', 'fallback']);
  });

  it('takes the fallback when the chosen owner is at capacity or inactive', () => {
    const enterprise = lead({ email: 'a@x.example', numemployees: '1000+', country: 'United States' });
    const full = route(enterprise, routing, context({ loadToday: { 'dana.whitfield@copperleaf.example': 20 } }));
    expect(full.rule).toBe('fallback');
    expect(full.trace.find((t) => t.rule === 'enterprise-na')?.why).toContain('at capacity (20/20 today)');
    const away = route(enterprise, routing, context({ inactiveOwners: new Set(['dana.whitfield@copperleaf.example']) }));
    expect(away.rule).toBe('fallback');
    expect(away.trace.find((t) => t.rule === 'enterprise-na')?.why).toContain('inactive');
  });

  it('skips team members at capacity and moves the round-robin position past the one chosen', () => {
    const result = route(lead({ numemployees: '5-25' }), routing, context({ roundRobin: { smb: 3 }, loadToday: { 'ben.carter@copperleaf.example': 40 } }));
    expect(result.assignee).toMatchObject({ email: 'aisha.khan@copperleaf.example' });
    expect(result.roundRobin).toEqual({ team: 'smb', next: 5 });
  });

  it('skips people outside working hours when the rule asks it', () => {
    // 15:00 UTC: Jenna (Los Angeles, 07:00) has not started; Priya and Tom are at work.
    const leads = Array.from({ length: 8 }, (_, i) => i);
    const picked = leads.map((i) => route(lead({ numemployees: '100-500', country: 'United States' }), routing, context({ roundRobin: { mid_market_na: i } })).assignee);
    expect(picked.map((a) => (a.kind === 'user' ? a.email : ''))).not.toContain('jenna.brooks@copperleaf.example');
  });

  it('shares leads by weight: 2:1:1 over many leads', () => {
    const counts = new Map<string, number>();
    for (let position = 0; position < 4000; position++) {
      const result = route(lead({ numemployees: '100-500', country: 'Canada' }), routing, context({ now: Date.parse('2026-11-24T18:00:00Z'), roundRobin: { mid_market_na: position } }));
      const email = result.assignee.kind === 'user' ? result.assignee.email! : '';
      counts.set(email, (counts.get(email) ?? 0) + 1);
    }
    expect(counts.get('priya.raman@copperleaf.example')! / 4000).toBeCloseTo(0.5, 2);
    expect(counts.get('tom.okafor@copperleaf.example')! / 4000).toBeCloseTo(0.25, 2);
    expect(counts.get('jenna.brooks@copperleaf.example')! / 4000).toBeCloseTo(0.25, 2);
  });

  it('round robin is fair: each SMB rep gets one lead in every three', () => {
    let position = 0;
    const got: string[] = [];
    for (let i = 0; i < 9; i++) {
      const result = route(lead({ numemployees: '5-25' }), routing, context({ roundRobin: { smb: position } }));
      position = result.roundRobin!.next;
      got.push(result.assignee.kind === 'user' ? result.assignee.email! : '');
    }
    expect(new Set(got.slice(0, 3)).size).toBe(3);
    expect(got.slice(3, 6)).toEqual(got.slice(0, 3));
  });

  it("notifies the rule's people and escalates deals above $2M to the brand manager", () => {
    const result = route(lead({ numemployees: '1000+', country: 'United States', estimated_deal_size: '2500000' }), routing, context());
    expect(result.notify).toEqual([
      { email: 'rachel.stone@copperleaf.example', why: 'rule enterprise-na' },
      { email: 'victor.hale@copperleaf.example', why: 'escalation big-deal: Any opportunity above $2M also involves the brand manager' },
    ]);
    expect(route(lead({ numemployees: '1000+', country: 'United States', estimated_deal_size: '2000000' }), routing, context()).notify).toHaveLength(1);
  });

  it('defers to Salesforce assignment rules when the switch is on, still escalating', () => {
    const deferring = { ...routing, use_salesforce_assignment_rules: true };
    const result = route(lead({ estimated_deal_size: '3000000' }), deferring, context());
    expect(result.assignee).toEqual({ kind: 'salesforce_assignment_rules' });
    expect(result.notify.map((n) => n.email)).toEqual(['victor.hale@copperleaf.example']);
  });

  it('gives every lead exactly one owner or queue, whatever its properties and the state', () => {
    const emails = routing.owners.map((o) => o.email);
    const value = fc.oneof(fc.string(), fc.constantFrom('1000+', '100-500', '5-25', 'United States', 'Germany', 'referral', 'ann@globex.example', '2500000'));
    const keys = fc.constantFrom('email', 'website', 'numemployees', 'country', 'lead_source', 'estimated_deal_size', 'x');
    fc.assert(
      fc.property(
        fc.dictionary(keys, value),
        fc.constantFrom('hot', 'warm', 'cold'),
        fc.dictionary(fc.constantFrom('smb', 'mid_market_na', 'mid_market_emea', 'enterprise'), fc.nat(1_000_000)),
        fc.dictionary(fc.constantFrom(...emails), fc.nat(60)),
        fc.subarray(emails),
        fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') }),
        (properties, grade, roundRobin, loadToday, inactive, now) => {
          const result = route({ id: '1', properties, grade, score: 10 }, routing, context({ now, roundRobin, loadToday, inactiveOwners: new Set(inactive) }));
          const a = result.assignee;
          expect(a.kind === 'queue' ? a.salesforceQueue.length > 0 : a.kind === 'user' ? Boolean(a.email || a.salesforceUserId) : false).toBe(true);
          expect(result.trace.filter((t) => t.matched && t.rule === result.rule)).toHaveLength(1);
        },
      ),
      { numRuns: 400 },
    );
  });
});
