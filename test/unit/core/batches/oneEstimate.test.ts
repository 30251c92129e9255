// One batch, one estimate: the tree row, its tooltip, the detail panel and the agent's text read
// the tracker's estimate as of the batch's last sample, so they agree whenever each is drawn.
import * as assert from 'node:assert/strict';
import { batchLine, batchText } from '../../../../src/core/agents/agentText';
import { Emitter } from '../../../../src/core/util/events';
import { batchDescription } from '../../../../src/core/batches/batchDisplay';
import { progressDescription, progressTooltipMarkdown } from '../../../../src/core/batches/progressText';
import { type QuietRecording, ProgressTracker } from '../../../../src/core/batches/progressTracker';
import type { Batch } from '../../../../src/core/api/types';
import { progressView } from '../../../../src/webview/detail/progressView';

const MIN = 60_000;
const T0 = 1_700_000_000_000;

class FakeStore {
  batches: Batch[] = [];
  cachedAt: number | undefined;
  readonly changed = new Emitter<void>();
  readonly account = new Emitter<string | undefined>();
  readonly onDidChange = this.changed.event;
  readonly onDidChangeAccount = this.account.event;
}

const running = (completed: number): Batch => ({
  id: 'batch_eta',
  object: 'batch',
  status: 'in_progress',
  endpoint: '/v1/chat/completions',
  created_at: T0 / 1000 - 600,
  expires_at: T0 / 1000 + 24 * 3600,
  request_counts: { total: 5000, completed, failed: 0 },
});

/** What each surface shows of the batch's progress, drawn at the tracker's clock. */
function surfaces(tracker: ProgressTracker, batch: Batch, now: number) {
  const unescape = (markdown: string): string => markdown.replace(/\\(.)/g, '$1');
  const row = batchDescription(batch, now, progressDescription(batch, tracker.estimate(batch)));
  const tooltip = unescape(progressTooltipMarkdown(batch, tracker.estimate(batch)))
    .trim()
    .split(/ {2}\n/);
  const detail = progressView(batch, tracker.estimate(batch)!, tracker.samples(batch.id));
  const agent = batchText(batch, now, tracker.estimate(batch));
  return {
    left: / · ([^·]+) left$/.exec(row)?.[1],
    row: row.split(' · ').slice(-2).join(' · '),
    tooltip: { headline: tooltip[0].replace(/^Progress: /, ''), sentence: tooltip[1] },
    detail: { headline: detail.headline, sentence: detail.sentence },
    // The agent's line without its age (`created 5 minutes ago` moves with the clock, as it should).
    agent: { left: batchLine(batch, now, tracker.estimate(batch)).split(' · ').at(-1), sentence: /^Progress: (.*)$/m.exec(agent)?.[1] },
  };
}

describe('one estimate of the time left, on every surface', () => {
  it('shows the same time left on the row, in its tooltip, in the detail panel and to the agent, whenever each is drawn', () => {
    const store = new FakeStore();
    let now = T0;
    const tracker = new ProgressTracker(store, () => now);
    const recordings: QuietRecording[] = [];
    tracker.onDidRecord((recording) => recordings.push(recording));

    // Two polls that changed the counts (the store announces them): 400 requests in 2 minutes.
    store.batches = [running(1000)];
    store.changed.fire();
    now += 2 * MIN;
    store.batches = [running(1400)];
    store.changed.fire();
    tracker.observe(); // auto-refresh calls it after every poll: nothing new here, so no event
    assert.equal(recordings.length, 0);
    const drawn = surfaces(tracker, store.batches[0], now);
    assert.equal(drawn.left, '~18 min');

    // Three polls that changed nothing: the store stays quiet, the rate falls, the time left grows.
    for (let poll = 0; poll < 3; poll++) {
      now += 2 * MIN;
      store.batches = [running(1400)];
      tracker.observe();
    }
    assert.equal(recordings.length, 3);
    assert.ok(recordings.every((recording) => recording.ids.has('batch_eta')));
    assert.ok(
      recordings.some((recording) => recording.rowTextChanged),
      'the row is redrawn when its time left changed, though no count did',
    );

    // Minutes later, with no poll since: every surface still says what the last poll measured.
    for (const drawnAt of [now, now + 3 * MIN, now + 11 * MIN]) {
      const shown = surfaces(tracker, store.batches[0], drawnAt);
      assert.ok(shown.left, 'a time left is shown');
      assert.equal(shown.tooltip.headline, shown.row, 'tooltip = row');
      assert.equal(shown.detail.headline, shown.row, 'detail = row');
      assert.equal(shown.detail.sentence, shown.tooltip.sentence, 'detail = tooltip');
      assert.equal(shown.agent.sentence, shown.tooltip.sentence, 'agent = tooltip');
      assert.equal(shown.agent.left, `${shown.left} left`, 'agent = row');
      assert.ok(shown.tooltip.sentence.startsWith(`About ${shown.left?.replace(/^~/, '')} left`), shown.tooltip.sentence);
      assert.deepEqual(shown, surfaces(tracker, store.batches[0], now), `drawn ${(drawnAt - now) / MIN} min after the last poll`);
    }
    assert.notEqual(surfaces(tracker, store.batches[0], now).left, drawn.left, 'the quiet polls did move the estimate');
    tracker.dispose();
  });

  it('does not ask the tree to redraw when a quiet poll leaves the row’s text as it was', () => {
    const store = new FakeStore();
    let now = T0;
    const tracker = new ProgressTracker(store, () => now);
    const recordings: QuietRecording[] = [];
    tracker.onDidRecord((recording) => recordings.push(recording));
    store.batches = [running(1000)];
    tracker.observe();
    now += 10 * MIN;
    store.batches = [running(1010)]; // 1 request/min: 3,990 left, about 2.8 days
    tracker.observe();
    const before = surfaces(tracker, store.batches[0], now).row;
    now += 1000;
    store.batches = [running(1010)];
    tracker.observe();
    assert.equal(surfaces(tracker, store.batches[0], now).row, before);
    assert.deepEqual(
      recordings.map((recording) => recording.rowTextChanged),
      [false, true, false],
    );
    tracker.dispose();
  });
});
