import { AssociationTypes, Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { fixture, missingFromShape } from '../support/fixtures.ts';
import { hubspotValidator } from '../support/openapi.ts';

/**
 * Companies, deals, deal pipelines, unique-value properties and associations v4 in the HubSpot
 * emulator, driven by the official @hubspot/api-client as the sales-feedback job will call them,
 * and their raw bodies checked against HubSpot's OpenAPI documents and documented examples
 * (docs/hubspot-api.md#crm-objects).
 */
let sandbox: Sandbox;
let client: Client;
/** Object bodies share the v3 object schemas of the contacts document. */
const objects = hubspotValidator();
const associationsSpec = hubspotValidator('hubspot/hubspot_associations_v4_openapi.json');

type ErrorBody = { category?: string; subCategory?: string; message?: string; context?: Record<string, string[]>; errors?: { code?: string; context?: Record<string, string[]> }[] };
type BatchAnswer = { status: string; results: unknown[]; numErrors?: number; errors?: { category: string; message: string; context: Record<string, string[]>; subCategory?: string }[] };

const sdkError = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; body: ErrorBody };
  }
  throw new Error('expected the SDK call to fail');
};

/** Any HTTP call with the sandbox's token; the answer's body is typed as the caller says (`T`), not checked. */
async function call<T = unknown>(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sandbox.connectionInfo().hubspot.accessToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED' as never;
const deal = (dealname: string, dealstage = 'appointmentscheduled', extra: Record<string, string> = {}) => ({ dealname, pipeline: 'default', dealstage, ...extra });

beforeAll(async () => {
  sandbox = await startSandbox({ contacts: 30, seed: 21, hubspot: { tenSecondlyLimit: 0, searchPerSecond: 0 } });
  client = new Client({ accessToken: sandbox.connectionInfo().hubspot.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 1 });
});
afterAll(() => sandbox?.close());

describe('HubSpot deal pipelines (SDK)', () => {
  it('lists the default pipeline with its stage ids, isClosed and probability', async () => {
    const { results } = await client.crm.pipelines.pipelinesApi.getAll('deals');
    const pipeline = results.find((p) => p.id === 'default')!;
    expect(pipeline.label).toBe('Sales Pipeline');
    expect(pipeline.stages.map((s) => [s.id, s.metadata?.isClosed, s.metadata?.probability])).toEqual([
      ['appointmentscheduled', 'false', '0.2'],
      ['qualifiedtobuy', 'false', '0.4'],
      ['presentationscheduled', 'false', '0.6'],
      ['decisionmakerboughtin', 'false', '0.8'],
      ['contractsent', 'false', '0.9'],
      ['closedwon', 'true', '1.0'],
      ['closedlost', 'true', '0.0'],
    ]);
    expect((await client.crm.pipelines.pipelinesApi.getById('deals', 'default')).stages).toHaveLength(7);
    expect((await sdkError(client.crm.pipelines.pipelinesApi.getById('deals', 'no-such-pipeline'))).code).toBe(404);
  });
});

describe('HubSpot deals (SDK)', () => {
  it('creates a deal with inline associations to a contact and its primary company, and reads them back', async () => {
    const company = await client.crm.companies.basicApi.create({ properties: { name: 'Copperleaf Analytics', domain: 'copperleaf.example' }, associations: [] });
    const created = await client.crm.deals.basicApi.create({
      properties: deal('Copperleaf platform', 'qualifiedtobuy', { amount: '48000' }),
      associations: [
        { to: { id: '1001' }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.dealToContact }] },
        { to: { id: company.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.primaryDealToCompany }] },
      ],
    });
    expect(created.properties).toMatchObject({ dealname: 'Copperleaf platform', dealstage: 'qualifiedtobuy', amount: '48000', hs_object_id: created.id });

    const read = await client.crm.deals.basicApi.getById(created.id, ['dealname', 'hs_is_closed', 'hs_deal_stage_probability'], undefined, ['contacts', 'companies']);
    expect(read.properties).toMatchObject({ hs_is_closed: 'false', hs_deal_stage_probability: '0.4' });
    expect(read.associations?.contacts?.results).toEqual([{ id: '1001', type: 'deal_to_contact' }]);
    // The primary company is listed under both its types, as the v3 read names them.
    expect(read.associations?.companies?.results).toEqual([
      { id: company.id, type: 'deal_to_company' },
      { id: company.id, type: 'deal_to_company_unlabeled' },
    ]);
    const rawRead = await call('GET', `/crm/v3/objects/deals/${created.id}?associations=contacts`);
    // Properties without a value come back as null, where the spec types every value as a string.
    expect(objects('SimplePublicObjectWithAssociations', rawRead.body)).toEqual(['/properties/closedate must be string']);

    // The inverse exists: the contact sees the deal (4), the company sees it as primary (6) and unlabelled (342).
    const fromContact = await client.crm.associations.v4.basicApi.getPage('contacts', '1001', 'deals');
    expect(fromContact.results).toContainEqual({ toObjectId: created.id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: AssociationTypes.contactToDeal, label: null }] });
    expect(sandbox.hubspot.associations('companies', company.id, 'deals')).toEqual([{ id: created.id, typeIds: [AssociationTypes.primaryCompanyToDeal, AssociationTypes.companyToDeal] }]);
    expect(sandbox.hubspot.getDeal(created.id)?.properties.dealname).toBe('Copperleaf platform');
  });

  it("refuses a deal without dealname, pipeline or dealstage with HubSpot's required-properties 400, and writes nothing", async () => {
    const before = sandbox.hubspot.deals().length;
    const error = await sdkError(client.crm.deals.basicApi.create({ properties: { amount: '100' }, associations: [] }));
    expect(error.code).toBe(400);
    expect(error.body).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: 'Error creating DEAL. Some required properties were not set.',
      context: { properties: ['dealname', 'pipeline', 'dealstage'] },
    });
    expect(objects('Error', error.body)).toEqual([]);
    expect(sandbox.hubspot.deals()).toHaveLength(before);
  });

  it.each([
    ['a stage label instead of its id', { dealstage: 'Closed Won' }, 'dealstage'],
    ['an unknown stage id', { dealstage: 'closedwonish' }, 'dealstage'],
    ['an unknown pipeline', { pipeline: 'enterprise' }, 'pipeline'],
  ])('refuses %s with a 400 in the documented property-validation shape', async (_label, change, property) => {
    const error = await sdkError(client.crm.deals.basicApi.create({ properties: { ...deal('Bad stage'), ...change }, associations: [] }));
    expect(error.code).toBe(400);
    expect(missingFromShape(fixture('hubspot/error_400_validation.json'), error.body)).toEqual([]);
    expect(error.body.errors?.[0]).toMatchObject({ code: 'INVALID_OPTION', context: { propertyName: [property] } });
  });

  it("refuses a stage of another pipeline, and moves a deal through its own pipeline's stages by id", async () => {
    sandbox.hubspot.addDealPipeline({
      id: '75431234',
      label: 'Renewals',
      displayOrder: 1,
      stages: [
        { id: '148803001', label: 'Renewal due', displayOrder: 0, metadata: { isClosed: 'false', probability: '0.5' } },
        { id: '148803002', label: 'Renewed', displayOrder: 1, metadata: { isClosed: 'true', probability: '1.0' } },
      ],
    });
    const error = await sdkError(client.crm.deals.basicApi.create({ properties: deal('Wrong pipeline', '148803001'), associations: [] }));
    expect(error.body.errors?.[0]?.context).toEqual({ propertyName: ['dealstage'] });

    const created = await client.crm.deals.basicApi.create({ properties: deal('Renewal 2027', '148803001', { pipeline: '75431234' }), associations: [] });
    const won = await client.crm.deals.basicApi.update(created.id, { properties: { dealstage: '148803002' } });
    expect(won.properties.dealstage).toBe('148803002');
    expect(sandbox.hubspot.getDeal(created.id)?.properties).toMatchObject({ hs_is_closed: 'true', hs_is_closed_won: 'true' });
    // Moving it to the default pipeline without a stage of that pipeline is refused.
    expect((await sdkError(client.crm.deals.basicApi.update(created.id, { properties: { pipeline: 'default' } }))).code).toBe(400);
    const closedLost = await client.crm.deals.basicApi.update(created.id, { properties: { pipeline: 'default', dealstage: 'closedlost', closed_lost_reason: 'Budget' } });
    expect(closedLost.properties).toMatchObject({ pipeline: 'default', dealstage: 'closedlost' });
    expect(sandbox.hubspot.getDeal(created.id)?.properties).toMatchObject({ hs_is_closed: 'true', hs_is_closed_won: 'false', hs_deal_stage_probability: '0.0' });
  });

  it('pages through deals with limit and after, every deal once, and refuses a limit above 100', async () => {
    for (let i = 0; i < 7; i++) sandbox.hubspot.createDeal(deal(`Paged ${i}`));
    const total = sandbox.hubspot.deals().length;
    const ids: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await call<{ results: { id: string }[]; paging?: { next?: { after: string } } }>(
        'GET',
        `/crm/v3/objects/deals?limit=3&properties=dealname,dealstage${after ? `&after=${after}` : ''}`,
      );
      expect(status).toBe(200);
      expect(objects('CollectionResponseSimplePublicObjectWithAssociationsForwardPaging', body)).toEqual([]);
      ids.push(...body.results.map((r) => r.id));
      after = body.paging?.next?.after;
      pages += 1;
    } while (after);
    expect(pages).toBe(Math.ceil(total / 3));
    expect(new Set(ids).size).toBe(total);
    // The SDK's own page: the default properties when none are asked for.
    const first = await client.crm.deals.basicApi.getPage(1);
    expect(Object.keys(first.results[0]!.properties).sort()).toEqual(['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline']);
    expect((await sdkError(client.crm.deals.basicApi.getPage(101))).code).toBe(400);
  });

  it('answers a batch read with unknown ids 207, naming them like the documented example', async () => {
    const known = sandbox.hubspot.createDeal(deal('Batch read'));
    const result: BatchAnswer = await client.crm.deals.batchApi.read({ inputs: [{ id: known.id }, { id: '999' }], properties: ['dealname'], propertiesWithHistory: [] });
    expect(result.results).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      message: 'Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid.',
      context: { ids: ['999'] },
    });
    const { status, body } = await call('POST', '/crm/v3/objects/deals/batch/read', { inputs: [{ id: known.id }, { id: '999' }], properties: ['dealname'], propertiesWithHistory: [] });
    expect(status).toBe(207);
    // The documented example reads contacts: compare the envelope and the error, not contact properties.
    const documented = fixture<{ results: { properties: unknown }[] }>('hubspot/batch_read_207.json');
    documented.results[0]!.properties = {};
    expect(missingFromShape(documented, body)).toEqual([]);
    expect(objects('BatchResponseSimplePublicObjectWithErrors', body)).toEqual([]);
  });

  it('reports a bad input of a batch create by its objectWriteTraceId (207) and creates the rest; without trace ids the batch fails whole', async () => {
    const before = sandbox.hubspot.deals().length;
    const { status, body } = await call<BatchAnswer>('POST', '/crm/v3/objects/deals/batch/create', {
      inputs: [
        { properties: deal('Good one'), associations: [], objectWriteTraceId: 'ok-1' },
        { properties: deal('Bad stage', 'Closed Won'), associations: [], objectWriteTraceId: 'bad-2' },
      ],
    });
    expect(status).toBe(207);
    expect(body.results).toHaveLength(1);
    expect(body.errors?.[0]?.context.objectWriteTraceId).toEqual(['bad-2']);
    // The documented example creates tickets: compare the envelope and the error, not ticket properties.
    const documented = fixture<{ results: { properties: unknown }[] }>('hubspot/batch_create_207_multistatus.json');
    documented.results[0]!.properties = {};
    expect(missingFromShape(documented, body)).toEqual([]);
    expect(sandbox.hubspot.deals()).toHaveLength(before + 1);

    const error = await sdkError(
      client.crm.deals.batchApi.create({
        inputs: [
          { properties: deal('Fine'), associations: [] },
          { properties: { dealname: 'No stage' }, associations: [] },
        ],
      }),
    );
    expect(error.code).toBe(400);
    expect(sandbox.hubspot.deals()).toHaveLength(before + 1);
  });

  it('refuses more than 100 inputs in an object batch', async () => {
    const error = await sdkError(client.crm.companies.batchApi.read({ inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) })), properties: [], propertiesWithHistory: [] }));
    expect(error.code).toBe(400);
    expect(error.body.message).toContain('Too many inputs: 101');
  });
});

