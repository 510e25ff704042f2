/**
 * Feedback-job figures on the sandbox (default rate limits on): BENCH_FEEDBACK_OPPORTUNITIES
 * (default 10,000) closed opportunities, each on an Account of its own with a Contact carrying a
 * distinct HubSpot contact id in HubSpot_Contact_Id__c and a primary OpportunityContactRole (so
 * each links to one HubSpot contact by contact role), won and lost alternately, amounts varied;
 * and BENCH_FEEDBACK_LEADS (default 1,000) leads carrying the external ID whose Status sales
 * moved (Status history tracked). One first feedback run over them: its time, HubSpot and
 * Salesforce calls (total and per endpoint), calls per 1,000 closed opportunities, deals created,
 * contacts updated; then a rerun with nothing changed (its calls, and that it writes nothing);
 * then the first run again at BENCH_FEEDBACK_SMALL (default 1,000) opportunities. The sandbox runs
 * in this process: the bench builds the data through its hands and moves its clock, which leadloop
 * shares (the job reads Salesforce only up to a minute before now). JSON on the last line.
 */
import { createSandboxClock } from '../src/sandbox/clock.ts';
import { LOSS_REASONS } from '../src/sandbox/salesforce/schema.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/server.ts';
import { syncFeedback } from '../src/pipeline/syncFeedback.ts';
import { benchApp, redisAnswers } from './support.ts';

const OPPORTUNITIES = Number(process.env.BENCH_FEEDBACK_OPPORTUNITIES ?? 10_000);
const LEADS = Number(process.env.BENCH_FEEDBACK_LEADS ?? 1_000);
const SMALL = Number(process.env.BENCH_FEEDBACK_SMALL ?? 1_000);
const POSTGRES = process.env.BENCH_FEEDBACK_LEDGER === 'postgres';
const MINUTE = 60_000;
const DAY = 86_400_000;
/** The lead statuses sales moves the leads to, in turn (accepted, disqualified with a reason, recycled). */
const LEAD_MOVES: Record<string, unknown>[] = [
  { Status: 'Working - Contacted' },
  { Status: 'Closed - Not Converted', Disqualified_Reason__c: 'No budget' },
  { Status: 'Working - Contacted' },
  { Status: 'Recycled' },
];

const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
function calls(sandbox: Sandbox, opportunities: number) {
  const snap = sandbox.requestLog.snapshot();
  const hubspot = sum(snap.hubspot);
  const salesforce = sum(snap.salesforce);
  const byEndpoint = Object.fromEntries(
    [...Object.entries(snap.hubspot).map(([e, n]) => [`hubspot ${e}`, n]), ...Object.entries(snap.salesforce).map(([e, n]) => [`salesforce ${e}`, n])].sort((a, b) => Number(b[1]) - Number(a[1])),
  );
  return {
    hubspot,
    salesforce,
    total: hubspot + salesforce,
    callsPer1000: Math.round((10_000 * (hubspot + salesforce)) / opportunities) / 10,
    hubspotWrites: Object.entries(snap.hubspot)
      .filter(([endpoint]) => /create|update|archive|upsert/.test(endpoint))
      .reduce((n, [, c]) => n + c, 0),
    limited: (snap.statuses.hubspot[429] ?? 0) + (snap.statuses.salesforce[403] ?? 0),
    byEndpoint,
  };
}

