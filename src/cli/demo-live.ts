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
    const started = performance.now();
    const contact = sandbox.hubspot.createContact({
      email: 'mara.lindqvist@fabrikam-bank.example', firstname: 'Mara', lastname: 'Lindqvist', jobtitle: 'Chief Data Officer', company: 'Fabrikam Bank',
      country: 'Sweden', numemployees: '1000+', industry: 'BANKING', lead_source: 'trade_show', lead_source_detail: 'Copperleaf Live Demo Day 2026',
      lead_source_date: new Date().toISOString(), bant_budget: 'approved', bant_authority: 'decision_maker', bant_need: 'urgent', bant_timeline: 'within_3_months',
    });
    let lead: Record<string, unknown> | undefined;
    let tasks: readonly Record<string, unknown>[] = [];
    while (performance.now() - started < 15_000) {
      lead = sandbox.salesforce.records('Lead').find((l) => l.HubSpot_Contact_Id__c === contact.id);
      tasks = lead ? sandbox.salesforce.records('Task').filter((t) => t.WhoId === lead!.Id) : [];
      if (lead && tasks.length > 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const tookMs = Math.round(performance.now() - started);
    if (!lead || tasks.length === 0) {
      out(`  The booth scan did not reach Salesforce within 15 s (lead: ${lead ? 'yes' : 'no'}, tasks: ${tasks.length}).`);
      return;
    }
    const owner = sandbox.salesforce.records('User').find((u) => u.Id === lead!.OwnerId)?.Name ?? sandbox.salesforce.records('Group').find((g) => g.Id === lead!.OwnerId)?.DeveloperName ?? lead.OwnerId;
    out(`  Booth scan (HubSpot contact ${contact.id}) → Salesforce lead ${String(lead.Id)} owned by ${String(owner)}, with ${tasks.length} task${tasks.length === 1 ? '' : 's'} ("${String(tasks[0]!.Subject)}") in ${tookMs} ms.`);
  } finally {
    sandbox.hubspot.setWebhookTarget(undefined);
    await running.stop();
  }
}