describe('HubSpot unique-value properties (SDK)', () => {
  it('creates a unique-value property, and keeps hasUniqueValue out of updates', async () => {
    const created = await client.crm.properties.coreApi.create('deals', {
      name: 'leadloop_opportunity_id',
      label: 'Salesforce opportunity id',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'dealinformation',
      hasUniqueValue: true,
    });
    expect(created.hasUniqueValue).toBe(true);
    // The update schema has no hasUniqueValue: the SDK drops it before sending, the property stays as it is.
    await client.crm.properties.coreApi.update('deals', 'leadloop_opportunity_id', { label: 'SF opportunity', hasUniqueValue: false } as never);
    expect(await client.crm.properties.coreApi.getByName('deals', 'leadloop_opportunity_id')).toMatchObject({ label: 'SF opportunity', hasUniqueValue: true });
    // Sent by hand, it is refused, either way.
    for (const hasUniqueValue of [false, true]) {
      const refused = await call<ErrorBody>('PATCH', '/crm/v3/properties/deals/leadloop_opportunity_id', { hasUniqueValue });
      expect(refused.status).toBe(400);
      expect(refused.body.category).toBe('VALIDATION_ERROR');
    }
    const plain = await call<ErrorBody>('PATCH', '/crm/v3/properties/deals/closed_lost_reason', { hasUniqueValue: true });
    expect(plain.status).toBe(400);
  });

  it('allows 10 unique-value properties per object type and refuses the 11th', async () => {
    const make = (n: number, unique: boolean) =>
      client.crm.properties.coreApi.create('companies', {
        name: `external_key_${n}`,
        label: `External key ${n}`,
        type: 'string' as never,
        fieldType: 'text' as never,
        groupName: 'companyinformation',
        hasUniqueValue: unique,
      });
    for (let n = 1; n <= 10; n++) await make(n, true);
    const error = await sdkError(make(11, true));
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
    expect(objects('Error', error.body)).toEqual([]);
    // The limit is per object type and counts unique ones only.
    expect((await make(12, false)).hasUniqueValue).toBe(false);
    const deals = await client.crm.properties.coreApi.getAll('deals');
    expect(deals.results.filter((p) => p.hasUniqueValue && !p.hubspotDefined)).toHaveLength(1);
  });

  it('refuses a create or update that would duplicate a unique value with a 409 naming the holder', async () => {
    const first = await client.crm.deals.basicApi.create({ properties: deal('Unique A', 'appointmentscheduled', { leadloop_opportunity_id: '006A000001' }), associations: [] });
    const duplicate = await sdkError(client.crm.deals.basicApi.create({ properties: deal('Unique B', 'appointmentscheduled', { leadloop_opportunity_id: '006A000001' }), associations: [] }));
    expect(duplicate.code).toBe(409);
    expect(duplicate.body).toMatchObject({ category: 'CONFLICT', context: { propertyName: ['leadloop_opportunity_id'], id: [first.id] } });
    expect(duplicate.body.message).toContain(`Existing ID: ${first.id}`);

    const second = await client.crm.deals.basicApi.create({ properties: deal('Unique B', 'appointmentscheduled', { leadloop_opportunity_id: '006A000002' }), associations: [] });
    expect((await sdkError(client.crm.deals.basicApi.update(second.id, { properties: { leadloop_opportunity_id: '006A000001' } }))).code).toBe(409);
    // Rewriting a record's own value is no conflict; clearing a value frees it.
    await client.crm.deals.basicApi.update(first.id, { properties: { leadloop_opportunity_id: '006A000001', amount: '10' } });
    await client.crm.deals.basicApi.update(first.id, { properties: { leadloop_opportunity_id: '' } });
    await client.crm.deals.basicApi.update(second.id, { properties: { leadloop_opportunity_id: '006A000001' } });
    // Two inputs of one batch claiming one value: the batch is refused, nothing written.
    const before = sandbox.hubspot.deals().length;
    const batch = await sdkError(
      client.crm.deals.batchApi.create({
        inputs: [
          { properties: deal('Twin 1', 'appointmentscheduled', { leadloop_opportunity_id: '006A000009' }), associations: [] },
          { properties: deal('Twin 2', 'appointmentscheduled', { leadloop_opportunity_id: '006A000009' }), associations: [] },
        ],
      }),
    );
    expect(batch.code).toBe(400);
    expect(sandbox.hubspot.deals()).toHaveLength(before);
  });

  it('upserts a batch by a unique-value idProperty: creates, then updates the same deals', async () => {
    const request = {
      inputs: [
        { id: '006U000001', idProperty: 'leadloop_opportunity_id', properties: deal('Upserted 1') },
        { id: '006U000002', idProperty: 'leadloop_opportunity_id', properties: deal('Upserted 2') },
      ],
    };
    // The request has the documented upsert request's shape (there by email with contact properties, here by our own unique property).
    const documented = fixture<{ inputs: { properties: unknown }[] }>('hubspot/batch_upsert_request_email.json');
    documented.inputs[0]!.properties = {};
    expect(missingFromShape(documented, request)).toEqual([]);
    expect(objects('BatchInputSimplePublicObjectBatchInputUpsert', request)).toEqual([]);
    const created = await client.crm.deals.batchApi.upsert(request);
    expect(created.results.map((r) => [r.properties.leadloop_opportunity_id, r._new])).toEqual([
      ['006U000001', true],
      ['006U000002', true],
    ]);
    const updated = await client.crm.deals.batchApi.upsert({
      inputs: [
        { id: '006U000001', idProperty: 'leadloop_opportunity_id', properties: { dealstage: 'closedwon' } },
        { id: '006U000003', idProperty: 'leadloop_opportunity_id', properties: deal('Upserted 3') },
      ],
    });
    expect(updated.results.map((r) => [r.id, r._new])).toEqual([
      [created.results[0]!.id, false],
      [expect.any(String), true],
    ]);
    expect(sandbox.hubspot.getDeal(created.results[0]!.id)?.properties).toMatchObject({ dealname: 'Upserted 1', dealstage: 'closedwon', hs_is_closed_won: 'true' });
    const { body } = await call('POST', '/crm/v3/objects/deals/batch/upsert', { inputs: [{ id: '006U000001', idProperty: 'leadloop_opportunity_id', properties: { amount: '5' } }] });
    expect(objects('BatchResponseSimplePublicUpsertObject', body)).toEqual([]);
    // Reads by the unique property too.
    expect((await client.crm.deals.basicApi.getById('006U000002', ['dealname'], undefined, undefined, false, 'leadloop_opportunity_id')).properties.dealname).toBe('Upserted 2');
    // Only a unique-value property identifies a record.
    const error = await sdkError(client.crm.deals.batchApi.upsert({ inputs: [{ id: 'Upserted 1', idProperty: 'dealname', properties: { amount: '1' } }] }));
    expect(error.code).toBe(400);
  });
});

