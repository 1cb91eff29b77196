import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveConfig as resolveConfigFile } from '../config/load.js';
import type { VigilConfig } from '../config/schema.js';
import { createLogger } from '../api/logger.js';
import { startVigil } from '../app/vigil-app.js';
import { onShutdownSignal } from './exit.js';
import { parseListen } from '../config/listen.js';

interface ServeOptions {
  config?: string;
  listen?: string;
  dataDir?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Vigil: HTTP API, store and pipeline, configured by vigil.yaml')
    .option('-c, --config <file>', 'configuration file (default: ./vigil.yaml when present, else built-in defaults)')
    .option('--listen <host:port>', 'override server.listen')
    .option('--data-dir <dir>', 'override storage.dir')
    .action(async (opts: ServeOptions) => {
      const config = resolveConfig(opts);
      const logger = createLogger(config.server.logLevel);
      const app = await startVigil(config, logger, { configFile: configFileOf(opts) });
      onShutdownSignal(() => app.close());
      // SIGHUP reloads rules, as Prometheus does; invalid rules are logged and the old ones kept.
      process.on('SIGHUP', () => {
        try {
          app.reloadRules();
        } catch (e) {
          logger.error({ err: (e as Error).message }, 'rule reload failed; keeping the previous rules');
        }
      });
    });
}

function configFileOf(opts: ServeOptions): string | undefined {
  return opts.config ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
}

export function resolveConfig(opts: ServeOptions): VigilConfig {
  const file = configFileOf(opts);
  const config = resolveConfigFile(file, process.env);
  if (opts.listen) {
    const l = parseListen(opts.listen);
    config.server = { ...config.server, listen: l.listen, host: l.host, port: l.port };
  }
  if (opts.dataDir) config.storage = { ...config.storage, dir: opts.dataDir };
  return config;
}
