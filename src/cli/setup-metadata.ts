import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { customFieldsNeeded, metadataProject } from '../domain/salesforce-metadata.ts';
import type { OrgSetup } from '../pipeline/ports.ts';

/**
 * The custom fields the mapping needs that the org lacks (by describe of the objects they live
 * on), written as a Salesforce DX project in `dir` for an admin to deploy with their own tools
 * (`sf project deploy start --source-dir <dir>/force-app`). Nothing is written when none is
 * missing, or on a dry run (`write: false`): the list alone comes back.
 */
export async function missingFieldMetadata(
  org: Pick<OrgSetup, 'describe'>,
  config: LeadloopConfig,
  options: { dir: string; apiVersion: string; write: boolean },
): Promise<{ missing: string[]; dir?: string }> {
  const specs = customFieldsNeeded(config.mapping, config.scoring.caps.total);
  const described = await org.describe([...new Set(specs.map((s) => s.object))]);
  const missing = specs.filter((s) => described.get(s.object)?.has(s.name.toLowerCase()) !== true);
  const names = missing.map((s) => `${s.object}.${s.name}`);
  if (missing.length === 0 || !options.write) return { missing: names };
  const root = resolve(options.dir);
  for (const file of metadataProject(missing, options.apiVersion)) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
  return { missing: names, dir: root };
}