describe('HubSpot associations v4 (SDK)', () => {
  it('creates default associations in a batch, both directions, and reads them with their type ids', async () => {
    const company = sandbox.hubspot.createCompany({ name: 'Batch Co', domain: 'batch.example' });
    const created = await client.crm.associations.v4.batchApi.createDefault('contacts', 'companies', {
      inputs: [
        { _from: { id: '1002' }, to: { id: company.id } },
        { _from: { id: '1003' }, to: { id: company.id } },
      ],
    });
    expect(created.results).toContainEqual({ _from: { id: '1002' }, to: { id: company.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 } });
    expect(created.results).toContainEqual({ _from: { id: company.id }, to: { id: '1002' }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 } });
    const { status, body } = await call('POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs: [{ id: company.id }] });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'COMPLETE',
      results: [
        {
          from: { id: company.id },
          to: [
            { toObjectId: '1002', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] },
            { toObjectId: '1003', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] },
          ],
        },
      ],
    });
    // HubSpot sends `label: null` for an unlabelled type, where the spec types label as a string.
    expect(associationsSpec('BatchResponsePublicAssociationMultiWithLabel', body)).toEqual([
      '/results/0/to/0/associationTypes/0/label must be string',
      '/results/0/to/1/associationTypes/0/label must be string',
    ]);
    // A default association is unlabelled: the contact gets no primary company from it.
    expect(sandbox.hubspot.getContact('1002')?.properties.associatedcompanyid ?? null).toBeNull();
  });

  it('answers a batch read 207 for an id with nothing associated, which the SDK returns without throwing', async () => {
    const lonely = sandbox.hubspot.createCompany({ name: 'No contacts' });
    const result: BatchAnswer = await client.crm.associations.v4.batchApi.getPage('companies', 'contacts', { inputs: [{ id: lonely.id }] });
    expect(result.results).toEqual([]);
    expect(result.errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', context: { fromObjectId: [lonely.id] } });
  });

  it('associates what it can of a batch and reports a missing record per input (207)', async () => {
    const d = sandbox.hubspot.createDeal(deal('Partly associated'));
    const { status, body } = await call<BatchAnswer>('POST', '/crm/v4/associations/deals/contacts/batch/associate/default', {
      inputs: [
        { from: { id: d.id }, to: { id: '1004' } },
        { from: { id: d.id }, to: { id: '424242' } },
      ],
    });
    expect(status).toBe(207);
    expect(body.results).toHaveLength(2);
    expect(body.numErrors).toBe(1);
    expect(body.errors?.[0]?.context).toEqual({ toObjectId: ['424242'] });
    expect(sandbox.hubspot.associations('deals', d.id, 'contacts')).toEqual([{ id: '1004', typeIds: [AssociationTypes.dealToContact] }]);
    // The spec types StandardError.subCategory as an object; HubSpot sends a string.
    expect(associationsSpec('BatchResponsePublicDefaultAssociation', body)).toEqual(['/errors/0/subCategory must be object']);
  });

  it('makes a company primary with its labelled type, moves the primary, and keeps the old one unlabelled', async () => {
    const a = sandbox.hubspot.createCompany({ name: 'Primary A' });
    const b = sandbox.hubspot.createCompany({ name: 'Primary B' });
    const labelled = await client.crm.associations.v4.basicApi.create('contacts', '1005', 'companies', a.id, [
      { associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.primaryContactToCompany },
    ]);
    expect(labelled).toMatchObject({ fromObjectTypeId: '0-1', fromObjectId: '1005', toObjectTypeId: '0-2', toObjectId: a.id, labels: ['Primary'] });
    expect(sandbox.hubspot.getContact('1005')?.properties.associatedcompanyid).toBe(a.id);
    await client.crm.associations.v4.basicApi.create('contacts', '1005', 'companies', b.id, [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: AssociationTypes.primaryContactToCompany }]);
    expect(sandbox.hubspot.getContact('1005')?.properties.associatedcompanyid).toBe(b.id);
    const page = await client.crm.associations.v4.basicApi.getPage('contacts', '1005', 'companies');
    expect(page.results).toEqual([
      { toObjectId: a.id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] },
      {
        toObjectId: b.id,
        associationTypes: [
          { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
          { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
        ],
      },
    ]);
    // Removing the primary label leaves the association; removing the association clears the primary company.
    await client.crm.associations.v4.batchApi.archiveLabels('contacts', 'companies', {
      inputs: [{ _from: { id: '1005' }, to: { id: b.id }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: 1 }] }],
    });
    expect(sandbox.hubspot.associations('contacts', '1005', 'companies')).toEqual([
      { id: a.id, typeIds: [279] },
      { id: b.id, typeIds: [279] },
    ]);
    expect(sandbox.hubspot.getContact('1005')?.properties.associatedcompanyid ?? null).toBeNull();
    await client.crm.associations.v4.batchApi.archive('contacts', 'companies', { inputs: [{ _from: { id: '1005' }, to: [{ id: a.id }, { id: b.id }] }] });
    expect(sandbox.hubspot.associations('companies', a.id, 'contacts')).toEqual([]);
  });

  it('pages a record’s associations with limit and after, and refuses more than 1,000 batch read inputs', async () => {
    const c = sandbox.hubspot.createCompany({ name: 'Many contacts' });
    for (const id of ['1010', '1011', '1012', '1013', '1014']) sandbox.hubspot.associate('companies', c.id, 'contacts', id);
    const first = await client.crm.associations.v4.basicApi.getPage('companies', c.id, 'contacts', undefined, 2);
    expect(first.results.map((r) => r.toObjectId)).toEqual(['1010', '1011']);
    const rest = await client.crm.associations.v4.basicApi.getPage('companies', c.id, 'contacts', first.paging!.next!.after, 500);
    expect(rest.results.map((r) => r.toObjectId)).toEqual(['1012', '1013', '1014']);
    expect(rest.paging).toBeUndefined();
    const error = await sdkError(client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: Array.from({ length: 1_001 }, (_, i) => ({ id: String(i) })) }));
    expect(error.code).toBe(400);
  });

  it('creates a default association between two records with PUT, and refuses a record that does not exist', async () => {
    const d = sandbox.hubspot.createDeal(deal('Single PUT'));
    const answer = await client.crm.associations.v4.basicApi.createDefault('deals', d.id, 'companies', sandbox.hubspot.createCompany({ name: 'PUT Co' }).id);
    expect(answer.results.map((r) => r.associationSpec.associationTypeId)).toEqual([AssociationTypes.dealToCompany, AssociationTypes.companyToDeal]);
    const { body } = await call('PUT', `/crm/v4/objects/deals/${d.id}/associations/default/contacts/1001`);
    expect(associationsSpec('BatchResponsePublicDefaultAssociation', body)).toEqual([]);
    const missing = await sdkError(client.crm.associations.v4.basicApi.createDefault('deals', d.id, 'contacts', '999999'));
    expect(missing.code).toBe(400);
    expect(missing.body.context).toEqual({ toObjectId: ['999999'] });
  });
});

