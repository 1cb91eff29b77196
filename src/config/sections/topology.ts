import { z } from 'zod';
import { count, duration, section } from '../fields.js';

/**
 * The service topology (`topology:` in vigil.yaml): besides the declared `services:`, what
 * Vigil may discover from labels and learn from anomaly history. Declared edges always win.
 */
export const topologySchema = section({
  // Services and calls from series labels (service/job, Kubernetes app labels, OTLP service.name, peer and destination labels).
  discover: z.boolean().default(true),
  // Edges from anomalies on one service that repeatedly follow anomalies on another.
  learn: z.boolean().default(true),
  // The follower's anomaly must start within this long after the leader's.
  learnMaxLag: duration({ min: 1000 }).prefault('10m'),
  // Times the pattern must be seen before an edge is proposed.
  learnMinSupport: count(2).default(3),
  // Chance-corrected share (0..1) of the leader's anomalies followed by the follower's.
  learnMinConfidence: z.number().gt(0).max(1).default(0.5),
  // The merged graph is rebuilt at most this often.
  rebuildEvery: duration({ min: 1000 }).prefault('1m'),
}).transform((s) => ({
  discover: s.discover,
  learn: s.learn,
  learnMaxLagMs: s.learnMaxLag,
  learnMinSupport: s.learnMinSupport,
  learnMinConfidence: s.learnMinConfidence,
  rebuildEveryMs: s.rebuildEvery,
}));

export type TopologyConfig = z.output<typeof topologySchema>;
