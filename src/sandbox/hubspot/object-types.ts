/**
 * The CRM object types the emulator knows, and the names HubSpot accepts for them in paths:
 * plural (`deals`), singular (`deal`) or the object type id (`0-3`), in any case
 * (associations v4 guide; the SDK's generated clients send the plural).
 */
export type CrmObjectType = 'contacts' | 'companies' | 'deals';

export interface ObjectTypeInfo {
  /** HubSpot's object type id, sent back as `fromObjectTypeId`/`toObjectTypeId` by associations v4. */
  typeId: string;
  singular: string;
  /** As HubSpot names the type in error messages ("Could not get some DEAL objects"). */
  upper: string;
  readScope: string;
  writeScope: string;
  /** Properties API writes need the schema scope. */
  schemaWriteScope: string;
}

export const OBJECT_TYPES: Record<CrmObjectType, ObjectTypeInfo> = {
  contacts: {
    typeId: '0-1',
    singular: 'contact',
    upper: 'CONTACT',
    readScope: 'crm.objects.contacts.read',
    writeScope: 'crm.objects.contacts.write',
    schemaWriteScope: 'crm.schemas.contacts.write',
  },
  companies: {
    typeId: '0-2',
    singular: 'company',
    upper: 'COMPANY',
    readScope: 'crm.objects.companies.read',
    writeScope: 'crm.objects.companies.write',
    schemaWriteScope: 'crm.schemas.companies.write',
  },
  deals: { typeId: '0-3', singular: 'deal', upper: 'DEAL', readScope: 'crm.objects.deals.read', writeScope: 'crm.objects.deals.write', schemaWriteScope: 'crm.schemas.deals.write' },
};

/** `deals`, `deal`, `DEAL`, `0-3` → `deals`; anything else (tickets, custom objects) is not emulated. */
export function objectTypeOf(name: string): CrmObjectType | undefined {
  const n = decodeURIComponent(name).toLowerCase();
  for (const [type, info] of Object.entries(OBJECT_TYPES) as [CrmObjectType, ObjectTypeInfo][]) {
    if (n === type || n === info.singular || n === info.typeId) return type;
  }
  return undefined;
}
