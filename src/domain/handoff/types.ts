import type { PropertyBag } from '../config/condition.ts';
import type { LeadDecision } from '../decide.ts';
import type { SalesforceValue } from '../mapping/lead-fields.ts';
import type { Assignee, TraceStep } from '../routing/types.ts';

/** Salesforce's users and queues as routing and the planner need them (emails and usernames lower case). */
export interface OwnerDirectory {
  usersByEmail: ReadonlyMap<string, { id: string; active: boolean; name: string }>;
  emailsById: ReadonlyMap<string, string>;
  queuesByName: ReadonlyMap<string, string>;
}

/** Round-robin positions per team and today's new leads per owner (email, lower case). */
export interface RoutingState {
  roundRobin: Record<string, number>;
  loadToday: Record<string, number>;
}

/** A routing decision already stored for a contact's hand-off: reused as it is, never routed again. */
export interface StoredRouting {
  assignee: Assignee;
  notify: string[];
  /** The Salesforce record the hand-off landed on; null while it has not landed yet. */
  landedId: string | null;
}

/** What a fresh routing decision stores in the ledger, before anything is written anywhere. */
export interface DecisionRecord {
  contactId: string;
  handoffKey: string;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  reason: string;
  ownerKind: Assignee['kind'];
  ownerId: string | null;
  ownerEmail: string | null;
  rule: string;
  notify: { email: string; why: string }[];
  trace: TraceStep[];
  /** The team whose rotation this decision moved, and its next position. */
  rotation: { team: string; next: number } | null;
}

/** A contact to hand off, routed (now or by a stored decision), not yet written anywhere. */
export interface RoutedHandoff {
  contactId: string;
  handoffKey: string;
  properties: PropertyBag;
  decision: LeadDecision;
  /** The owner, with its Salesforce id resolved where the directory knows it. */
  assignee: Assignee;
  /** Emails of the people to notify. */
  notify: string[];
  /** No hand-off of this contact has landed yet: its tasks are due. */
  firstTime: boolean;
  /** Routed in this batch: the decision to store first (and whose state change counts once stored). */
  fresh?: DecisionRecord;
  /** A hand-off again, after sales gave the contact back to marketing: its Lead is reopened with this Status (and the routed owner). */
  reopenStatus?: string;
}

/** A Lead Salesforce holds, as the planner needs it. */
export interface KnownLead {
  id: string;
  ownerId: string;
  isConverted: boolean;
  convertedContactId: string | null;
  /** The owner of the Contact a converted lead became (ConvertedContact.OwnerId): who a task for it goes to. */
  convertedContactOwnerId?: string | null;
  /** Our external ID on it (the HubSpot contact id), when leadloop wrote or adopted it. */
  externalId: string | null;
}

/** What Salesforce already holds for a batch, read before anything is written. */
export interface FoundPeople {
  /** Leads by our external ID (HubSpot contact id). */
  byExternalId: ReadonlyMap<string, KnownLead>;
  /** Leads by email (lower case). */
  leadsByEmail: ReadonlyMap<string, readonly KnownLead[]>;
  /** Contacts by email (lower case), for emails no Lead has. */
  contactsByEmail: ReadonlyMap<string, readonly { id: string; ownerId: string }[]>;
  /** Task keys that exist already (of those the batch could create). */
  existingTaskKeys: ReadonlySet<string>;
  /** The Campaigns the batch names, by name (lower case): two or more of one name are ambiguous. Absent: none asked for. */
  campaignsByName?: ReadonlyMap<string, readonly KnownCampaign[]>;
  /** Memberships that exist already in those campaigns, as `<campaign id>:<lead or contact id>`. */
  campaignMembers?: ReadonlySet<string>;
}

/** A Campaign Salesforce holds, with its member status labels. */
export interface KnownCampaign {
  id: string;
  name: string;
  statuses: readonly { label: string; sortOrder: number | null }[];
}

