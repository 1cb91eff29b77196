import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { HostForests, type HostRowResult } from '../../../src/detect/stage/host-forests.js';

const METRICS = 4;
const STEP = 15_000;

function forests(batchDelayMs: number) {
  return new HostForests({ groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, forest: { minRows: 16, window: 64, retrainEvery: 32 }, batchDelayMs });
}

/** Feeds `rows` scrapes of one host (METRICS series each), flushing after each, as the stage does after a batch. */
function feed(f: HostForests, rows: number, onFlush: (scored: HostRowResult[], row: number) => void): void {
  const rand = mulberry32(7);
  for (let r = 0; r < rows; r++) {
    const t = 1.7e12 + r * STEP;
    for (let m = 0; m < METRICS; m++) f.add({ __name__: `m${m}`, instance: 'host-1' }, `m${m}`, t, 10 * m + rand());
    const scored: HostRowResult[] = [];
    f.flush((x) => scored.push(x));
    onFlush(scored, r);
  }
}

describe('host forests', () => {
  it('scores each row once the next one starts, without a batch delay', () => {
    const sizes: number[] = [];
    feed(forests(0), 10, (scored) => sizes.push(scored.length));
    assert.deepEqual(sizes, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('scores complete rows together once the newest is batchDelay after the oldest, with the same results', () => {
    const batched: HostRowResult[] = [];
    const sizes: number[] = [];
    feed(forests(60_000), 200, (scored) => {
      sizes.push(scored.length);
      batched.push(...scored);
    });
    // 15 s apart: the fifth row (60 s after the first) releases the four complete ones.
    assert.deepEqual(sizes.slice(0, 9), [0, 0, 0, 0, 4, 0, 0, 0, 4]);
    const single: HostRowResult[] = [];
    feed(forests(0), 200, (scored) => single.push(...scored));
    assert.deepEqual(
      batched.map((r) => [r.t, r.result.score, r.result.flagged]),
      single.slice(0, batched.length).map((r) => [r.t, r.result.score, r.result.flagged]),
      'the same scores, later',
    );
  });

  it('waits for at most 16 complete rows whatever the delay', () => {
    const sizes: number[] = [];
    feed(forests(3600_000), 40, (scored) => sizes.push(scored.length));
    assert.equal(sizes.slice(0, 16).reduce((a, b) => a + b, 0), 0);
    assert.equal(sizes[16], 16, 'seventeen pending rows (16 complete) are past the limit');
  });

  it('saves each host a slice at a time, once it has learned a row, at most every 10 minutes but at shutdown', () => {
    const f = forests(0);
    const row = (host: string, t: number) => {
      for (let m = 0; m < METRICS; m++) f.add({ __name__: `m${m}`, instance: host }, `m${m}`, t, m);
      f.flush(() => undefined);
    };
    const now = 1.8e12;
    for (const host of ['a', 'b', 'c', 'd']) row(host, 1.7e12);
    assert.deepEqual(f.saved(1, false, now), [], 'a first row is pending, not learned');
    for (const host of ['a', 'b', 'c', 'd']) row(host, 1.7e12 + STEP);
    // Two slices of two hosts; then nothing is left to save until a host learns again.
    assert.deepEqual(f.saved(2, false, now).map((s) => s.key), ['iforest:a', 'iforest:b']);
    assert.deepEqual(f.saved(2, false, now).map((s) => s.key), ['iforest:c', 'iforest:d']);
    assert.deepEqual(f.saved(1, false, now + 3600_000), []);
    row('c', 1.7e12 + 2 * STEP);
    assert.deepEqual(f.saved(1, false, now + 60_000), [], 'saved a minute ago: not yet');
    const [c] = f.saved(1, false, now + 600_000);
    assert.equal(c!.kind, 'iforest');
    assert.equal(c!.lastT, 1.7e12 + STEP, 'the time of its newest learned row, from which it catches up after a restart');
    row('d', 1.7e12 + 2 * STEP);
    assert.deepEqual(f.saved(1, true, now + 600_001).map((s) => s.key), ['iforest:d'], 'a final save takes whatever learned since');
    row('d', 1.7e12 + 3 * STEP);
    assert.deepEqual(f.saved(1, false, now + 1_200_001).map((s) => s.key), ['iforest:d'], 'and the periodic saves go on after it');
  });

  it('a restored host catches up on stored rows and scores on as one that never stopped', () => {
    const live = forests(0);
    const scores: Array<[number, number]> = [];
    feed(live, 301, (scored) => scores.push(...scored.map((r) => [r.t, r.result.score] as [number, number])));
    // The same host restarted after row 199: it saved then, and rows 199-299 come back from the store.
    const before = forests(0);
    feed(before, 200, () => undefined);
    const saved = before.saved(1, true);
    const after = forests(0);
    after.offerSaved((key) => saved.find((s) => s.key === key));
    const from = after.catchUpFrom({ instance: 'host-1' }, 'm0', (_, err) => assert.fail(err));
    assert.equal(from, 1.7e12 + 198 * STEP + 1, 'row 199 was still pending at the save');
    const rand = mulberry32(7);
    const ts: number[] = [], vs: number[][] = [[], [], [], []];
    for (let r = 0; r < 300; r++)
      for (let m = 0; m < METRICS; m++) {
        const v = 10 * m + rand();
        if (m === 0) ts.push(1.7e12 + r * STEP);
        vs[m]!.push(v);
      }
    for (let m = 0; m < METRICS; m++) {
      after.catchUpFrom({ instance: 'host-1' }, `m${m}`, (_, err) => assert.fail(err));
      after.replay({ instance: 'host-1' }, `m${m}`, ts, vs[m]!);
    }
    assert.equal(after.finishReplay(), 1);
    // Row 299 is pending; the next scrape releases it, scored as the host that never stopped scored it.
    const next: HostRowResult[] = [];
    for (let m = 0; m < METRICS; m++) after.add({ __name__: `m${m}`, instance: 'host-1' }, `m${m}`, 1.7e12 + 300 * STEP, 10 * m);
    after.flush((r) => next.push(r));
    assert.deepEqual(next.map((r) => [r.t, r.result.score]), [scores.find(([t]) => t === 1.7e12 + 299 * STEP)]);
  });

  it("a host's episode is saved and restored with it, so a restart in the middle of one does not open it again", () => {
    const before = forests(0);
    let episode: HostRowResult['episode'] | undefined;
    feed(before, 100, (scored) => (episode ??= scored[0]?.episode));
    // The stage steps the episode the rows carry; here it is open, as mid-anomaly.
    Object.assign(episode!, { open: true, below: 2, peak: 0.997, startedAt: 1.7e12 + 97 * STEP });
    before.add({ __name__: 'm0', instance: 'host-1' }, 'm0', 1.7e12 + 100 * STEP, 0);
    before.flush(() => undefined);
    const saved = before.saved(1, true);

    const after = forests(0);
    after.offerSaved((key) => saved.find((s) => s.key === key));
    after.catchUpFrom({ instance: 'host-1' }, 'm0', (_, err) => assert.fail(err));
    after.finishReplay();
    const rows: HostRowResult[] = [];
    for (const r of [101, 102]) {
      for (let m = 0; m < METRICS; m++) after.add({ __name__: `m${m}`, instance: 'host-1' }, `m${m}`, 1.7e12 + r * STEP, 10 * m);
      after.flush((x) => rows.push(x));
    }
    assert.deepEqual({ ...rows[0]!.episode }, { open: true, below: 2, peak: 0.997, startedAt: 1.7e12 + 97 * STEP });

    // A host that has never had an episode restores a closed one (NaN start kept through JSON).
    const quiet = forests(0);
    feed(quiet, 50, () => undefined);
    const restored = forests(0);
    const s2 = quiet.saved(1, true);
    restored.offerSaved((key) => s2.find((s) => s.key === key));
    restored.catchUpFrom({ instance: 'host-1' }, 'm0', (_, err) => assert.fail(err));
    restored.finishReplay();
    const g = restored['groups'].get('host-1')!;
    assert.equal(g.episode.open, false);
    assert.ok(Number.isNaN(g.episode.startedAt));
  });

  it('a restored host takes the settings configured now; one saved with another window starts afresh', () => {
    const before = forests(0);
    feed(before, 100, () => undefined);
    const saved = before.saved(1, true);
    const load = (key: string) => saved.find((s) => s.key === key);
    const host = { instance: 'host-1' };

    const stricter = new HostForests({ groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, forest: { minRows: 16, window: 64, retrainEvery: 32, contamination: 0.01 } });
    stricter.offerSaved(load);
    assert.equal(stricter.catchUpFrom(host, 'm0', (_, err) => assert.fail(err)), 1.7e12 + 98 * STEP + 1);
    stricter.finishReplay();
    const forest = (f: HostForests) => f['groups'].get('host-1')!['forest']!;
    assert.equal(forest(stricter).threshold, 0.99, 'contamination 0.01, not the saved 0.05');
    assert.equal(forest(stricter).cfg.phase, forest(before).cfg.phase, "the host's own retraining phase");

    // Parts are no part of the shape: a forest saved whole is regrown in today's parts.
    const parted = new HostForests({ groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, forest: { minRows: 16, window: 64, retrainEvery: 32, parts: 2 } });
    parted.offerSaved(load);
    parted.catchUpFrom(host, 'm0', (_, err) => assert.fail(err));
    parted.finishReplay();
    assert.equal(forest(parted).cfg.parts, 2);

    const wider = new HostForests({ groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, forest: { minRows: 16, window: 128, retrainEvery: 32 } });
    wider.offerSaved(load);
    const errors: string[] = [];
    assert.equal(wider.catchUpFrom(host, 'm0', (name, err) => errors.push(`${name}: ${err.message}`)), undefined, 'nothing to catch up: a new host');
    assert.deepEqual(errors, ['host-1: saved with window 64, configured now as 128']);
  });
});