/** Builds `opportunities` closed opportunities and `leads` worked leads in a fresh sandbox, then runs the feedback job twice. */
async function measure(opportunities: number, leads: number, options: { rerun: boolean }) {
  const clock = createSandboxClock();
  const sandbox = await startSandbox({ seed: 51, clock, salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
  try {
    // Seeded directly (not `contacts: N`, which also seeds an org with opportunities of its own):
    // the org holds exactly the opportunities and leads built here.
    const buildStarted = performance.now();
    const contacts = sandbox.hubspot.seedContacts(opportunities + leads);
    // Sales' work happens a day after the contacts were made; leadloop looks a few minutes later.
    clock.advance(DAY);
    const sf = sandbox.salesforce;
    for (let i = 0; i < opportunities; i++) {
      const contact = contacts[i]!;
      const account = sf.create('Account', { Name: `Feedback Account ${i}`, Website: `feedback-${i}.example` });
      const person = sf.create('Contact', { LastName: `Buyer ${i}`, AccountId: account, HubSpot_Contact_Id__c: contact.id });
      const amount = 1_000 + ((i * 7_919) % 99) * 500;
      const opportunity = sf.createOpportunity({ Name: `Feedback deal ${i}`, AccountId: account, Amount: amount });
      sf.create('OpportunityContactRole', { OpportunityId: opportunity, ContactId: person, IsPrimary: true, Role: 'Decision Maker' });
      const won = i % 2 === 0;
      sf.closeOpportunity(opportunity, won, won ? {} : { fields: { Loss_Reason__c: LOSS_REASONS[(i >> 1) % LOSS_REASONS.length] } });
    }
    for (let i = 0; i < leads; i++) {
      const contact = contacts[opportunities + i]!;
      const lead = sf.create('Lead', { LastName: `Lead ${i}`, Company: `Lead Co ${i}`, LeadSource: 'Web', HubSpot_Contact_Id__c: contact.id });
      sf.edit('Lead', lead, LEAD_MOVES[i % LEAD_MOVES.length]!);
    }
    const buildMs = performance.now() - buildStarted;
    clock.advance(5 * MINUTE);

    const bench = await benchApp(sandbox.connectionInfo(), { label: `feedback-${opportunities}`, postgres: POSTGRES, now: () => clock.now() });
    try {
      sandbox.requestLog.reset();
      const started = performance.now();
      const first = await syncFeedback(bench.app.deps);
      const firstMs = performance.now() - started;
      const firstCalls = calls(sandbox, opportunities);
      const result = {
        opportunities,
        leads,
        ledger: bench.ledgerKind,
        buildMs: Math.round(buildMs),
        firstRun: {
          ms: Math.round(firstMs),
          ...firstCalls,
          pulled: first.opportunities.pulled,
          won: first.opportunities.won,
          lost: first.opportunities.lost,
          unlinked: first.opportunities.unlinked,
          statusChanges: first.statusChanges,
          dealsCreated: first.deals.created,
          dealsUpdated: first.deals.updated,
          contactsUpdated: first.contactsUpdated,
          deadLettered: first.deadLettered,
          pages: first.pages,
        },
      };
      if (!options.rerun) return result;
      clock.advance(5 * MINUTE);
      sandbox.requestLog.reset();
      const againStarted = performance.now();
      const again = await syncFeedback(bench.app.deps);
      const againMs = performance.now() - againStarted;
      const againCalls = calls(sandbox, opportunities);
      return {
        ...result,
        rerun: {
          ms: Math.round(againMs),
          hubspot: againCalls.hubspot,
          salesforce: againCalls.salesforce,
          total: againCalls.total,
          hubspotWrites: againCalls.hubspotWrites,
          writesNothing: againCalls.hubspotWrites === 0 && again.deals.created + again.deals.updated + again.deals.archived + again.contactsUpdated === 0,
          pulled: again.opportunities.pulled,
          byEndpoint: againCalls.byEndpoint,
        },
      };
    } finally {
      await bench.dispose();
    }
  } finally {
    await sandbox.close();
  }
}

if (!(await redisAnswers())) {
  console.log(JSON.stringify({ skipped: 'no Redis at REDIS_URL (or 127.0.0.1:6379)' }));
  process.exit(0);
}
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const large = await measure(OPPORTUNITIES, LEADS, { rerun: true });
const small = SMALL > 0 && SMALL !== OPPORTUNITIES ? await measure(SMALL, Math.round((LEADS * SMALL) / OPPORTUNITIES), { rerun: false }) : undefined;
clearInterval(sampler);
console.log(
  JSON.stringify({
    ...large,
    ...(small
      ? {
          small: {
            opportunities: small.opportunities,
            leads: small.leads,
            ms: small.firstRun.ms,
            hubspot: small.firstRun.hubspot,
            salesforce: small.firstRun.salesforce,
            callsPer1000: small.firstRun.callsPer1000,
            dealsCreated: small.firstRun.dealsCreated,
            byEndpoint: small.firstRun.byEndpoint,
          },
        }
      : {}),
    peakRssMb: Math.round(peakRss / 1_048_576),
    goals: { callsPer1000: 60, rerunHubSpotWrites: 0, rateLimited: 0 },
  }),
);
