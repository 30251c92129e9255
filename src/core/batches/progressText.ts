import { countsOf } from './batchDisplay';
import { unixSeconds } from '../util/time';
import { escapeMarkdown } from '../util/text';
import { type ProgressEstimate, progressSentence, progressShort } from './progressRate';
import type { Batch } from '../api/types';

/** The counts part of a running batch's tree description, with the time left when known; undefined when not measured. */
export function progressDescription(batch: Batch, estimate: ProgressEstimate | undefined): string | undefined {
  return estimate ? progressShort(estimate, countsOf(batch)) : undefined;
}

/** The tooltip's progress paragraph (Markdown, to append), or '' for a batch that is not measured. */
export function progressTooltipMarkdown(batch: Batch, estimate: ProgressEstimate | undefined): string {
  if (!estimate) return '';
  const sentence = progressSentence(estimate, unixSeconds(batch.expires_at));
  return `\n\nProgress: ${escapeMarkdown(progressShort(estimate, countsOf(batch)))}  \n${escapeMarkdown(sentence)}`;
}
