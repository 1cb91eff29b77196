export * from './labels.js';
export * from './sample.js';
export * from './severity.js';
export * from './matchers.js';
export * from './events.js';
export * from './errors.js';
export * from './metadata.js';