/** mapping.yaml's `campaign` rules, as the planner needs them. */
export interface CampaignRules {
  name_from: string;
  member_status: string;
  create_missing: boolean;
}

/**
 * A CampaignMember to create. The campaign is known by id, or by name when this batch creates it;
 * the record is the lead or contact the hand-off lands on: an adopted, updated or existing one by
 * id, a new lead (neither id) as the executor learns it from the upsert, as for tasks.
 */
export interface CampaignMemberWrite {
  contactId: string;
  campaignId: string | null;
  campaignName: string;
  leadId?: string;
  salesforceContactId?: string;
  status: string;
}

export type LeadFields = Record<string, SalesforceValue>;

/** A task to create, keyed so that a retry never creates it twice. Its WhoId is the record the contact's hand-off lands on. */
export interface TaskWrite {
  key: string;
  contactId: string;
  kind: 'playbook' | 'notify' | 'sla';
  ownerId: string;
  fields: { Subject: string; Priority: string; Type: string; Status: string; ActivityDate: string; Description?: string };
}

export type SkipReason =
  /** The contact's lead was converted: converted leads are read-only and never written. */
  | 'converted-lead'
  /** The task's key exists in Salesforce: it was created before. */
  | 'task-exists'
  /** A queue owns the record, and queues cannot own tasks. */
  | 'queue-cannot-own-task'
  /** The person to notify is not an active Salesforce user. */
  | 'notify-user-inactive'
  /** No Campaign has the name the contact's campaign property holds, and create_missing is off. */
  | 'campaign-missing'
  /** Two or more Campaigns have that name: refused with their ids (dead-lettered), never guessed. */
  | 'campaign-ambiguous'
  /** The lead or contact is a member of the campaign already. */
  | 'already-member';

/** Where a hand-off lands, as planned. */
export type Landing =
  | { contactId: string; object: 'Lead'; outcome: 'create' | 'update'; ownerLabel: string }
  | { contactId: string; object: 'Lead'; outcome: 'adopt'; leadId: string; ownerLabel: string }
  | { contactId: string; object: 'Contact'; outcome: 'existing_contact'; salesforceContactId: string; ownerId: string; ownerLabel: string };

/** Every Salesforce write of a batch of hand-offs, decided before the first one is made. */
export interface HandoffPlan {
  /** Leads upserted by external ID: new ones carry their owner, known ones never OwnerId or Status. */
  upserts: { contactId: string; isNew: boolean; fields: LeadFields }[];
  /** Open leads sales or other tools created for the email: our external ID is written onto them. */
  adoptions: { contactId: string; leadId: string; fields: LeadFields }[];
  landings: Landing[];
  tasks: TaskWrite[];
  /** Campaign memberships of the hand-offs (one Collections create), and what they need first: campaigns and member statuses to create. */
  campaignMembers: CampaignMemberWrite[];
  campaignCreates: { name: string }[];
  memberStatusCreates: { campaignId: string | null; campaignName: string; label: string; sortOrder: number }[];
  skipped: { contactId: string; reason: SkipReason; key?: string; campaign?: string; campaignIds?: string[] }[];
}

/** Properties written back to one HubSpot contact. */
export interface WritebackWrite {
  contactId: string;
  properties: Record<string, string>;
}

/** A contact's score as the ledger keeps it, with when decay alone may next change its grade. */
export interface ScoreWrite {
  contactId: string;
  score: number;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
  reviewAt: number | null;
  /** HubSpot's lead_source and campaign property (the report's funnel counts scored contacts by them). */
  source?: string | null;
  campaign?: string | null;
}

/** A hand-off that landed, for the ledger. */
export interface HandoffRecord {
  contactId: string;
  handoffKey: string;
  handedOffAt: number;
  object: 'Lead' | 'Contact';
  salesforceId: string;
  outcome: 'created' | 'adopted' | 'existing_contact';
  ownerKind: string | null;
  ownerId: string | null;
  grade: string;
  score: number;
  reason: string;
  source: string | null;
  campaign: string | null;
}
