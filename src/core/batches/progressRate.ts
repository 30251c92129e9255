/**
 * The rate and ETA of running batches, from the request counts that polling sees over time.
 * Pure: times are passed in (milliseconds of the local clock at which each count was seen), so
 * the estimator is tested without timers. The history is per batch, in memory and bounded.
 */

/** One observation of a batch's request counts. */
export interface ProgressSample {
  /** Local clock, ms, when the counts were received. */
  at: number;
  completed: number;
  failed: number;
  total: number;
}

/** Requests finished (completed or failed) in a sample. */
export function doneOf(sample: Pick<ProgressSample, 'completed' | 'failed'>): number {
  return sample.completed + sample.failed;
}

/** Why there is no estimate; each reason is said plainly to the user (see {@link progressSentence}). */
export type NoEstimateReason =
  /** Nothing recorded yet (no poll has seen this batch running, or counts were not reported). */
  | 'noSamples'
  /** The total is not known yet (0 while validating). */
  | 'noTotal'
  /** One observation only: a rate needs two, with time between them. */
  | 'oneSample'
  /** Several observations, but nothing finished between them. */
  | 'noProgress';

/**
 * What can be said of a batch's progress at one moment, `at` (local clock, ms). Every surface
 * (tree row, tooltip, detail panel, agent text) words it from these fields alone, never from the
 * clock at the time it draws, so they say the same thing (see `ProgressTracker.estimate`).
 */
export type ProgressEstimate =
  | { kind: 'unknown'; reason: NoEstimateReason; done: number; total: number; samples: number; at: number; since?: number }
  /** Every request has finished; what is left is the provider's finalizing. */
  | { kind: 'finishing'; done: number; total: number; samples: number; at: number }
  | {
      kind: 'eta';
      at: number;
      done: number;
      total: number;
      samples: number;
      /** Requests finished per minute, over the {@link RATE_WINDOW_MS} before the last sample. */
      perMinute: number;
      /** When, by the local clock, the rest should be finished at that rate. */
      finishAt: number;
      /** From `at` to `finishAt`; 0 when that time has passed. */
      remainingMs: number;
      /** How long the rate was measured over. */
      basisMs: number;
    };

/** The rate is measured over the samples of this last stretch of time (and at least two samples). */
export const RATE_WINDOW_MS = 15 * 60_000;

/**
 * The estimate at `now` from a batch's samples, oldest first (as {@link ProgressHistory} keeps
 * them). The rate is the requests finished between the oldest sample of the window and the
 * newest, divided by the time between them: a stall shows as a falling rate, and a burst seen
 * by one poll does not dominate. Honest about what it cannot know: fewer than two samples, no
 * progress, or no total give `unknown` with the reason.
 */
export function estimateProgress(samples: readonly ProgressSample[], now: number): ProgressEstimate {
  const at = now;
  const last = samples.at(-1);
  if (!last) return { kind: 'unknown', reason: 'noSamples', done: 0, total: 0, samples: 0, at };
  const done = doneOf(last);
  const total = last.total;
  const count = samples.length;
  if (total <= 0) return { kind: 'unknown', reason: 'noTotal', done, total, samples: count, at };
  if (done >= total) return { kind: 'finishing', done, total, samples: count, at };
  if (count < 2) return { kind: 'unknown', reason: 'oneSample', done, total, samples: count, at };
  let first = 0;
  while (first < count - 2 && samples[first].at < last.at - RATE_WINDOW_MS) first++;
  const base = samples[first];
  const basisMs = last.at - base.at;
  if (basisMs <= 0) return { kind: 'unknown', reason: 'oneSample', done, total, samples: count, at };
  const progressed = done - doneOf(base);
  if (progressed <= 0) return { kind: 'unknown', reason: 'noProgress', done, total, samples: count, at, since: base.at };
  const perMs = progressed / basisMs;
  const finishAt = last.at + (total - done) / perMs;
  return {
    kind: 'eta',
    at,
    done,
    total,
    samples: count,
    perMinute: perMs * 60_000,
    finishAt,
    remainingMs: Math.max(0, finishAt - now),
    basisMs,
  };
}

export interface ProgressHistoryOptions {
  /** Samples kept per batch; older ones are dropped first. Default 64. */
  maxSamples?: number;
  /** Batches kept; the one recorded least recently is forgotten first. Default 200. */
  maxBatches?: number;
}

/**
 * The successive request counts seen per batch, bounded in both directions. A run of equal
 * counts is kept as its first and last sample, so a stall costs two samples however long it
 * lasts, and still tells the estimator that time passed without progress. Counts that go
 * backwards (the provider restarted the batch, or answered from an older copy) and a clock
 * that went backwards start the batch's history again from the new sample: nothing measured
 * before can be compared with it.
 */
export class ProgressHistory {
  private readonly byBatch = new Map<string, ProgressSample[]>();
  private readonly maxSamples: number;
  private readonly maxBatches: number;

  constructor(options: ProgressHistoryOptions = {}) {
    this.maxSamples = Math.max(2, options.maxSamples ?? 64);
    this.maxBatches = Math.max(1, options.maxBatches ?? 200);
  }

  /** Records what a poll saw; returns false when the sample was not usable (non-finite or negative numbers). */
  record(id: string, counts: Omit<ProgressSample, 'at'>, at: number): boolean {
    const sample: ProgressSample = { at, completed: counts.completed, failed: counts.failed, total: counts.total };
    if (![sample.at, sample.completed, sample.failed, sample.total].every((n) => Number.isFinite(n) && n >= 0)) return false;
    let list = this.byBatch.get(id);
    // Re-inserted, so the Map's order is least recently recorded first.
    if (list) this.byBatch.delete(id);
    list = this.append(list ?? [], sample);
    this.byBatch.set(id, list);
    while (this.byBatch.size > this.maxBatches) this.byBatch.delete(this.byBatch.keys().next().value as string);
    return true;
  }