describe('HubSpot CRM objects: scopes, rate limits, faults and the request log', () => {
  it('answers 403 MISSING_SCOPES to deal calls when the app lacks the deals scope, contacts still served', async () => {
    const scoped = await startSandbox({ contacts: 2, hubspot: { missingScopes: ['crm.objects.deals.read'] } });
    try {
      const c = new Client({ accessToken: scoped.connectionInfo().hubspot.accessToken, basePath: scoped.url, numberOfApiCallRetries: 1 });
      const error = await sdkError(c.crm.deals.basicApi.getPage(1));
      expect(error.code).toBe(403);
      expect(missingFromShape(fixture('hubspot/error_403_missing_scopes.json'), error.body)).toEqual([]);
      expect(error.body.errors?.[0]?.context).toEqual({ requiredGranularScopes: ['crm.objects.deals.read'] });
      expect((await c.crm.contacts.basicApi.getPage(1)).results).toHaveLength(1);
    } finally {
      await scoped.close();
    }
  });

  it('counts deal and association calls in the 10-second budget and the request log, and injects faults into them', async () => {
    const limited = await startSandbox({ contacts: 1, hubspot: { tenSecondlyLimit: 2, dailyLimit: 100 } });
    try {
      const c = new Client({ accessToken: limited.connectionInfo().hubspot.accessToken, basePath: limited.url, numberOfApiCallRetries: 1 });
      const page = await c.crm.deals.basicApi.getPageWithHttpInfo(1);
      expect(page.headers['x-hubspot-ratelimit-remaining']).toBe('1');
      await c.crm.associations.v4.basicApi.getPage('contacts', '1001', 'deals');
      const error = await sdkError(c.crm.pipelines.pipelinesApi.getAll('deals'));
      expect(error.code).toBe(429);
      expect(limited.requestLog.counts('hubspot')).toEqual({ 'deals.list': 1, 'associations.v4.list': 1, 'pipelines.deals.list': 1 });
    } finally {
      await limited.close();
    }
    const faulty = await startSandbox({ faults: { hubspot: { rate5xx: 1 } } });
    try {
      const c = new Client({ accessToken: faulty.connectionInfo().hubspot.accessToken, basePath: faulty.url, numberOfApiCallRetries: 1 });
      expect([500, 502, 503]).toContain((await sdkError(c.crm.companies.basicApi.getPage(1))).code);
    } finally {
      await faulty.close();
    }
  });
});

