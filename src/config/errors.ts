import { VigilError } from '../core/errors.js';

/** One problem in a config, located so a person can go straight to it. */
export interface ConfigIssue {
  /**
   * The config file as named by the caller, or `$VIGIL_LISTEN` (say) when the
   * bad value came from an environment override rather than the file.
   */
  file: string;
  /** 1-based; 0 when the problem has no place in a file (an env override, an unreadable file). */
  line: number;
  column: number;
  /** Dotted path to the field, `storage.retention`, `services.0.name`; empty for the whole file. */
  path: string;
  message: string;
}

/**
 * An invalid or unreadable config. `message` lists every issue, one per line,
 * as `vigil.yaml:12:5: storage.retention: invalid duration "15x" (...)`, the
 * form editors and CI annotate. The CLI exits with code 2 on it.
 */
export class ConfigError extends VigilError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'), 400, options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}
