import type { VigilConfig } from '../config/schema.js';
import type { AlertEvent, AnomalyEvent } from '../core/index.js';
import { LiveTopology } from '../incidents/topology/topology.js';
import type { SampleStore } from '../store/types.js';

/**
 * The live service topology: the declared catalogue, services and calls discovered from the
 * stored series' labels, and edges learned from anomaly events and firing alerts.
 */
export function createTopology(config: VigilConfig, store: SampleStore): LiveTopology {
  const t = config.topology;
  return new LiveTopology(config.services, {
    discover: t.discover,
    learn: t.learn,
    learnOptions: { maxLagMs: t.learnMaxLagMs, minSupport: t.learnMinSupport, minConfidence: t.learnMinConfidence },
    rebuildEveryMs: t.rebuildEveryMs,
    seriesLabels: () => store.series([{ name: '__name__', type: '=~', value: '.+' }]).map((s) => s.labels),
  });
}

export function feedTopology(
  topology: LiveTopology,
  sources: { detection?: { onAnomaly(l: (e: AnomalyEvent) => void): void }; rules: { onEvent(l: (e: AlertEvent) => void): void } },
): void {
  sources.detection?.onAnomaly((e) => topology.observeAnomaly(e.labels, e.t));
  sources.rules.onEvent((e) => {
    if (e.state === 'firing') topology.observeAnomaly(e.labels, e.activeAt ?? e.startsAt);
  });
}