  /** The batch's samples, oldest first (a copy). */
  samples(id: string): ProgressSample[] {
    return (this.byBatch.get(id) ?? []).map((sample) => ({ ...sample }));
  }

  estimate(id: string, now: number): ProgressEstimate {
    return estimateProgress(this.byBatch.get(id) ?? [], now);
  }

  /**
   * The estimate as of the batch's last sample: it changes only when a sample is recorded, so
   * whatever reads it, whenever, gets the same (nothing recorded: `noSamples`).
   */
  latestEstimate(id: string): ProgressEstimate {
    const samples = this.byBatch.get(id) ?? [];
    return estimateProgress(samples, samples.at(-1)?.at ?? 0);
  }

  has(id: string): boolean {
    return this.byBatch.has(id);
  }

  get size(): number {
    return this.byBatch.size;
  }

  forget(id: string): void {
    this.byBatch.delete(id);
  }

  clear(): void {
    this.byBatch.clear();
  }

  private append(list: ProgressSample[], sample: ProgressSample): ProgressSample[] {
    const last = list.at(-1);
    if (!last) return [sample];
    if (sample.at < last.at || doneOf(sample) < doneOf(last)) return [sample];
    const same = sameCounts(sample, last);
    if (sample.at === last.at) {
      if (!same) list[list.length - 1] = sample;
      return list;
    }
    const beforeLast = list.at(-2);
    if (same && beforeLast && sameCounts(beforeLast, last)) {
      // Extends the stall: its first sample stays, its last one moves to now.
      last.at = sample.at;
      return list;
    }
    list.push(sample);
    if (list.length > this.maxSamples) list.splice(0, list.length - this.maxSamples);
    return list;
  }
}

function sameCounts(a: ProgressSample, b: ProgressSample): boolean {
  return a.completed === b.completed && a.failed === b.failed && a.total === b.total;
}

/** `1,240` (the same digits whatever the host's locale, like the rest of the extension's text). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `<1 min`, `~18 min`, `~2 h 5 min`, `~3 days`: a duration as an estimate, never more precise than it is. */
export function formatDurationLeft(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return '<1 min';
  if (minutes < 60) return `~${Math.round(minutes)} min`;
  if (minutes < 48 * 60) {
    const hours = Math.floor(minutes / 60);
    // Five-minute steps: an hour-long estimate is not good to the minute.
    const rest = Math.round((minutes - hours * 60) / 5) * 5;
    return rest === 60 ? `~${hours + 1} h` : rest === 0 ? `~${hours} h` : `~${hours} h ${rest} min`;
  }
  return `~${Math.round(minutes / (24 * 60))} days`;
}

/** `40 s`, `12 min`, `2 h 5 min`: a measured span of time. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** `68 requests/min`, `0.4 requests/min`, `1,250 requests/min`. */
export function formatRate(perMinute: number): string {
  const value = perMinute >= 10 ? formatCount(perMinute) : perMinute >= 1 ? perMinute.toFixed(1).replace(/\.0$/, '') : perMinute.toFixed(2);
  return `${value} request${value === '1' ? '' : 's'}/min`;
}

/**
 * The progress part of a tree description: `1,240/5,000 · ~18 min left` with an estimate, else
 * just the counts (completed first, as the rest of the description shows them; failures follow
 * there). The tooltip says why there is no estimate.
 */
export function progressShort(estimate: ProgressEstimate, counts: { completed: number; total: number }): string {
  const text = `${formatCount(counts.completed)}/${formatCount(counts.total)}`;
  return estimate.kind === 'eta' ? `${text} · ${formatDurationLeft(estimate.remainingMs)} left` : text;
}

/**
 * The estimate in a sentence for tooltips and the detail view, saying plainly when there is
 * too little data; as of the estimate's own time (`at`), not the clock. `expiresAt` (unix
 * seconds) adds a warning when the batch would not finish inside its completion window at this rate.
 */
export function progressSentence(estimate: ProgressEstimate, expiresAt?: number): string {
  const now = estimate.at;
  switch (estimate.kind) {
    case 'eta': {
      const left = formatDurationLeft(estimate.remainingMs);
      const rate = `${formatRate(estimate.perMinute)} over the last ${formatSpan(estimate.basisMs)} (${estimate.samples} refreshes)`;
      const late =
        // Only while the deadline is ahead by this clock: one already past says the clocks disagree, not the rate.
        expiresAt !== undefined && expiresAt * 1000 > now && estimate.finishAt > expiresAt * 1000
          ? ' At this rate it would not finish before its completion window ends.'
          : '';
      const when = estimate.remainingMs === 0 ? 'It should finish any moment now' : `About ${left.replace(/^~/, '')} left`;
      return `${when}, at ${rate}.${late}`;
    }
    case 'finishing':
      return 'All requests have finished; the provider is finalizing the batch.';
    case 'unknown':
      switch (estimate.reason) {
        case 'noSamples':
          return 'Too little data for an estimate: no refresh has seen this batch running yet.';
        case 'noTotal':
          return 'Too little data for an estimate: the number of requests is not known yet.';
        case 'oneSample':
          return 'Too little data for an estimate yet: it needs two refreshes with time between them.';
        case 'noProgress': {
          const stalled = estimate.since !== undefined ? ` for ${formatSpan(now - estimate.since)}` : '';
          return `No estimate: no request has finished${stalled}.`;
        }
      }
  }
}
