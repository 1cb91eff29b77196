import type { SignalKind } from '../rca/options.js';
import { inferKind } from '../rca/signal-kind.js';
import type { CorrelatableEvent } from './correlator.js';

const METRIC_LABELS = ['__name__', 'metric', 'alertname'] as const;

/** What an event measures: its own kind, else the kind its metric or alert name suggests; undefined if neither is known. */
export function kindOf(e: CorrelatableEvent): SignalKind | undefined {
  if (e.kind) return e.kind;
  for (const k of METRIC_LABELS) {
    const name = e.labels?.[k];
    if (name) return inferKind(name);
  }
  return undefined;
}

/**
 * Whether a symptom of this kind is what a dependency's fault causes in its callers (slowness,
 * errors, unavailability). A service's resource use and traffic are its own, or pushed onto it by
 * its callers: they relate it to its callers' incidents, never to its dependencies'. An unknown
 * kind is given the benefit of the doubt.
 */
export function travelsToCallers(kind: SignalKind | undefined): boolean {
  return kind !== 'saturation' && kind !== 'traffic';
}
