/**
 * Child relationships a parent-child subquery names in its FROM (`SELECT Id, (SELECT ... FROM
 * OpportunityContactRoles) FROM Opportunity`), as describe lists them under `childRelationships`.
 * Only those the won/lost feedback reads, and Account's Contacts, are emulated (docs/salesforce-api.md#parent-child-subqueries).
 */
export interface ChildRelationship {
  relationshipName: string;
  childSObject: string;
  /** The child's reference field to the parent. */
  field: string;
  cascadeDelete: boolean;
}

export const CHILD_RELATIONSHIPS: Readonly<Record<string, readonly ChildRelationship[]>> = {
  // The SOQL guide's own parent-to-child example (test/fixtures/vendor/salesforce/query_parent_child_subquery.json).
  Account: [{ relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId', cascadeDelete: true }],
  Opportunity: [
    { relationshipName: 'OpportunityContactRoles', childSObject: 'OpportunityContactRole', field: 'OpportunityId', cascadeDelete: true },
    { relationshipName: 'OpportunityCompetitors', childSObject: 'OpportunityCompetitor', field: 'OpportunityId', cascadeDelete: true },
    { relationshipName: 'OpportunityHistories', childSObject: 'OpportunityHistory', field: 'OpportunityId', cascadeDelete: true },
  ],
};

/** The child relationship of `parent` by name (case-insensitive, as SOQL is), undefined when the object has none so named. */
export function childRelationship(parent: string, name: string): ChildRelationship | undefined {
  return CHILD_RELATIONSHIPS[parent]?.find((r) => r.relationshipName.toLowerCase() === name.toLowerCase());
}

/** Salesforce's answer to an unknown relationship in a subquery's FROM (INVALID_TYPE). */
export function unknownChildRelationship(soql: string, name: string): string {
  const column = soql.indexOf(name) + 1;
  return `\n${soql}\n${' '.repeat(Math.max(0, column - 1))}^\nERROR at Row:1:Column:${column}\nDidn't understand relationship '${name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`;
}
