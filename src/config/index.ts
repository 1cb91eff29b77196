/** Vigil's configuration: vigil.yaml, validated, with environment overrides. */
export { loadConfig, parseConfig, defaultConfig, resolveConfig } from './load.js';
export { ConfigError, formatIssue, isConfigError, type ConfigIssue } from './errors.js';
export { configSchema, type VigilConfig } from './schema.js';
export type { ServerConfig, StorageConfig, LimitsConfig, SimulatorConfig, ServicesConfig, ServiceConfig } from './schema.js';
export { toStoreOptions } from './sections/storage.js';
export { LOG_LEVELS } from './sections/server.js';
export { SERVICE_TYPES, CRITICALITIES } from './sections/services.js';
export { ENV_OVERRIDES } from './env-overrides.js';
export { substituteEnv, type Env } from './env-substitute.js';
export { redactConfig, REDACTED, SECRET_KEY_RE } from './redact.js';
export { parseDuration, formatDuration } from './duration.js';
export { parseByteSize } from './bytes.js';
export { parseListen, type ListenAddress } from './listen.js';
