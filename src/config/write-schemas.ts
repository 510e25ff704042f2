/** Regenerates config/schema/*.schema.json from the zod schemas: `npm run config:schemas`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderedSchemas } from './json-schema.ts';

const folder = join(import.meta.dirname, '../../config/schema');
mkdirSync(folder, { recursive: true });
for (const [file, text] of Object.entries(renderedSchemas())) {
  writeFileSync(join(folder, file), text);
  console.log(`wrote config/schema/${file}`);
}
