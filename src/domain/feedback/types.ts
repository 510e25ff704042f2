// What the feedback adapters hand over from Salesforce, and what the ledger answers, as plain data.
// Times are epoch milliseconds; ids are Salesforce's 18-character ids as the API returns them.

/** What sales did with a lead, in leadloop's words (mapping.yaml's lead_status lists). */
export type LeadStatusClass = 'accepted' | 'disqualified' | 'recycled' | 'open';

/** A Lead as the feedback reads it: its current status and what it needs to date a change. */
export interface LeadSnapshot {
  leadId: string;
  /** Our external ID on it (the HubSpot contact id); null on a lead leadloop never handed off. */
  contactId: string | null;
  status: string;
  /** Salesforce's SystemModstamp: the change time when Status history is not tracked. */
  systemModstamp: number;
  /** The value of mapping.yaml's `lead_status.disqualified_reason_field`, when it names one. */
  disqualifiedReason?: string | null;
  /** Lead.IsConverted: sales converted it (into a contact, maybe an opportunity). */
  isConverted?: boolean;
}

/** One LeadHistory row of the Status field (Field = 'Status'). */
export interface LeadStatusHistoryRow {
  leadId: string;
  oldValue: string | null;
  newValue: string | null;
  createdDate: number;
}

/** A change of a lead's status, as the ledger records it. */
export interface LeadStatusChange {
  leadId: string;
  contactId: string | null;
  status: string;
  class: LeadStatusClass;
  changedAt: number;
  /** True when no Status history was tracked: `changedAt` is the lead's SystemModstamp, the latest edit of any field. */
  approximated: boolean;
  /** Why it was disqualified (only for a disqualification, and only when mapping.yaml names the field). */
  reason: string | null;
}

/** An OpportunityContactRole with the Contact fields the linking reads (one SOQL with relationship fields). */
export interface ContactRole {
  contactId: string;
  role: string | null;
  isPrimary: boolean;
  /** The Contact's external ID (mapping.yaml's external_id_field), set when leadloop linked or converted it. */
  externalId: string | null;
  email: string | null;
}

/** An OpportunityCompetitor row. */
export interface OpportunityCompetitorRow {
  competitorName: string;
  strengths?: string | null;
  weaknesses?: string | null;
}

/** An opportunity as Salesforce holds it now (queried with ALL ROWS, so a deleted one still shows, IsDeleted true). */
export interface OpportunitySnapshot {
  opportunityId: string;
  name: string;
  accountId: string | null;
  /** The Account's Website (raw; normalised when matched). */
  accountWebsite: string | null;
  stage: string;
  isClosed: boolean;
  isWon: boolean;
  amount: number | null;
  /** CurrencyIsoCode in a multi-currency org; null in a single-currency org (the corporate currency). */
  currency: string | null;
  /** CloseDate, a date without time: `YYYY-MM-DD`. */
  closeDate: string | null;
  /** The value of mapping.yaml's `opportunity.loss_reason` field. */
  lossReason: string | null;
  /** The value of mapping.yaml's `opportunity.competitor` field. */
  competitorField: string | null;
  competitors: readonly OpportunityCompetitorRow[];
  /** Primary Campaign Source. */
  campaignId: string | null;
  contactRoles: readonly ContactRole[];
  isDeleted: boolean;
  systemModstamp: number;
  createdDate: number;
}

/** One OpportunityHistory row, with its stage's meaning resolved from OpportunityStage (IsClosed, IsWon). */
export interface StageChange {
  stage: string;
  at: number;
  isClosed: boolean;
  isWon: boolean;
  amount?: number | null;
  closeDate?: string | null;
}

/** A lead converted into an opportunity (Lead.ConvertedOpportunityId), with our external ID on it. */
export interface ConvertedLead {
  leadId: string;
  externalId: string | null;
}

/** What linking reads besides the opportunity: plain maps the pipeline fills from Salesforce and the ledger. */
export interface LinkEvidence {
  /** Converted leads by the opportunity they were converted into. */
  convertedLeads: ReadonlyMap<string, readonly ConvertedLead[]>;
  /** Contacts leadloop handed off, by email key (`emailKey`): the ledger's answer for the contact roles' emails. */
  handedOffByEmail: ReadonlyMap<string, readonly string[]>;
  /** Contacts leadloop handed off, by normalised domain (email's or website's): the ledger's answer for the accounts' domains. */
  handedOffByDomain: ReadonlyMap<string, readonly string[]>;
  /** Contacts erased by a privacy deletion: never linked again. */
  erased?: ReadonlySet<string>;
}

/** How an opportunity found its contacts, strongest first. */
export type LinkPath = 'converted-lead' | 'contact-role-external-id' | 'contact-role-email' | 'account-domain';