describe('HubSpot deals written by a unique property, as the won/lost feedback writes them (SDK)', () => {
  const KEY = 'contract_opportunity_id';
  beforeAll(async () => {
    await client.crm.properties.coreApi.create('deals', {
      name: KEY,
      label: 'Opportunity id (contract)',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'dealinformation',
      hasUniqueValue: true,
    });
  });
  const keyed = (name: string, value: string) => deal(name, 'appointmentscheduled', { [KEY]: value });

  it('refuses a whole batch create with a 409 for one held unique value without trace ids; with them, reports that input (207) and creates the rest', async () => {
    const held = await client.crm.deals.basicApi.create({ properties: keyed('Held', '006C000001'), associations: [] });
    const before = sandbox.hubspot.deals().length;
    const whole = await sdkError(
      client.crm.deals.batchApi.create({
        inputs: [
          { properties: keyed('New 2', '006C000002'), associations: [] },
          { properties: keyed('Again 1', '006C000001'), associations: [] },
        ],
      }),
    );
    expect(whole.code).toBe(409);
    expect(whole.body).toMatchObject({ category: 'CONFLICT', context: { propertyName: [KEY], id: [held.id] } });
    expect(sandbox.hubspot.deals()).toHaveLength(before);

    const traced = (await client.crm.deals.batchApi.create({
      inputs: [
        { properties: keyed('New 2', '006C000002'), associations: [], objectWriteTraceId: '006C000002' },
        { properties: keyed('Again 1', '006C000001'), associations: [], objectWriteTraceId: '006C000001' },
      ],
    })) as Omit<BatchAnswer, 'results'> & { results: { properties: Record<string, string> }[] };
    expect(traced.results.map((r) => r.properties[KEY])).toEqual(['006C000002']);
    expect(traced.errors).toHaveLength(1);
    expect(traced.errors?.[0]).toMatchObject({ category: 'CONFLICT', context: { objectWriteTraceId: ['006C000001'], propertyName: [KEY], id: [held.id] } });
    expect(sandbox.hubspot.deals()).toHaveLength(before + 1);
  });

  it('reads and updates a batch by the unique property (idProperty); a value no deal holds is OBJECT_NOT_FOUND in a 207', async () => {
    const a = await client.crm.deals.basicApi.create({ properties: keyed('Keyed A', '006C000010'), associations: [] });
    const read = (await client.crm.deals.batchApi.read({ inputs: [{ id: '006C000010' }, { id: '006C000099' }], idProperty: KEY, properties: [KEY], propertiesWithHistory: [] })) as Omit<
      BatchAnswer,
      'results'
    > & {
      results: { id: string }[];
    };
    expect(read.results.map((r) => r.id)).toEqual([a.id]);
    expect(read.errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['006C000099'] } });

    const updated = (await client.crm.deals.batchApi.update({
      inputs: [
        { id: '006C000010', idProperty: KEY, properties: { dealstage: 'closedwon', amount: '900' } },
        { id: '006C000099', idProperty: KEY, properties: { dealstage: 'closedwon' } },
      ],
    })) as Omit<BatchAnswer, 'results'> & { results: { id: string }[] };
    expect(updated.results.map((r) => r.id)).toEqual([a.id]);
    expect(updated.errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['006C000099'] } });
    expect(sandbox.hubspot.getDeal(a.id)?.properties).toMatchObject({ dealstage: 'closedwon', amount: '900', hs_is_closed_won: 'true' });
    const { status, body } = await call('POST', '/crm/v3/objects/deals/batch/update', { inputs: [{ id: '006C000010', idProperty: KEY, properties: { amount: '901' } }] });
    expect(status).toBe(200);
    expect(objects('BatchResponseSimplePublicObject', body)).toEqual([]);
    // A property that is not unique identifies nothing, and neither does hs_object_id named as idProperty:
    // the record id goes in `id` alone (the whole batch is refused with HubSpot's "non-unique" 400).
    for (const [id, idProperty] of [
      ['Keyed A', 'dealname'],
      [a.id, 'hs_object_id'],
    ] as const) {
      const refused = await sdkError(client.crm.deals.batchApi.update({ inputs: [{ id, idProperty, properties: { amount: '1' } }] }));
      expect(refused.code).toBe(400);
      expect(refused.body).toMatchObject({ category: 'VALIDATION_ERROR', message: `Unable to perform update/upsert by non-unique 0-3 property ${idProperty} in portal ID 62515` });
    }
    await client.crm.deals.batchApi.update({ inputs: [{ id: a.id, properties: { amount: '902' } }] });
    expect(sandbox.hubspot.getDeal(a.id)?.properties.amount).toBe('902');
  });

  it("searches deals (HAS_PROPERTY on the Salesforce connector's hs_salesforceopportunityid), and refuses a filter on an unknown property with 400", async () => {
    const synced = sandbox.hubspot.createDeal(deal('Connector synced'));
    sandbox.hubspot.updateDeal(synced.id, { hs_salesforceopportunityid: '006Dn00000ZyXwVUA1' });
    const page = await client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_salesforceopportunityid', operator: 'HAS_PROPERTY' as never }] }],
      properties: ['hs_salesforceopportunityid', 'dealname'],
      limit: 1,
    } as never);
    expect(page.total).toBe(1);
    expect(page.results[0]).toMatchObject({ id: synced.id, properties: { hs_salesforceopportunityid: '006Dn00000ZyXwVUA1', dealname: 'Connector synced', hs_object_id: synced.id } });
    // Deals have hs_lastmodifieddate, no lastmodifieddate (docs/hubspot-api.md#search).
    expect(Object.keys(page.results[0]!.properties).sort()).toEqual(['createdate', 'dealname', 'hs_lastmodifieddate', 'hs_object_id', 'hs_salesforceopportunityid']);
    const { body } = await call('POST', '/crm/v3/objects/deals/search', { filterGroups: [{ filters: [{ propertyName: 'dealname', operator: 'EQ', value: 'Connector synced' }] }], limit: 5 });
    expect(objects('CollectionResponseWithTotalSimplePublicObject', body)).toEqual(['/results/0/properties/amount must be string', '/results/0/properties/closedate must be string']);
    const error = await sdkError(client.crm.deals.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'no_such_property', operator: 'HAS_PROPERTY' as never }] }], limit: 1 } as never));
    expect(error.code).toBe(400);
    expect(error.body.category).toBe('VALIDATION_ERROR');
  });

  it('counts association batch calls against the daily limit only (the spec exempts them from the 10-second one); deal search against the per-second search limit', async () => {
    const limited = await startSandbox({ contacts: 2, hubspot: { tenSecondlyLimit: 1, searchPerSecond: 1, dailyLimit: 100 } });
    try {
      const c = new Client({ accessToken: limited.connectionInfo().hubspot.accessToken, basePath: limited.url, numberOfApiCallRetries: 1 });
      await c.crm.deals.basicApi.getPage(1);
      expect((await sdkError(c.crm.deals.basicApi.getPage(1))).code).toBe(429);
      for (let i = 0; i < 3; i++) {
        const answer = await c.crm.associations.v4.batchApi.getPageWithHttpInfo('contacts', 'companies', { inputs: [{ id: '1001' }] });
        expect(answer.httpStatusCode).toBe(207);
        expect(answer.headers['x-hubspot-ratelimit-remaining']).toBeUndefined();
        expect(answer.headers['x-hubspot-ratelimit-daily-remaining']).toBe(String(100 - 2 - i));
      }
      await c.crm.associations.v4.batchApi.createDefault('contacts', 'companies', { inputs: [] });
      const search = () => c.crm.deals.searchApi.doSearch({ filterGroups: [], limit: 1 } as never);
      await search();
      const secondly = await sdkError(search());
      expect(secondly.code).toBe(429);
      expect(secondly.body).toMatchObject({ policyName: 'SECONDLY' });
      // The single-record association endpoints are not exempt.
      expect((await sdkError(c.crm.associations.v4.basicApi.getPage('contacts', '1001', 'companies'))).code).toBe(429);
      expect(limited.requestLog.counts('hubspot')).toMatchObject({ 'associations.v4.batch.read': 3, 'associations.v4.batch.associate-default': 1, 'deals.search': 2 });
    } finally {
      await limited.close();
    }
  });
});
