import type { Client } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import type { DealWrite } from '../domain/feedback/types.ts';
import { batchCreateDeals } from './batchCreateDeals.ts';

const PROPERTY = 'leadloop_opportunity_id';

/**
 * A portal that refuses a whole batch create with one 409 when any input's unique value is held,
 * naming the first only, as HubSpot does for a contact's duplicate email (hubspot-api-python#51),
 * whatever objectWriteTraceId says: the emulator answers such a batch per input (207), so this
 * path is driven by a stand-in for the SDK.
 */
function wholeBatchPortal(held: Map<string, string>, options: { bareResults?: boolean } = {}) {
  const calls: string[] = [];
  let next = 500;
  const client = {
    crm: {
      deals: {
        batchApi: {
          create: async (request: { inputs: { properties: Record<string, string> }[] }) => {
            calls.push(`create ${request.inputs.length}`);
            const taken = request.inputs.find((i) => held.has(i.properties[PROPERTY]!));
            if (taken) {
              const value = taken.properties[PROPERTY]!;
              throw Object.assign(new Error('HTTP-Code: 409'), {
                code: 409,
                body: { status: 'error', category: 'CONFLICT', message: `A deal with ${PROPERTY} ${value} already exists. Existing ID: ${held.get(value)}` },
              });
            }
            const results = request.inputs.map((i) => {
              const id = String(next++);
              held.set(i.properties[PROPERTY]!, id);
              return { id, properties: options.bareResults ? { hs_object_id: id } : { ...i.properties } };
            });
            return { status: 'COMPLETE', results };
          },
          read: async (request: { inputs: { id: string }[]; idProperty: string }) => {
            calls.push(`read ${request.inputs.length}`);
            expect(request.idProperty).toBe(PROPERTY);
            return { results: request.inputs.flatMap((i) => (held.has(i.id) ? [{ id: held.get(i.id)!, properties: { [PROPERTY]: i.id } }] : [])) };
          },
        },
      },
    },
  };
  return { client: client as unknown as Client, calls };
}

const deal = (n: number): DealWrite => ({ opportunityId: `006${n}`, properties: { dealname: `D${n}`, pipeline: 'default', dealstage: 'qualifiedtobuy' }, contactIds: [], companyIds: [] });

describe('batchCreateDeals against a portal that refuses a batch whole for one held value', () => {
  it('finds the holders by the unique property, returns them as existing, and creates the rest in one more call', async () => {
    const held = new Map([
      ['0063', '11'],
      ['0067', '12'],
    ]);
    const { client, calls } = wholeBatchPortal(held);
    const result = await batchCreateDeals(
      client,
      PROPERTY,
      Array.from({ length: 10 }, (_, n) => deal(n)),
    );
    expect(result.existing).toEqual(
      new Map([
        ['0063', '11'],
        ['0067', '12'],
      ]),
    );
    expect([...result.created.keys()].sort()).toEqual(['0060', '0061', '0062', '0064', '0065', '0066', '0068', '0069']);
    expect(result.rejections).toEqual([]);
    expect(calls).toEqual(['create 10', 'read 10', 'create 8']);
  });

  it('rejects a deal still refused as a conflict when no deal holds its value', async () => {
    const { client } = wholeBatchPortal(new Map());
    const failing = {
      crm: {
        deals: {
          batchApi: {
            create: async () => {
              throw Object.assign(new Error('HTTP-Code: 409'), { code: 409, body: { status: 'error', category: 'CONFLICT', message: 'conflict' } });
            },
            read: client.crm.deals.batchApi.read,
          },
        },
      },
    } as unknown as Client;
    const result = await batchCreateDeals(failing, PROPERTY, [deal(1)]);
    expect(result.created.size).toBe(0);
    expect(result.existing.size).toBe(0);
    expect(result.rejections).toEqual([{ system: 'hubspot', recordKey: '0061', code: 'CONFLICT', fields: [PROPERTY] }]);
  });

  it('reads by the unique property which deals an answer created when its results do not carry the property', async () => {
    const { client, calls } = wholeBatchPortal(new Map([['0062', '11']]), { bareResults: true });
    const result = await batchCreateDeals(
      client,
      PROPERTY,
      Array.from({ length: 4 }, (_, n) => deal(n)),
    );
    expect(result.existing).toEqual(new Map([['0062', '11']]));
    expect(result.created).toEqual(
      new Map([
        ['0060', '500'],
        ['0061', '501'],
        ['0063', '502'],
      ]),
    );
    expect(calls).toEqual(['create 4', 'read 4', 'create 3', 'read 3']);
  });
});
