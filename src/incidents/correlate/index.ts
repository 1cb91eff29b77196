export * from './correlator.js';
export * from './offline.js';
export { CoOccurrence } from './co-occurrence.js';
export { NeighbourhoodCache, type Neighbourhood } from './neighbourhood.js';
export { kindOf, travelsToCallers } from './event-kind.js';
export { StillAlerting } from './still-alerting.js';
