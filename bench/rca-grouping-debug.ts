import { inferKind } from '../src/incidents/rca/signal-kind.js';

/**
 * Where grouping precision goes (RCA_GROUPING_DEBUG=1 npm run bench:rca): every alert put in an
 * incident that is mostly another true incident's costs precision; the loss is summed by what the
 * alert truly was (main fault, noise incident, benign event), what its incident mostly was, and
 * why the correlator put it there; recall loss likewise, and every join across services by
 * reason, alert kind and whether it was right. RCA_GROUPING_DEBUG=2 also lists each misassigned
 * alert, 3 each alert split from its true incident.
 */

export interface GroupedAlert {
  id: string;
  service: string;
  metric: string;
  t: number;
  trueIncident: string;
  predicted: string;
  reason: string;
}

const loss = new Map<string, { alerts: number; loss: number }>();
let total = 0;
const split = new Map<string, { alerts: number; loss: number }>();
const links = new Map<string, { right: number; wrong: number }>();

export const groupingDebug = Number(process.env.RCA_GROUPING_DEBUG ?? 0);

/** Adds one scenario's assignment to the tally. */
export function tallyMisassigned(scenario: string, alerts: readonly GroupedAlert[]): void {
  const members = new Map<string, GroupedAlert[]>();
  for (const a of alerts) members.set(a.predicted, [...(members.get(a.predicted) ?? []), a]);
  for (const group of members.values()) {
    const byTrue = new Map<string, number>();
    for (const a of group) byTrue.set(a.trueIncident, (byTrue.get(a.trueIncident) ?? 0) + 1);
    const major = [...byTrue].sort((x, y) => y[1] - x[1])[0][0];
    const opener = group.find((a) => a.reason === 'opened');
    for (const a of group) {
      const why = reasonKind(a.reason);
      if (why !== 'opened' && why !== 'same service' && why !== 'same host') {
        const k = `${why.padEnd(36)} ${inferKind(a.metric).padEnd(12)} ${classOf(a.trueIncident).padEnd(7)}`;
        const v = links.get(k) ?? { right: 0, wrong: 0 };
        if (a.trueIncident === major) v.right++;
        else v.wrong++;
        links.set(k, v);
      }
      total++;
      const l = 1 - byTrue.get(a.trueIncident)! / group.length;
      if (a.trueIncident === major) {
        if (l > 0) add(`${classOf(a.trueIncident)} (majority) polluted`, l);
        continue;
      }
      const key = `${classOf(a.trueIncident)} in ${classOf(major)} incident via ${reasonKind(a.reason)}`;
      add(key, l);
      if (groupingDebug >= 2)
        console.log(`    ${scenario} ${a.service} ${a.metric} +${((a.t - (opener?.t ?? a.t)) / 1000).toFixed(0)}s true ${a.trueIncident.split('/').slice(1).join('/')} in incident of ${group.length} (${byTrue.get(major)} ${classOf(major)}): ${a.reason}`);
    }
  }
}

/** Tallies recall loss: alerts of a true incident outside the predicted incident holding most of it. */
export function tallySplit(scenario: string, alerts: readonly GroupedAlert[]): void {
  const predictedMembers = new Map<string, GroupedAlert[]>();
  for (const a of alerts) predictedMembers.set(a.predicted, [...(predictedMembers.get(a.predicted) ?? []), a]);
  const byTrue = new Map<string, GroupedAlert[]>();
  for (const a of alerts) byTrue.set(a.trueIncident, [...(byTrue.get(a.trueIncident) ?? []), a]);
  for (const group of byTrue.values()) {
    const byPred = new Map<string, number>();
    for (const a of group) byPred.set(a.predicted, (byPred.get(a.predicted) ?? 0) + 1);
    const major = [...byPred].sort((x, y) => y[1] - x[1])[0][0];
    for (const a of group) {
      if (a.predicted === major) continue;
      const key = `${classOf(a.trueIncident)} ${inferKind(a.metric)} split off, ${reasonKind(a.reason)}`;
      const v = split.get(key) ?? { alerts: 0, loss: 0 };
      v.alerts++;
      v.loss += 1 - byPred.get(a.predicted)! / group.length;
      split.set(key, v);
      if (groupingDebug >= 3) {
        const there = predictedMembers.get(a.predicted)!;
        const opener = there.find((x) => x.reason === 'opened');
        const mix = new Map<string, number>();
        for (const x of there) mix.set(classOf(x.trueIncident), (mix.get(classOf(x.trueIncident)) ?? 0) + 1);
        console.log(`    split ${scenario} ${a.service} ${a.metric} (${a.reason}) into incident opened by ${opener?.service} ${opener?.metric} ${classOf(opener?.trueIncident ?? '')}; ${[...mix].map(([k, n]) => `${n} ${k}`).join(', ')}; main group holds ${byPred.get(major)} of ${group.length}`);
      }
    }
  }
}

/** Prints the tally, largest precision loss first (in B-cubed points: loss / alerts). */
export function printMisassigned(): void {
  console.log('cross-service joins by reason, alert kind and true class: right / wrong');
  for (const [k, v] of [...links].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`  ${k} ${String(v.right).padStart(5)} / ${v.wrong}`);
  console.log('grouping recall loss (per alert, summed; alerts outside their true incident\'s main group):');
  for (const [k, v] of [...split].sort((a, b) => b[1].loss - a[1].loss).slice(0, 25)) console.log(`  ${(v.loss / total).toFixed(4)}  ${String(v.alerts).padStart(5)} alerts  ${k}`);
  console.log(`grouping precision loss by kind (of ${total} alerts):`);
  for (const [k, v] of [...loss].sort((a, b) => b[1].loss - a[1].loss)) console.log(`  ${(v.loss / total).toFixed(4)}  ${String(v.alerts).padStart(5)} alerts  ${k}`);
}

function add(key: string, l: number): void {
  const v = loss.get(key) ?? { alerts: 0, loss: 0 };
  v.alerts++;
  v.loss += l;
  loss.set(key, v);
}

function classOf(incident: string): string {
  return incident.startsWith('fp:') ? 'benign' : incident.endsWith('/main') ? 'main' : 'noise';
}

/** The correlator's reason without its names: "depends on X (2 hops)" -> "depends on (2 hops)". */
function reasonKind(reason: string): string {
  if (reason === 'opened') return 'opened';
  if (reason.startsWith('same service')) return 'same service';
  if (reason.startsWith('same host')) return 'same host';
  if (reason.startsWith('depends on')) return `depends on (${reason.match(/\((.*)\)/)?.[1]})`;
  if (reason.startsWith('often together')) return 'co-occurrence';
  if (/^\d+ of \d+ services depend on it/.test(reason)) return 'common cause';
  if (/depends on it \(/.test(reason)) return 'dependency of one-service incident';
  if (/^calls .*, as .* does/.test(reason)) return 'sibling of one-service incident';
  if (/^calls .*, on which/.test(reason)) return 'calls a common cause';
  return reason;
}
