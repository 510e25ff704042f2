import type { SandboxReply } from '../types.ts';
import { hubspotError } from './errors.ts';

/**
 * Deal pipelines. Deals name their pipeline and stage by **internal id** (`pipeline: "default"`,
 * `dealstage: "closedwon"`), never by label; a portal's own pipelines and stages get numeric ids.
 * Each stage's `metadata` holds `isClosed` and `probability` as strings (pipelines API,
 * docs/hubspot-api.md#deals-and-pipelines).
 */
export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: { isClosed: 'true' | 'false'; probability: string };
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: PipelineStage[];
}

const stage = (id: string, label: string, displayOrder: number, probability: string, isClosed = false): PipelineStage => ({
  id,
  label,
  displayOrder,
  metadata: { isClosed: isClosed ? 'true' : 'false', probability },
});

/** Every HubSpot account's default deal pipeline ("Sales Pipeline"), its stage ids and win probabilities. */
export function defaultDealPipelines(): Pipeline[] {
  return [
    {
      id: 'default',
      label: 'Sales Pipeline',
      displayOrder: 0,
      stages: [
        stage('appointmentscheduled', 'Appointment Scheduled', 0, '0.2'),
        stage('qualifiedtobuy', 'Qualified To Buy', 1, '0.4'),
        stage('presentationscheduled', 'Presentation Scheduled', 2, '0.6'),
        stage('decisionmakerboughtin', 'Decision Maker Bought-In', 3, '0.8'),
        stage('contractsent', 'Contract Sent', 4, '0.9'),
        stage('closedwon', 'Closed Won', 5, '1.0', true),
        stage('closedlost', 'Closed Lost', 6, '0.0', true),
      ],
    },
  ];
}

// The default pipeline's timestamps as HubSpot reports them (epoch 0: it predates the account). Unconfirmed.
const CREATED = '1970-01-01T00:00:00Z';

function presentStage(s: PipelineStage) {
  return { ...s, metadata: { ...s.metadata }, createdAt: CREATED, updatedAt: CREATED, archived: false, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT' };
}

export function presentPipeline(p: Pipeline) {
  return { id: p.id, label: p.label, displayOrder: p.displayOrder, stages: p.stages.map(presentStage), createdAt: CREATED, updatedAt: CREATED, archived: false };
}

/** `GET /crm/v3/pipelines/deals[/{pipelineId}[/stages[/{stageId}]]]`. */
export function handlePipelines(endpoint: string, pipelines: Pipeline[], pipelineId: string | undefined, stageId: string | undefined): SandboxReply {
  if (endpoint === 'pipelines.deals.list') return { status: 200, endpoint, body: { results: pipelines.map(presentPipeline) } };
  const pipeline = pipelines.find((p) => p.id === pipelineId);
  // The 404's wording is unconfirmed.
  if (!pipeline) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `Unable to find pipeline ${pipelineId} for object type deals`, { context: { pipelineId: [String(pipelineId)] } });
  if (endpoint === 'pipelines.deals.get') return { status: 200, endpoint, body: presentPipeline(pipeline) };
  if (endpoint === 'pipelines.deals.stages') return { status: 200, endpoint, body: { results: pipeline.stages.map(presentStage) } };
  const found = pipeline.stages.find((s) => s.id === stageId);
  if (!found) return hubspotError(endpoint, 404, 'OBJECT_NOT_FOUND', `Unable to find stage ${stageId} in pipeline ${pipeline.id}`, { context: { stageId: [String(stageId)] } });
  return { status: 200, endpoint, body: presentStage(found) };
}
