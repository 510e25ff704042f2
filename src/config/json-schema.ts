import { z } from 'zod';
import { CONFIG_FILES, CONFIG_FILE_NAMES } from './config-files.ts';
import type { ConfigFileName } from './cross-check.ts';

/** The JSON Schema editors use for a config file, generated from its zod schema. */
export function jsonSchemaFor(name: ConfigFileName): Record<string, unknown> {
  const { schema, title } = CONFIG_FILES[name];
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...generated, $id: `https://leadloop.dev/schema/${name}.schema.json`, title };
}

/** Every schema as the text written to config/schema/<name>.schema.json. */
export function renderedSchemas(): Record<string, string> {
  return Object.fromEntries(CONFIG_FILE_NAMES.map((name) => [`${name}.schema.json`, `${JSON.stringify(jsonSchemaFor(name), null, 2)}\n`]));
}

/** Every property name any schema knows, per file: the vocabulary for "did you mean" hints. */
export function knownKeys(name: ConfigFileName): Set<string> {
  const keys = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value && typeof value === 'object') for (const k of Object.keys(value)) keys.add(k);
      walk(value);
    }
  };
  walk(jsonSchemaFor(name));
  return keys;
}
