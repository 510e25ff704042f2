/** "Trade Show", "trade-show", "TRADE_SHOW" → "trade_show". */
function normalised(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
}

/**
 * The HubSpot lead_source values whose hand-offs are trade-show scans: `trade_show`, and every
 * value mapping.yaml sends to Salesforce as the same LeadSource as a trade show ("Trade Show").
 * Their campaign (the show's name) is a show in the report.
 */
export function showSources(leadSourceValues: Readonly<Record<string, string | number>>): string[] {
  const tradeShow = new Set(['trade_show']);
  for (const [hubspot, salesforce] of Object.entries(leadSourceValues)) if (normalised(String(salesforce)) === 'trade_show') tradeShow.add(hubspot);
  return [...tradeShow].toSorted();
}
