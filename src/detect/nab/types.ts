// Shared shapes of the NAB scorer. Timestamps are ms since the epoch, UTC.

/** NAB's default share of each file that is probationary (never scored). */
export const PROBATIONARY_PERCENT = 0.15;

/** A labelled anomaly window; both bounds are record timestamps and inclusive. */
export interface NabWindow {
  readonly start: number;
  readonly end: number;
}

/** An application profile: NAB's cost matrix (tnWeight is read but, as in NAB, unused). */
export interface NabProfile {
  readonly name: string;
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
  readonly tnWeight: number;
}

/** One file's detector output, ready to score: a score per record. */
export interface ScoringInput {
  readonly timestamps: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
  readonly windows: readonly NabWindow[];
}

/**
 * NAB score of one file at one threshold. Counts are of records after the
 * probationary period, as NAB reports them (tp = detected records inside windows).
 */
export interface FileScore {
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
}
