// The simulated fleet's service catalogue, as a deployment declares its own under `services:`
// in vigil.yaml: each service's type and criticality and the services it calls. Declared
// dependencies only (no weights): what a team knows about its system, nothing the incidents show.
import type { Topology } from '../src/simulate/topology.js';

const TYPE: Record<Topology['services'][number]['type'], string> = { lb: 'network', web: 'web', api: 'application', database: 'database', cache: 'cache', queue: 'queue', etl: 'etl' };

/** `services:` for vigil.yaml (JSON, which YAML reads). */
export function serviceCatalogueYaml(t: Topology): string {
  const services = t.services.map((s) => ({
    name: s.name,
    type: TYPE[s.type],
    criticality: s.criticality,
    dependsOn: t.edges.filter((e) => e.from === s.name).map((e) => e.to),
  }));
  return `services: ${JSON.stringify(services)}\n`;
}
