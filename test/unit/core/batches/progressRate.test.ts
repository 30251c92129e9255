import * as assert from 'node:assert/strict';
import { Emitter } from '../../../../src/core/util/events';
import {
  estimateProgress,
  formatCount,
  formatDurationLeft,
  formatRate,
  formatSpan,
  ProgressHistory,
  type ProgressSample,
  progressSentence,
  progressShort,
  RATE_WINDOW_MS,
} from '../../../../src/core/batches/progressRate';
import { batchDescription } from '../../../../src/core/batches/batchDisplay';
import { progressDescription, progressTooltipMarkdown } from '../../../../src/core/batches/progressText';
import { ProgressTracker } from '../../../../src/core/batches/progressTracker';
import { progressView } from '../../../../src/webview/detail/progressView';
import type { Batch } from '../../../../src/core/api/types';

const MIN = 60_000;
const T0 = 1_700_000_000_000;

function sample(minutes: number, completed: number, total = 5000, failed = 0): ProgressSample {
  return { at: T0 + minutes * MIN, completed, failed, total };
}

function eta(samples: ProgressSample[], nowMinutes: number) {
  const estimate = estimateProgress(samples, T0 + nowMinutes * MIN);
  assert.equal(estimate.kind, 'eta', JSON.stringify(estimate));
  return estimate;
}

describe('progressRate: estimateProgress', () => {
  it('says there is no data without samples', () => {
    assert.deepEqual(estimateProgress([], T0), { kind: 'unknown', reason: 'noSamples', done: 0, total: 0, samples: 0, at: T0 });
  });

  it('says one sample is too little for a rate', () => {
    const estimate = estimateProgress([sample(0, 1240)], T0);
    assert.equal(estimate.kind, 'unknown');
    assert.equal(estimate.kind === 'unknown' && estimate.reason, 'oneSample');
    assert.equal(estimate.done, 1240);
    assert.equal(estimate.total, 5000);
  });

  it('says the total is not known yet while it is 0 (validating)', () => {
    const estimate = estimateProgress([sample(0, 0, 0), sample(1, 0, 0)], T0 + MIN);
    assert.equal(estimate.kind === 'unknown' && estimate.reason, 'noTotal');
  });

  it('says no progress when nothing finished between the samples, and since when', () => {
    const estimate = estimateProgress([sample(0, 100), sample(5, 100)], T0 + 6 * MIN);
    assert.equal(estimate.kind, 'unknown');
    assert.equal(estimate.kind === 'unknown' && estimate.reason, 'noProgress');
    assert.equal(estimate.kind === 'unknown' && estimate.since, T0);
  });

  it('says finishing when every request is done (finalizing), however few samples', () => {
    assert.equal(estimateProgress([sample(0, 5000)], T0).kind, 'finishing');
    assert.equal(estimateProgress([sample(0, 4990, 5000, 10)], T0).kind, 'finishing', 'failed requests are done too');
  });

  it('measures a steady rate and the time left: 1,240/5,000 at 200/min is 18.8 min', () => {
    const estimate = eta([sample(0, 440), sample(2, 840), sample(4, 1240)], 4);
    assert.equal(estimate.perMinute, 200);
    assert.equal(estimate.done, 1240);
    assert.equal(estimate.remainingMs, ((5000 - 1240) / 200) * MIN);
    assert.equal(estimate.finishAt, T0 + 4 * MIN + 18.8 * MIN);
    assert.equal(estimate.basisMs, 4 * MIN);
    assert.equal(estimate.samples, 3);
  });

  it('counts failed requests as progress', () => {
    const estimate = eta([sample(0, 0, 1000, 0), sample(1, 50, 1000, 50)], 1);
    assert.equal(estimate.perMinute, 100);
    assert.equal(estimate.remainingMs, 9 * MIN);
  });

  it('counts the time left from now, not from the last sample, and never below 0', () => {
    const samples = [sample(0, 0, 1000), sample(1, 100, 1000)];
    assert.equal(eta(samples, 1).remainingMs, 9 * MIN);
    assert.equal(eta(samples, 4).remainingMs, 6 * MIN);
    assert.equal(eta(samples, 30).remainingMs, 0);
  });

  it('measures over the last 15 minutes only, so an old fast start does not hide a slowdown', () => {
    const samples = [sample(0, 0), sample(10, 2000), sample(20, 2100), sample(30, 2200)];
    const estimate = eta(samples, 30);
    // From minute 20 (the oldest sample inside the window) to 30: 100 requests in 10 minutes.
    assert.equal(estimate.perMinute, 10);
    assert.equal(estimate.basisMs, 10 * MIN);
    assert.ok(RATE_WINDOW_MS === 15 * MIN);
  });

  it('uses the last two samples when they are further apart than the window', () => {
    const estimate = eta([sample(0, 0), sample(60, 600), sample(120, 1200)], 120);
    assert.equal(estimate.perMinute, 10);
    assert.equal(estimate.basisMs, 60 * MIN);
  });

  it('shows a stall as a falling rate (the flat stretch counts as time)', () => {
    const moving = eta([sample(0, 0, 1000), sample(1, 100, 1000)], 1);
    const stalled = eta([sample(0, 0, 1000), sample(1, 100, 1000), sample(9, 100, 1000)], 9);
    assert.equal(moving.perMinute, 100);
    assert.equal(stalled.perMinute, 100 / 9);
    assert.ok(stalled.remainingMs > moving.remainingMs);
  });

  it('takes the newest total when it changes (0 while validating, then the real count)', () => {
    const estimate = eta([sample(0, 0, 0), sample(1, 0, 2000), sample(2, 100, 2000)], 2);
    assert.equal(estimate.total, 2000);
    assert.equal(estimate.perMinute, 50);
    assert.equal(estimate.remainingMs, 38 * MIN);
  });

  it('gives no rate for two samples at the same instant', () => {
    const estimate = estimateProgress([sample(1, 100), sample(1, 200)], T0 + MIN);
    assert.equal(estimate.kind === 'unknown' && estimate.reason, 'oneSample');
  });
});

