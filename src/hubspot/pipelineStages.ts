import type { Client } from '@hubspot/api-client';
import { classifyHubSpotError } from './errors.ts';

export interface PipelineStages {
  /** The pipeline's label ("Sales Pipeline"). */
  pipeline: string;
  /** Its stages in display order, by internal id (the values `dealstage` takes). */
  stages: { id: string; label: string; isClosed: boolean; probability: number }[];
}

/**
 * One deal pipeline's stages (`GET /crm/v3/pipelines/deals/{pipelineId}`): each stage's internal
 * id, label, and its `metadata` strings `isClosed` ("true"/"false") and `probability` ("0.2")
 * read as a boolean and a number (docs/hubspot-api.md#deals-and-pipelines). A pipeline that does
 * not exist (404) is undefined.
 */
export async function pipelineStages(client: Client, pipelineId: string): Promise<PipelineStages | undefined> {
  try {
    const pipeline = await client.crm.pipelines.pipelinesApi.getById('deals', pipelineId);
    const stages = [...pipeline.stages].filter((s) => !s.archived).sort((a, b) => a.displayOrder - b.displayOrder);
    return {
      pipeline: pipeline.label,
      stages: stages.map((s) => ({ id: s.id, label: s.label, isClosed: s.metadata?.isClosed === 'true', probability: Number(s.metadata?.probability ?? 0) })),
    };
  } catch (raw) {
    if ((raw as { code?: unknown }).code === 404) return undefined;
    throw classifyHubSpotError(raw);
  }
}
