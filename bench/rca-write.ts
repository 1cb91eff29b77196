import { writeCase } from '../src/incidents/rca/case-files.js';
import { graphFromTopology } from './rca-graph.js';
import type { RcaScenario } from './rca-scenarios.js';

/** A scenario in the folder layout `vigil rca-eval` reads (see src/incidents/rca/case-files.ts). */
export function writeScenario(dir: string, sc: RcaScenario): void {
  writeCase(dir, {
    graph: {
      services: sc.topology.services.map((s) => ({ name: s.name, type: s.type, criticality: s.criticality })),
      // The weights the bench ranks with, so `vigil rca-eval` reproduces its figures.
      edges: graphFromTopology(sc.topology).edges().map((e) => ({ from: e.from, to: e.to, weight: e.weight })),
    },
    rootCause: { ...sc.root, kind: sc.kind },
    alerts: sc.alerts.map((a) => ({ labels: a.alert.labels, startsAt: a.alert.startsAt, severity: a.alert.severity, score: Number(a.alert.annotations.score), incident: a.incidentId })),
    ...(sc.timestamps && sc.series
      ? {
          timestamps: sc.timestamps,
          series: sc.series.map((s) => ({ service: s.labels.service, metric: s.labels.__name__, instance: s.labels.instance, values: s.values })),
          baselineUntil: sc.timestamps[sc.baselineEnd],
        }
      : {}),
  });
}