describe('progressRate: ProgressHistory', () => {
  const counts = (completed: number, total = 5000, failed = 0) => ({ completed, failed, total });

  it('records samples per batch, oldest first, and returns copies', () => {
    const history = new ProgressHistory();
    history.record('a', counts(1), T0);
    history.record('a', counts(2), T0 + MIN);
    history.record('b', counts(7), T0);
    const samples = history.samples('a');
    assert.deepEqual(
      samples.map((s) => s.completed),
      [1, 2],
    );
    samples[0].completed = 99;
    assert.equal(history.samples('a')[0].completed, 1);
    assert.equal(history.samples('b').length, 1);
    assert.deepEqual(history.samples('unknown'), []);
  });

  it('keeps at most maxSamples per batch, dropping the oldest', () => {
    const history = new ProgressHistory({ maxSamples: 64 });
    for (let i = 0; i < 200; i++) history.record('a', counts(i), T0 + i * 1000);
    const samples = history.samples('a');
    assert.equal(samples.length, 64);
    assert.equal(samples[0].completed, 136);
    assert.equal(samples.at(-1)?.completed, 199);
  });

  it('keeps at most maxBatches batches, forgetting the one recorded least recently', () => {
    const history = new ProgressHistory({ maxBatches: 3 });
    history.record('a', counts(1), T0);
    history.record('b', counts(1), T0);
    history.record('c', counts(1), T0);
    history.record('a', counts(2), T0 + MIN); // a is recent again
    history.record('d', counts(1), T0 + MIN);
    assert.equal(history.size, 3);
    assert.equal(history.has('b'), false);
    assert.ok(history.has('a') && history.has('c') && history.has('d'));
  });

  it('keeps a stall as two samples however long it lasts, its last one moving forward', () => {
    const history = new ProgressHistory();
    history.record('a', counts(100), T0);
    for (let i = 1; i <= 50; i++) history.record('a', counts(100), T0 + i * MIN);
    assert.deepEqual(
      history.samples('a').map((s) => (s.at - T0) / MIN),
      [0, 50],
    );
    history.record('a', counts(150), T0 + 51 * MIN);
    assert.deepEqual(
      history.samples('a').map((s) => s.completed),
      [100, 100, 150],
    );
  });

  it('starts again when the counts go backwards', () => {
    const history = new ProgressHistory();
    history.record('a', counts(100), T0);
    history.record('a', counts(200), T0 + MIN);
    history.record('a', counts(50), T0 + 2 * MIN);
    assert.deepEqual(
      history.samples('a').map((s) => s.completed),
      [50],
    );
    assert.equal(history.estimate('a', T0 + 2 * MIN).kind, 'unknown');
  });

  it('starts again when the clock goes backwards', () => {
    const history = new ProgressHistory();
    history.record('a', counts(100), T0);
    history.record('a', counts(200), T0 + MIN);
    history.record('a', counts(300), T0 - 60 * MIN);
    assert.deepEqual(
      history.samples('a').map((s) => s.completed),
      [300],
    );
  });

  it('after a clock jump forward (sleep), measures the real time that passed', () => {
    const history = new ProgressHistory();
    history.record('a', counts(0, 100_000), T0);
    history.record('a', counts(1000, 100_000), T0 + MIN);
    history.record('a', counts(41_000, 100_000), T0 + 3 * 60 * MIN); // the laptop slept for three hours
    const estimate = history.estimate('a', T0 + 3 * 60 * MIN);
    assert.equal(estimate.kind, 'eta');
    // Only the last two samples are inside any 15-minute window: 40,000 requests over 179 minutes.
    assert.equal(estimate.kind === 'eta' && Math.round(estimate.perMinute), Math.round(40_000 / 179));
  });

  it('replaces a sample taken at the same instant with newer counts', () => {
    const history = new ProgressHistory();
    history.record('a', counts(100), T0);
    history.record('a', counts(120), T0);
    assert.deepEqual(history.samples('a'), [{ at: T0, completed: 120, failed: 0, total: 5000 }]);
  });

  it('keeps the samples when only the total changes', () => {
    const history = new ProgressHistory();
    history.record('a', counts(0, 0), T0);
    history.record('a', counts(0, 3000), T0 + MIN);
    history.record('a', counts(300, 3000), T0 + 2 * MIN);
    assert.equal(history.samples('a').length, 3);
    const estimate = history.estimate('a', T0 + 2 * MIN);
    assert.equal(estimate.kind === 'eta' && estimate.perMinute, 150);
  });

  it('refuses non-finite or negative numbers', () => {
    const history = new ProgressHistory();
    assert.equal(history.record('a', counts(Number.NaN), T0), false);
    assert.equal(history.record('a', counts(-1), T0), false);
    assert.equal(history.record('a', counts(1), Number.POSITIVE_INFINITY), false);
    assert.equal(history.has('a'), false);
    assert.equal(history.record('a', counts(1), T0), true);
  });

  it('forgets one batch or all', () => {
    const history = new ProgressHistory();
    history.record('a', counts(1), T0);
    history.record('b', counts(1), T0);
    history.forget('a');
    assert.equal(history.has('a'), false);
    history.clear();
    assert.equal(history.size, 0);
  });
});

