export * from './types.js';
export * from './schedule.js';
export * from './escalation-policy.js';
export { isValidTimeZone, parseInstant, parseLocalDateTime, wallClock, zonedToUtc } from './time.js';
