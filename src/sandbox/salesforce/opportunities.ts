/**
 * Opportunity as the org keeps it: IsClosed, IsWon, the default Probability and forecast category
 * follow the stage (the OpportunityStage records of the standard sales process); ExpectedRevenue
 * follows Amount and Probability; an OpportunityHistory row is written on create and whenever
 * StageName, Amount, CloseDate or Probability change; one primary contact role per opportunity;
 * contact roles, competitors and history go with a deleted opportunity.
 * Sources: docs/salesforce-api.md#opportunities.
 */
import type { Org } from './org.ts';
import { type SfRecord, sfDate } from './record.ts';
import type { ObjectRules, SaveEvent } from './rules.ts';
import { FORECAST_CATEGORIES, OPPORTUNITY_STAGE_TABLE } from './schema.ts';

export const stageOf = (name: unknown) => OPPORTUNITY_STAGE_TABLE.find((s) => s.name === name);

/** The fields whose change writes an OpportunityHistory row (OpportunityHistory object reference). */
const HISTORY_FIELDS = ['StageName', 'Amount', 'CloseDate', 'Probability'] as const;

export const opportunityRules: ObjectRules = {
  beforeSave({ record, before, changed }: SaveEvent) {
    const stage = stageOf(record.StageName);
    if (stage && (!before || 'StageName' in changed)) {
      // A new stage brings its flags, and its default probability and forecast category unless the same save sets them.
      record.IsClosed = stage.isClosed;
      record.IsWon = stage.isWon;
      if (!('Probability' in changed) || (changed.Probability === null && !before)) record.Probability = stage.probability;
      // A closed stage's forecast category is the stage's (Closed or Omitted) whatever was sent.
      if (stage.isClosed || !('ForecastCategoryName' in changed) || changed.ForecastCategoryName === null) record.ForecastCategoryName = stage.forecastCategoryName;
    }
    if (typeof record.ForecastCategoryName === 'string') record.ForecastCategory = FORECAST_CATEGORIES[record.ForecastCategoryName] ?? record.ForecastCategory;
    const amount = record.Amount;
    const probability = record.Probability;
    record.ExpectedRevenue = typeof amount === 'number' && typeof probability === 'number' ? (amount * probability) / 100 : null;
  },
  afterSave({ org, record, before, userId, at }: SaveEvent) {
    if (before && HISTORY_FIELDS.every((f) => before[f] === record[f])) return;
    org.insertRaw(
      'OpportunityHistory',
      {
        OpportunityId: record.Id,
        StageName: record.StageName,
        Amount: record.Amount ?? null,
        ExpectedRevenue: record.ExpectedRevenue ?? null,
        CloseDate: record.CloseDate ?? null,
        Probability: record.Probability ?? null,
        ForecastCategory: record.ForecastCategory ?? null,
        CreatedById: userId,
      },
      at,
    );
  },
  afterDelete(org: Org, record: SfRecord, at: number) {
    // Assumption: the opportunity's contact roles, competitors and stage history go to the recycle bin with it.
    for (const child of ['OpportunityContactRole', 'OpportunityCompetitor', 'OpportunityHistory']) {
      for (const row of org.table(child).values()) {
        if (!row.IsDeleted && row.OpportunityId === record.Id) Object.assign(row, { IsDeleted: true, SystemModstamp: sfDate(at) });
      }
    }
  },
};

export const contactRoleRules: ObjectRules = {
  afterSave({ org, record, userId, at }: SaveEvent) {
    // "Each opportunity has only one primary contact": making one primary makes the others not.
    if (record.IsPrimary !== true) return;
    for (const other of org.table('OpportunityContactRole').values()) {
      if (other.Id === record.Id || other.IsDeleted || other.OpportunityId !== record.OpportunityId || other.IsPrimary !== true) continue;
      Object.assign(other, { IsPrimary: false, LastModifiedDate: sfDate(at), SystemModstamp: sfDate(at), LastModifiedById: userId });
    }
  },
};

/** The OpportunityStage records of the standard sales process, as a new org has them (read through SOQL). */
export function seedOpportunityStages(org: Org, userId: string, at = org.clock.now()): void {
  if (org.table('OpportunityStage').size > 0) return;
  OPPORTUNITY_STAGE_TABLE.forEach((stage, i) => {
    org.insertRaw(
      'OpportunityStage',
      {
        MasterLabel: stage.name,
        ApiName: stage.name,
        IsActive: true,
        SortOrder: i + 1,
        IsClosed: stage.isClosed,
        IsWon: stage.isWon,
        ForecastCategory: FORECAST_CATEGORIES[stage.forecastCategoryName],
        ForecastCategoryName: stage.forecastCategoryName,
        DefaultProbability: stage.probability,
        Description: null,
        CreatedById: userId,
        LastModifiedById: userId,
      },
      at,
    );
  });
}