describe('progressRate: text', () => {
  it('formats counts with thousands separators', () => {
    assert.equal(formatCount(1240), '1,240');
    assert.equal(formatCount(5000), '5,000');
    assert.equal(formatCount(12), '12');
  });

  it('formats durations as estimates', () => {
    assert.equal(formatDurationLeft(0), '<1 min');
    assert.equal(formatDurationLeft(59_000), '<1 min');
    assert.equal(formatDurationLeft(18.8 * MIN), '~19 min');
    assert.equal(formatDurationLeft(59 * MIN), '~59 min');
    assert.equal(formatDurationLeft(60 * MIN), '~1 h');
    assert.equal(formatDurationLeft(127 * MIN), '~2 h 5 min');
    assert.equal(formatDurationLeft(119 * MIN), '~2 h');
    assert.equal(formatDurationLeft(3 * 24 * 60 * MIN), '~3 days');
  });

  it('formats measured spans and rates', () => {
    assert.equal(formatSpan(40_000), '40 s');
    assert.equal(formatSpan(12 * MIN), '12 min');
    assert.equal(formatSpan(125 * MIN), '2 h 5 min');
    assert.equal(formatRate(200), '200 requests/min');
    assert.equal(formatRate(1250.4), '1,250 requests/min');
    assert.equal(formatRate(2.5), '2.5 requests/min');
    assert.equal(formatRate(1), '1 request/min');
    assert.equal(formatRate(0.4), '0.40 requests/min');
  });

  it('builds the tree description part: counts and the time left, or only the counts', () => {
    const estimate = eta([sample(0, 440), sample(2, 840), sample(4, 1240)], 4);
    assert.equal(progressShort(estimate, { completed: 1240, total: 5000 }), '1,240/5,000 · ~19 min left');
    assert.equal(progressShort(estimateProgress([sample(0, 1240)], T0), { completed: 1240, total: 5000 }), '1,240/5,000');
    assert.equal(progressShort(estimateProgress([sample(0, 5000)], T0), { completed: 5000, total: 5000 }), '5,000/5,000');
  });

  it('says plainly in a sentence why there is no estimate', () => {
    const now = T0 + 10 * MIN;
    assert.match(progressSentence(estimateProgress([], now)), /^Too little data for an estimate/);
    assert.match(progressSentence(estimateProgress([sample(0, 5)], now)), /^Too little data for an estimate yet: it needs two refreshes/);
    assert.match(progressSentence(estimateProgress([sample(0, 0, 0), sample(1, 0, 0)], now)), /number of requests is not known/);
    assert.equal(progressSentence(estimateProgress([sample(0, 5), sample(4, 5)], now)), 'No estimate: no request has finished for 10 min.');
    assert.match(progressSentence(estimateProgress([sample(0, 5000)], now)), /finalizing/);
  });

  it('gives the rate, its basis and a warning when the window would run out first', () => {
    const estimate = eta([sample(0, 440), sample(2, 840), sample(4, 1240)], 4);
    assert.equal(progressSentence(estimate), 'About 19 min left, at 200 requests/min over the last 4 min (3 refreshes).');
    const expiresSoon = (T0 + 10 * MIN) / 1000;
    assert.match(progressSentence(estimate, expiresSoon), /would not finish before its completion window ends/);
    const expiresLater = (T0 + 60 * MIN) / 1000;
    assert.doesNotMatch(progressSentence(estimate, expiresLater), /would not finish/);
    const alreadyPast = (T0 - 60 * MIN) / 1000;
    assert.doesNotMatch(
      progressSentence(estimate, alreadyPast),
      /would not finish/,
      'a deadline already past by this clock says the clocks disagree, not that the rate is too low',
    );
    const overdue = eta([sample(0, 440), sample(2, 840), sample(4, 1240)], 60);
    assert.match(progressSentence(overdue), /^It should finish any moment now/);
  });
});

