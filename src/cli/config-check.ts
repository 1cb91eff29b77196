import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { redactConfig } from '../config/redact.js';

/** `vigil config check FILE`: validate and exit 0, or print file:line:col errors and exit 2. */
export function registerConfig(program: Command): void {
  const config = program.command('config').description('work with vigil.yaml');
  config
    .command('check')
    .description('validate a configuration file; exit code 2 and file:line:column errors when invalid')
    .argument('<file>', 'the configuration file')
    .option('--print', 'print the resolved configuration (defaults filled in, secrets redacted)')
    .action((file: string, opts: { print?: boolean }) => {
      const cfg = loadConfig(file);
      process.stdout.write(`${file}: configuration is valid\n`);
      if (opts.print) process.stdout.write(JSON.stringify(redactConfig(cfg), null, 2) + '\n');
    });
}
