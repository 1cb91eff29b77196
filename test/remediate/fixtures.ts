import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Incident, IncidentType } from '../../src/incidents/model.js';
import { AuditLog, RemediationEngine, RemediationStore, createActionHandlers, type Clock, type RemediationEngineOptions, type RemediationNotice } from '../../src/remediate/index.js';
import type { Severity } from '../../src/core/severity.js';

/** An incident as the incident stage hands it over: plain data. */
export function incident(o: { id: string; service: string; type?: IncidentType; typeConfidence?: number; severity?: Severity; score?: number; openedAt?: number; instance?: string }): Incident {
  const t = o.openedAt ?? 0;
  return {
    id: o.id,
    state: 'open',
    severity: o.severity ?? 'high',
    title: `${o.type ?? 'incident'} on ${o.service}`,
    summary: '',
    services: [o.service],
    openedAt: t,
    updatedAt: t,
    lastEventAt: t,
    members: [{ id: `alert:${o.id}`, kind: 'alert', ref: o.id, service: o.service, metric: 'HighLatency', symptom: 'latency', labels: { service: o.service, ...(o.instance && { instance: o.instance }) }, severity: o.severity ?? 'high', score: 0.9, t, state: 'firing', text: '' }],
    timeline: [],
    rootCauses: [{ service: o.service, score: o.score ?? 1, evidence: { upstream: [], downstream: [], path: [o.service], notes: [] }, actions: [], runbooks: [] }],
    classification: { type: o.type ?? 'resource_exhaustion', typeConfidence: o.typeConfidence ?? 0.9, severity: o.severity ?? 'high', severityConfidence: 1, method: 'rules', trainedOn: 0, typeScores: {} },
  };
}

/** A clock the test moves by hand; sleeps resolve when it passes their time. */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; resolve: () => void }> = [];
  constructor(public t = 0) {}
  now = () => this.t;
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal!.reason);
      };
      const timer = {
        at: this.t + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  /** Moves time on, letting every due sleeper run before the next one. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      this.timers = this.timers.filter((x) => x !== due);
      due.resolve();
    }
    this.t = end;
    await new Promise((r) => setImmediate(r));
  }
}

export interface Harness {
  engine: RemediationEngine;
  audit: AuditLog;
  state: RemediationStore;
  notices: RemediationNotice[];
  dir: string;
  close(): Promise<void>;
}

/** An engine on a temporary SQLite file, configured from YAML as a person writes it. */
export function engineFrom(yaml: string, extra: Partial<RemediationEngineOptions> = {}, dir = mkdtempSync(join(tmpdir(), 'vigil-remediate-'))): Harness {
  const config = parseConfig(yaml, 'test.yaml', { ...process.env }).remediation;
  const file = join(dir, 'remediation.db');
  const audit = new AuditLog(file, extra.clock ? extra.clock.now : Date.now);
  const state = new RemediationStore(file);
  const notices: RemediationNotice[] = [];
  const engine = new RemediationEngine({
    config,
    handlers: createActionHandlers({ commandAllowList: [process.execPath] }),
    audit,
    state,
    notify: (n) => notices.push(n),
    ...extra,
  });
  return {
    engine,
    audit,
    state,
    notices,
    dir,
    async close() {
      await engine.close();
      audit.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