describe('progressTracker: samples from the store', () => {
  class FakeStore {
    batches: Batch[] = [];
    cachedAt: number | undefined;
    readonly changed = new Emitter<void>();
    readonly account = new Emitter<string | undefined>();
    readonly onDidChange = this.changed.event;
    readonly onDidChangeAccount = this.account.event;
  }
  const batch = (id: string, status: string, completed: number, total = 1000): Batch => ({
    id,
    object: 'batch',
    status,
    request_counts: { total, completed, failed: 0 },
  });

  it('records measured batches on each change, each fetched copy once', () => {
    const store = new FakeStore();
    let now = T0;
    const tracker = new ProgressTracker(store, () => now);
    const running = batch('a', 'in_progress', 100);
    store.batches = [running, batch('done', 'completed', 1000), batch('c', 'cancelling', 3)];
    store.changed.fire();
    now += MIN;
    store.changed.fire(); // e.g. Load more: the same copy, nothing new to record
    assert.equal(tracker.samples('a').length, 1);
    assert.equal(tracker.history.has('done'), false, 'finished batches are not measured');
    assert.equal(tracker.history.has('c'), false, 'cancelling batches are not measured');
    store.batches = [batch('a', 'in_progress', 200)];
    store.changed.fire();
    const estimate = tracker.estimate(store.batches[0]);
    assert.equal(estimate?.kind === 'eta' && estimate.perMinute, 100);
    assert.equal(tracker.estimate(batch('done', 'completed', 1000)), undefined);
    tracker.dispose();
  });

  it('records a fresh copy with the same counts (a poll that changed nothing) through observe()', () => {
    const store = new FakeStore();
    let now = T0;
    const tracker = new ProgressTracker(store, () => now);
    store.batches = [batch('a', 'in_progress', 100)];
    tracker.observe();
    now += MIN;
    store.batches = [batch('a', 'in_progress', 200)];
    tracker.observe();
    now += 9 * MIN;
    store.batches = [batch('a', 'in_progress', 200)];
    tracker.observe();
    const estimate = tracker.estimate(store.batches[0]);
    assert.equal(estimate?.kind === 'eta' && estimate.perMinute, 10);
  });

  it('does not record cached counts (they are old), nor batches without counts', () => {
    const store = new FakeStore();
    const tracker = new ProgressTracker(store, () => T0);
    store.cachedAt = T0 - 3_600_000;
    store.batches = [batch('a', 'in_progress', 100)];
    store.changed.fire();
    assert.equal(tracker.history.has('a'), false);
    store.cachedAt = undefined;
    store.batches = [{ id: 'n', object: 'batch', status: 'in_progress', request_counts: null }];
    store.changed.fire();
    assert.equal(tracker.history.has('n'), false);
    assert.equal(tracker.estimate(store.batches[0]), undefined);
  });

  it('forgets everything when the account changes', () => {
    const store = new FakeStore();
    const tracker = new ProgressTracker(store, () => T0);
    store.batches = [batch('a', 'in_progress', 100)];
    store.changed.fire();
    assert.equal(tracker.history.size, 1);
    store.account.fire('other');
    assert.equal(tracker.history.size, 0);
  });
});

