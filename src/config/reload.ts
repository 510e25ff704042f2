import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import type { LiveConfig } from './live-config.ts';
import { configDirHash, formatIssue, loadConfigDir } from './load.ts';

/** `leadloop_config_reloads_total{result}` and `leadloop_config_info{version}` (1 for the version in force). */
export interface ConfigReloadMetrics {
  reloads: Counter<'result'>;
  info: Gauge<'version'>;
}

const byRegistry = new WeakMap<Registry, ConfigReloadMetrics>();

/** The config reload metrics on `registry` (prom-client's default unless given), created once per registry. */
export function configReloadMetrics(registry: Registry = defaultRegistry): ConfigReloadMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = {
      reloads: new Counter({ name: 'leadloop_config_reloads_total', help: 'Changes of the config folder the worker applied or refused (invalid)', labelNames: ['result'], registers: [registry] }),
      info: new Gauge({ name: 'leadloop_config_info', help: 'The config version (content hash) in force: 1', labelNames: ['version'], registers: [registry] }),
    };
    // Both results from the start: a rate or an alert on refusals has a series before the first one.
    for (const result of ['applied', 'refused']) metrics.reloads.inc({ result }, 0);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

export interface ReloadLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ConfigReloadOptions {
  dir: string;
  live: LiveConfig;
  /** Stores a version the first time it is applied (the ledger's config_versions). */
  recordVersion(version: string, files: Readonly<Record<string, string>>): Promise<void>;
  log: ReloadLog;
  metrics: ConfigReloadMetrics;
  /** How long between two looks at the folder; read before each (the config in force sets it). */
  intervalMs(): number;
}

export type ReloadOutcome = 'unchanged' | 'settling' | 'applied' | 'refused';

/** Problems a refusal logs at most (the rest are counted): `config validate` lists them all. */
const LOGGED_PROBLEMS = 5;

/**
 * Live config: polls the folder's content hash (file watchers miss the symlink swap of a mounted
 * ConfigMap) and, once two looks in a row see the same new content (an editor's save in several
 * writes is not half-read), validates it as `config validate` does. A valid change is stored as a
 * version and put in force (the listeners of `live` upsert the schedulers); an invalid one is
 * refused with the same file:line errors, logged once, counted, and the config in force stays.
 */
export class ConfigReloader {
  readonly #options: ConfigReloadOptions;
  #pending: string | undefined;
  #refused: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;

  constructor(options: ConfigReloadOptions) {
    this.#options = options;
    options.metrics.info.reset();
    options.metrics.info.set({ version: options.live.current.version }, 1);
  }

  /** Looks at the folder every intervalMs() until stop(). */
  start(): void {
    const next = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => {
        this.#running = this.check()
          .catch((error: unknown) => this.#options.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'config reload check failed'))
          .finally(next);
      }, this.#options.intervalMs());
      this.#timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One look at the folder. */
  async check(): Promise<ReloadOutcome> {
    const { dir, live, log, metrics } = this.#options;
    const hash = await configDirHash(dir);
    if (hash === live.current.version || hash === this.#refused) {
      this.#pending = undefined;
      return 'unchanged';
    }
    if (hash !== this.#pending) {
      this.#pending = hash;
      return 'settling';
    }
    this.#pending = undefined;
    const result = await loadConfigDir(dir);
    if (!result.ok) {
      this.#refused = hash;
      metrics.reloads.inc({ result: 'refused' });
      const shown = result.errors.slice(0, LOGGED_PROBLEMS).map(formatIssue);
      log.warn(
        { dir, version: live.current.version, problems: result.errors.length, errors: shown },
        `config change refused (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}; \`leadloop config validate\` lists them): keeping version ${live.current.version}`,
      );
      return 'refused';
    }
    // Changed again while it was read: the next looks settle on the newest content.
    if (result.version !== hash) return 'settling';
    const previous = live.current.version;
    await this.#options.recordVersion(result.version, result.files);
    await live.apply({ config: result.config, version: result.version, locate: result.locate });
    this.#refused = undefined;
    metrics.reloads.inc({ result: 'applied' });
    metrics.info.reset();
    metrics.info.set({ version: result.version }, 1);
    log.info({ dir, version: result.version, previous }, `config version ${result.version} applied (was ${previous})`);
    return 'applied';
  }
}
