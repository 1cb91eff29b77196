export { HostCollector, HOST_JOB, type HostCollectorOptions } from './collector.js';
export * from './procfs.js';
