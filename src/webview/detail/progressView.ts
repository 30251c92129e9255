import { countsOf } from '../../core/batches/batchDisplay';
import { formatTimestamp, unixSeconds } from '../../core/util/time';
import { doneOf, type ProgressEstimate, type ProgressSample, progressSentence, progressShort } from '../../core/batches/progressRate';
import type { Batch } from '../../core/api/types';
import type { ProgressView } from './protocol';

/** The detail page's progress section for a measured batch: headline, sentence and chart points (as of the estimate's time). */
export function progressView(batch: Batch, estimate: ProgressEstimate, samples: readonly ProgressSample[]): ProgressView {
  const first = samples[0];
  const view: ProgressView = {
    headline: progressShort(estimate, countsOf(batch)),
    sentence: progressSentence(estimate, unixSeconds(batch.expires_at)),
    total: Math.max(estimate.total, ...samples.map((sample) => sample.total)),
    points: samples.map((sample) => ({ seconds: (sample.at - first.at) / 1000, done: doneOf(sample) })),
  };
  if (first) {
    const since = formatTimestamp(first.at / 1000);
    if (since) view.since = since;
    if (estimate.kind === 'eta') view.finishSeconds = (estimate.finishAt - first.at) / 1000;
  }
  return view;
}
