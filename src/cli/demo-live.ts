import type { Env } from '../config/env.ts';
import type { Sandbox } from '../sandbox/server.ts';
import { startLeadloop } from './start.ts';

/**
 * The demo's live hand-off: leadloop runs as `start --role all` would (HTTP server and workers),
 * the sandbox's HubSpot webhooks point at it, and a visitor scanned at the booth becomes an owned
 * Salesforce lead with its call task — timed from the contact's creation in HubSpot.
 */
export async function liveHandoff(sandbox: Sandbox, env: Env, out: (line?: string) => void): Promise<void> {
  const running = await startLeadloop(env, { role: 'all', port: 0 });
  try {
    sandbox.hubspot.setWebhookTarget({ targetUrl: `${running.url}/webhooks/hubspot` });
    out(`Live hand-off: leadloop is serving POST ${running.url}/webhooks/hubspot; the sandbox's HubSpot sends its contact webhooks there.`);
    const landed = new Map<string, number>();
    running.handoffWorker?.on('completed', (job) => landed.set((job.data as { contactId: string }).contactId, performance.now()));
    const started = performance.now();
    const contact = sandbox.hubspot.createContact({
      email: 'mara.lindqvist@fabrikam-bank.example',
      firstname: 'Mara',
      lastname: 'Lindqvist',
      jobtitle: 'Chief Data Officer',
      company: 'Fabrikam Bank',
      country: 'Sweden',
      numemployees: '1000+',
      industry: 'BANKING',
      lead_source: 'trade_show',
      lead_source_detail: 'Copperleaf Live Demo Day 2026',
      lead_source_date: new Date().toISOString(),
      bant_budget: 'approved',
      bant_authority: 'decision_maker',
      bant_need: 'urgent',
      bant_timeline: 'within_3_months',
      estimated_deal_size: '2500000',
    });
    // Done when the hand-off job completed: the lead, its tasks and the write-back are all in.
    while (!landed.has(contact.id) && performance.now() - started < 15_000) await new Promise((r) => setTimeout(r, 2));
    const lead = sandbox.salesforce.records('Lead').find((l) => l.HubSpot_Contact_Id__c === contact.id);
    if (!landed.has(contact.id) || !lead) {
      out(`  The booth scan was not handed off within 15 s (lead in Salesforce: ${lead ? 'yes' : 'no'}).`);
      return;
    }
    const tookMs = Math.round(landed.get(contact.id)! - started);
    const users = new Map(sandbox.salesforce.records('User').map((u) => [u.Id as string, u.Name as string]));
    const queue = sandbox.salesforce.records('Group').find((g) => g.Id === lead.OwnerId)?.DeveloperName;
    const owner = users.get(lead.OwnerId as string) ?? (queue ? `the ${String(queue)} queue` : String(lead.OwnerId));
    out(`  Booth scan (HubSpot contact ${contact.id}) → Salesforce lead ${String(lead.Id)}, owned by ${owner}, in ${tookMs} ms, with these tasks:`);
    for (const t of sandbox.salesforce.records('Task').filter((task) => task.WhoId === lead.Id))
      out(`    - "${String(t.Subject)}" (${String(t.Priority)}, for ${users.get(t.OwnerId as string) ?? String(t.OwnerId)})`);
    if (queue) out("  Every rep reached today's daily_capacity in the backfill, so routing.yaml's fallback queue took the lead; a queue cannot own a task, so the queue's manager got the call task.");
  } finally {
    sandbox.hubspot.setWebhookTarget(undefined);
    await running.stop();
  }
}
