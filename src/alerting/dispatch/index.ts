export * from './matchers.js';
export * from './route.js';
export * from './inhibit.js';
export * from './escalation.js';
export * from './silences.js';
export * from './dispatcher.js';
