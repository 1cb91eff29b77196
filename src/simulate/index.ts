/** Fleet simulator: a realistic service fleet's metrics with injected incidents and their ground truth. */
export { FleetSimulator, DEFAULT_START_TIME, type FleetSimulatorOptions, type Tick, type CollectedSeries } from './fleet-simulator.js';
export {
  generateTopology,
  SERVICE_TYPES,
  HARDWARE,
  type Topology,
  type TopologyOptions,
  type ServiceNode,
  type ServiceType,
  type DependencyEdge,
  type HostSpec,
  type Criticality,
} from './topology.js';
export { normalizeTopology, dependentsOf, dependenciesOf, type TopologyInput } from './graph.js';
export { METRICS, M, metricByName, metricsFor, roleMetric, type MetricDef, type MetricKind, type MetricRole } from './metrics.js';
export {
  FleetRemediation,
  ROLLING_STEP_MS,
  SCALE_UP_MS,
  type RemediationTarget,
  type ScaleChange,
  type RemediationAction,
  type RemediationResult,
  type RemediationRecord,
  type DeployRecord,
} from './remediation.js';
export {
  INCIDENT_KINDS,
  REMEDIATION_KINDS,
  ALL_INCIDENT_KINDS,
  type IncidentKind,
  type IncidentSpec,
  type GroundTruthIncident,
  type AffectedSeries,
  type PropagationStep,
} from './incident-types.js';
export { DEFAULT_DURATION } from './incident-builder.js';
export { DEFAULT_KIND_WEIGHTS } from './random-incidents.js';
export { exportNab, type NabExportOptions, type NabExportResult, type NabExportedFile } from './nab-export.js';
export { nabTimestamp, nabWindowTimestamp, nabWindows, nabValue, type NabWindows, type NabWindowOptions } from './nab-format.js';
export { Rng, seedFrom, subSeed, type Seed } from './random.js';
export { trafficProfile, batchProfile, fillCalendar, newCalendar, type Calendar, MINUTE, HOUR, DAY, WEEK } from './seasonality.js';