export type OpportunityLinks =
  | {
      kind: 'linked';
      /** The strongest path that found a contact. */
      path: LinkPath;
      /** Each HubSpot contact once, with the path that found it. */
      contacts: { contactId: string; path: LinkPath }[];
    }
  | { kind: 'unlinked' };

/** A contact's earliest hand-off, as the ledger holds it. */
export interface EarliestHandoff {
  contactId: string;
  handedOffAt: number;
  /** HubSpot's lead_source at hand-off (trade_show, webinar, …). */
  source: string | null;
  /** The show or campaign (mapping.yaml campaign.name_from) at hand-off. */
  campaign: string | null;
}

/** A Salesforce Campaign as attribution names it. */
export interface CampaignInfo {
  name: string | null;
  /** Campaign.Type (Trade Show, Webinar, …). */
  type: string | null;
}

/** What an opportunity counts for in the closed-loop figures: one source and one campaign, each from one place. */
export interface Attribution {
  source: string | null;
  sourceVia: 'earliest-handoff' | 'campaign-type' | 'none';
  /** The campaign's name (or id when its name is not known). */
  campaign: string | null;
  campaignId: string | null;
  campaignVia: 'primary-campaign-source' | 'earliest-handoff' | 'none';
  /** The hand-off attribution fell back on (the earliest among the linked contacts), if any. */
  handoff: { contactId: string; handedOffAt: number } | null;
}

/** Where an opportunity stands, read from its snapshot and stage history. */
export interface Outcome {
  state: 'open' | 'won' | 'lost';
  /** It was closed once and opened again (it may be closed again since). */
  reopened: boolean;
  /** How many times it went from open to closed. */
  timesClosed: number;
  /** When it last closed (null while open, or when history does not say). */
  closedAt: number | null;
  amount: number | null;
  currency: string | null;
  closeDate: string | null;
  /** Only for a lost opportunity. */
  lossReason: string | null;
  /** Who beat us: only for a lost opportunity (the competitor field, else the only OpportunityCompetitor). */
  competitor: string | null;
  /** Every competitor met (OpportunityCompetitor and the competitor field), sorted. */
  competitorsMet: string[];
  deleted: boolean;
}

/** An opportunity as the ledger records it: its snapshot and stage history, and what the domain made of them. */
export interface OpportunityRecord {
  opportunity: OpportunitySnapshot;
  stageHistory: readonly StageChange[];
  links: OpportunityLinks;
  attribution: Attribution;
  outcome: Outcome;
}

/** An opportunity that links to no HubSpot contact, as the ledger lists it. */
export interface UnlinkedOpportunity {
  opportunityId: string;
  name: string;
  accountId: string | null;
  outcome: Outcome['state'];
  deleted: boolean;
}

/** A keyset position over Salesforce rows ordered by (SystemModstamp, Id): the last row handled. */
export interface KeysetCursor {
  /** SystemModstamp, epoch ms. */
  modstamp: number;
  /** The row's 18-character Id; '' before any row at `modstamp` (the pull then starts at `modstamp` itself). */
  id: string;
}

/** What the org offers the feedback (describe and FieldDefinition, asked once per run). */
export interface FeedbackCapabilities {
  /** Field history tracking is on for Lead.Status: changes are dated by LeadHistory, else approximated from SystemModstamp. */
  statusHistoryTracked: boolean;
  /** The org has multiple currencies: Opportunity.CurrencyIsoCode exists. */
  multiCurrency: boolean;
  /** The Opportunity fields mapping.yaml names for the loss reason and the competitor exist (a missing one reads as null). */
  lossReasonField: boolean;
  competitorField: boolean;
  /** The Lead field mapping.yaml names for the disqualification reason exists (false when none is named). */
  disqualifiedReasonField: boolean;
}

/** A HubSpot deal as the feedback writes it: keyed by the Salesforce opportunity id in a unique deal property. */
export interface DealWrite {
  opportunityId: string;
  /** HubSpot deal properties by internal name (dealname, pipeline, dealstage, amount, …), already mapped. */
  properties: Record<string, string>;
  /** HubSpot contacts to associate (default association type). */
  contactIds: readonly string[];
  /** HubSpot companies to associate (the contacts' primary companies). */
  companyIds: readonly string[];
}

/** The feedback's two pulls from Salesforce, each with its own cursor. */
export type FeedbackFlow = 'lead-status' | 'opportunities';

/** What came back for one source: hand-offs, what sales made of them, and the opportunities attributed to it. */
export interface SourceFigures {
  source: string;
  /** Contacts whose earliest hand-off carried this source. */
  handoffs: number;
  /** Of those, accepted by sales (an accepted Lead Status, or converted). */
  sql: number;
  disqualified: number;
  recycled: number;
  /** Opportunities attributed to the source (deleted ones left out). */
  opportunities: number;
  open: number;
  won: number;
  lost: number;
  /** Won amounts per currency (`corporate` where the org has one currency); never added across currencies. */
  wonAmount: Record<string, number>;
}