describe('progress text on the tree and the detail page', () => {
  const running = (completed: number, extra: Partial<Batch> = {}): Batch => ({
    id: 'batch_1',
    object: 'batch',
    status: 'in_progress',
    endpoint: '/v1/chat/completions',
    request_counts: { total: 5000, completed, failed: 0 },
    ...extra,
  });

  it('puts the counts and the time left into the tree description, in place of the plain counts', () => {
    const estimate = eta([sample(0, 440), sample(2, 840), sample(4, 1240)], 4);
    const text = batchDescription(running(1240), T0 + 4 * MIN, progressDescription(running(1240), estimate));
    assert.equal(text, '/v1/chat/completions · 1,240/5,000 · ~19 min left');
    assert.equal(progressDescription(running(1240), undefined), undefined);
    assert.equal(batchDescription(running(1240), T0, undefined), '/v1/chat/completions · 1240/5000', 'unmeasured batches are unchanged');
  });

  it('adds an escaped progress paragraph to the tooltip, or nothing', () => {
    const estimate = estimateProgress([sample(0, 1240)], T0);
    const markdown = progressTooltipMarkdown(running(1240), estimate);
    assert.match(markdown, /^\n\nProgress: 1,240\/5,000 {2}\nToo little data for an estimate yet/);
    assert.ok(!/[^\\][.]$/.test(markdown), 'Markdown punctuation is escaped');
    assert.equal(progressTooltipMarkdown(running(1240), undefined), '');
  });

  it('gives the detail page points relative to the first sample and where the projection ends', () => {
    const samples = [sample(0, 440), sample(2, 840), sample(4, 1240)];
    const estimate = eta(samples, 4);
    const view = progressView(running(1240), estimate, samples);
    assert.equal(view.headline, '1,240/5,000 · ~19 min left');
    assert.match(view.sentence, /^About 19 min left, at 200 requests\/min/);
    assert.deepEqual(view.points, [
      { seconds: 0, done: 440 },
      { seconds: 120, done: 840 },
      { seconds: 240, done: 1240 },
    ]);
    assert.equal(view.total, 5000);
    assert.equal(view.finishSeconds, 240 + 18.8 * 60);
    assert.match(view.since ?? '', /^2023-11-14 \d\d:\d\d:\d\d UTC$/);
    const unknown = progressView(running(1240), estimateProgress([], T0), []);
    assert.deepEqual(unknown.points, []);
    assert.equal(unknown.finishSeconds, undefined);
    assert.match(unknown.sentence, /^Too little data/);
  });
});
