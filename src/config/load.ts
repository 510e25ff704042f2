import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { CONFIG_FILES, CONFIG_FILE_NAMES } from './config-files.ts';
import { crossCheck, suggest, type ConfigFileName, type LeadloopConfig } from './cross-check.ts';
import { knownKeys } from './json-schema.ts';
import { LeadloopError } from '../errors/index.ts';

/** One problem in a config file, with where it is. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Where inside the document, e.g. `rules[2].when.op`. */
  path: string;
  message: string;
}

/** Line and column of a path in one of the files (for checks that run after loading, e.g. against the HubSpot portal). */
export type ConfigLocate = (file: ConfigFileName, path: readonly (string | number)[]) => { line: number; column: number } | undefined;

/** `version` is the content hash of the four files (what decisions record and the ledger's config_versions keys on); `files` their text by file name. */
export type LoadResult = { ok: true; config: LeadloopConfig; version: string; files: Record<string, string>; locate: ConfigLocate } | { ok: false; errors: ConfigIssue[] };

/** The config files were refused; `issues` lists every problem found. */
export class ConfigInvalid extends LeadloopError {
  override readonly name = 'ConfigInvalid';
  readonly code = 'CONFIG_INVALID' as const;
  readonly system = 'leadloop' as const;
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`config is invalid:\n${issues.map(formatIssue).join('\n')}`);
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.path || '(top)'}: ${issue.message}`;
}

interface ParsedFile {
  name: ConfigFileName;
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  text: string;
}

/**
 * Loads and validates the four config files of a folder. Reports every problem of every file
 * at once, each with file, line, column, path and reason; cross-file checks run once all four
 * files are individually valid.
 */
export async function loadConfigDir(dir: string): Promise<LoadResult> {
  const errors: ConfigIssue[] = [];
  const parsed: Partial<Record<ConfigFileName, { value: unknown; file: ParsedFile }>> = {};
  const texts: string[] = [];
  const files: Record<string, string> = {};

  for (const name of CONFIG_FILE_NAMES) {
    const file = CONFIG_FILES[name].file;
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing' : `cannot be read: ${(error as Error).message}`;
      errors.push({ file, line: 1, column: 1, path: '', message: reason });
      continue;
    }
    texts.push(text);
    files[file] = text;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const source: ParsedFile = { name, file, doc, lines, text };
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        errors.push({ file, line: pos.line, column: pos.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
      }
      continue;
    }
    const result = CONFIG_FILES[name].schema.safeParse(doc.toJS() ?? {});
    if (!result.success) {
      errors.push(...zodIssues(result.error.issues, source));
      continue;
    }
    parsed[name] = { value: result.data, file: source };
  }

  if (errors.length === 0) {
    const config = Object.fromEntries(CONFIG_FILE_NAMES.map((n) => [n, parsed[n]!.value])) as unknown as LeadloopConfig;
    for (const issue of crossCheck(config)) {
      const source = parsed[issue.file]!.file;
      errors.push({ ...locate(source, issue.path), file: source.file, path: renderPath(issue.path), message: issue.message });
    }
    if (errors.length === 0) {
      const version = contentHash(texts);
      const locateIn: ConfigLocate = (name, path) => {
        const source = parsed[name]?.file;
        return source ? locate(source, path) : undefined;
      };
      return { ok: true, config, version, files, locate: locateIn };
    }
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { ok: false, errors };
}

/** The version of a config: a hash of the four files' text, in their fixed order. */
function contentHash(texts: readonly string[]): string {
  return createHash('sha256').update(texts.join('\0')).digest('hex').slice(0, 12);
}

/**
 * The content hash of a config folder as it is now, without parsing anything: equal to the
 * version loadConfigDir gives when the files are valid. A file that cannot be read changes the
 * hash too (its error stands in for its text), so a deletion is noticed and then refused.
 */
export async function configDirHash(dir: string): Promise<string> {
  const texts = await Promise.all(
    CONFIG_FILE_NAMES.map((name) => readFile(join(dir, CONFIG_FILES[name].file), 'utf8').catch((error: unknown) => `\0unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`)),
  );
  return contentHash(texts);
}

/** Throws ConfigInvalid instead of returning errors. */
export async function loadConfigDirOrThrow(dir: string): Promise<{ config: LeadloopConfig; version: string; files: Record<string, string>; locate: ConfigLocate }> {
  const result = await loadConfigDir(dir);
  if (!result.ok) throw new ConfigInvalid(result.errors);
  return result;
}

type ZodIssue = z.core.$ZodIssue;

function zodIssues(issues: readonly ZodIssue[], source: ParsedFile, prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch the author most likely meant: the one with the fewest complaints.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...zodIssues(best, source, path));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      // Nothing reads a key the schema does not name: refused, never silently ignored.
      const known = [...objectKeysAt(CONFIG_FILES[source.name].schema, path)];
      for (const key of issue.keys) {
        const hint = suggest(key, known.length > 0 ? known : knownKeys(source.name));
        const keyPath = [...path, key];
        const at = locate(source, keyPath, true);
        out.push({
          file: source.file,
          ...at,
          path: renderPath(keyPath),
          message: `unknown key "${key}" in ${source.file} at line ${at.line}${hint && hint !== key ? ` (did you mean "${hint}"?)` : ''}${known.length > 0 ? `; known keys: ${known.join(', ')}` : ''}`,
        });
      }
      continue;
    }
    const message = issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? `"${String(path.at(-1))}" is required` : issue.message;
    out.push({ file: source.file, ...locate(source, path), path: renderPath(path), message });
  }
  return out;
}

/**
 * The keys a schema's object at `path` knows (through optional, default, pipe, lazy, and every
 * branch of a union): what an unknown key there could have been.
 */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): Set<string> {
  const keys = new Set<string>();
  const visit = (node: z.core.$ZodType, rest: readonly PropertyKey[], depth: number): void => {
    if (depth > 64) return;
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    const inner = (name: string) => def[name] as z.core.$ZodType;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        visit(inner('innerType'), rest, depth + 1);
        return;
      case 'pipe':
        visit(inner('in'), rest, depth + 1);
        return;
      case 'lazy':
        visit((def.getter as () => z.core.$ZodType)(), rest, depth + 1);
        return;
      case 'union':
        for (const option of def.options as z.core.$ZodType[]) visit(option, rest, depth + 1);
        return;
      case 'object': {
        const shape = def.shape as Record<string, z.core.$ZodType>;
        if (rest.length === 0) {
          for (const key of Object.keys(shape)) keys.add(key);
          return;
        }
        const child = shape[String(rest[0])];
        if (child) visit(child, rest.slice(1), depth + 1);
        return;
      }
      case 'array':
        if (rest.length > 0) visit(inner('element'), rest.slice(1), depth + 1);
        return;
      case 'record':
        if (rest.length > 0) visit(inner('valueType'), rest.slice(1), depth + 1);
        return;
    }
  };
  visit(schema, path, 0);
  return keys;
}

/** Line and column of the node at `path`, or of its nearest existing parent (a missing key). */
function locate(source: ParsedFile, path: readonly PropertyKey[], atKey = false): { line: number; column: number } {
  let node: unknown = source.doc.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const keyNode = pair.key;
      if (atKey && segment === path.at(-1) && isNode(keyNode) && keyNode.range) {
        offset = keyNode.range[0];
        break;
      }
      node = pair.value;
      offset = isNode(node) && node.range ? node.range[0] : isNode(keyNode) && keyNode.range ? keyNode.range[0] : offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!isNode(node)) break;
      if (node.range) offset = node.range[0];
    } else {
      break;
    }
  }
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function renderPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)), '');
}
