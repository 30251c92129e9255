/**
 * The text the language model tools answer with: short, plain, one fact per line, so an agent
 * can quote it. Every string from the API goes through `plainText` (one line, no control or
 * bidi characters, no link or icon syntax), as on every other surface, and every line holding
 * API text is inside a {@link dataBlock}, marked as data and not instructions.
 */

import { batchErrorItems, FILE_ROLES, fileIdOf, TIMELINE_STEPS } from '../batches/batchFacts';
import { batchLabel, countsOf, countsReported, failureVerdict, humanizeStatus } from '../batches/batchDisplay';
import { formatTimestamp, relativeTime, unixSeconds } from '../util/time';
import { ID_MAX, plainText, shortId } from '../util/text';
import { statusOf } from '../batches/grouping';
import { isRecord } from '../util/json';
import { formatCount, type ProgressEstimate, progressSentence, progressShort } from '../batches/progressRate';
import type { ResultsSummary } from '../results/resultsSummary';
import type { Batch } from '../api/types';
import { dataBlock } from './dataBlock';

/** Errors of a batch (validation errors) listed by {@link batchText}; the rest are counted. */
export const ERRORS_LISTED = 5;

const id = (value: unknown): string => plainText(value, ID_MAX);

function when(value: unknown, now: number): string | undefined {
  const seconds = unixSeconds(value);
  const text = formatTimestamp(seconds);
  return seconds !== undefined && text ? `${text} (${relativeTime(seconds, now)})` : undefined;
}

/** The name a person gave the batch (metadata), or undefined when its label would only repeat the id. */
function namedLabel(batch: Batch): string | undefined {
  const label = batchLabel(batch);
  return label === (plainText(shortId(batch.id), 40) || 'Unnamed batch') ? undefined : label;
}

/** `completed with failures`, `in progress`. */
function statusText(batch: Batch): string {
  const status = humanizeStatus(statusOf(batch)).toLowerCase();
  const verdict = failureVerdict(batch);
  return verdict === 'some' || verdict === 'all' ? `${status} with failures` : status;
}

/** `1,240/5,000 done, 3 failed` (failed included in done), or undefined without counts. */
function countsText(batch: Batch): string | undefined {
  if (!countsReported(batch) && !isRecord(batch.request_counts)) return undefined;
  const { completed, failed, total } = countsOf(batch);
  return `${formatCount(completed + failed)}/${formatCount(total)} requests done${failed ? `, ${formatCount(failed)} failed` : ''}`;
}

/** One batch on one line: id, name, status, endpoint, age, counts, ETA, output file. */
export function batchLine(batch: Batch, now: number, estimate?: ProgressEstimate): string {
  const parts = [`${id(batch.id)}`];
  const label = namedLabel(batch);
  if (label) parts.push(`"${label}"`);
  parts.push(statusText(batch));
  if (typeof batch.endpoint === 'string' && batch.endpoint) parts.push(plainText(batch.endpoint, 60));
  const created = unixSeconds(batch.created_at);
  if (created !== undefined) parts.push(`created ${relativeTime(created, now)}`);
  const counts = countsText(batch);
  if (counts) parts.push(counts);
  if (estimate?.kind === 'eta') parts.push(progressShort(estimate, countsOf(batch)).replace(/^.* · /, ''));
  const output = fileIdOf(batch, 'output');
  if (output) parts.push(`output file ${id(output)}`);
  return `- ${parts.join(' · ')}`;
}

export interface ListTextInput {
  /** The matching batches to list, newest first, already cut to the limit. */
  shown: readonly Batch[];
  /** How many loaded batches matched (may be more than shown). */
  matched: number;
  /** How many batches are loaded in all. */
  loaded: number;
  /** Whether the provider has older batches that are not loaded. */
  hasMore: boolean;
  /** The filter in words (`format.describeFilter`), '' for none. */
  filter: string;
  now: number;
  estimate?: (batch: Batch) => ProgressEstimate | undefined;
}

/** The list tool's answer. */
export function listText(input: ListTextInput): string {
  const { shown, matched, loaded, hasMore, filter, now } = input;
  const scope = `${formatCount(loaded)} loaded batch${loaded === 1 ? '' : 'es'}${filter ? `, filter ${plainText(filter, 300)}` : ''}`;
  const lines: string[] = [];
  if (matched === 0) lines.push(`No batch matches (${scope}).`);
  else
    lines.push(
      `${formatCount(matched)} batch${matched === 1 ? '' : 'es'} match (${scope})${matched > shown.length ? `; the newest ${shown.length} shown` : ''}, newest first:`,
    );
  if (shown.length) lines.push(dataBlock(shown.map((batch) => batchLine(batch, now, input.estimate?.(batch))).join('\n')));
  if (hasMore) lines.push('Older batches exist that are not loaded; only the loaded ones were searched.');
  return lines.join('\n');
}

/** The get-batch tool's answer: everything about one batch, one fact per line. */
export function batchText(batch: Batch, now: number, estimate?: ProgressEstimate): string {
  const lines: string[] = [`Batch ${id(batch.id)}`];
  const row = (name: string, value: string | undefined): void => {
    if (value) lines.push(`${name}: ${value}`);
  };
  row('Name', namedLabel(batch));
  row('Status', statusText(batch));
  if (typeof batch.endpoint === 'string') row('Endpoint', plainText(batch.endpoint, 100));
  if (typeof batch.model === 'string') row('Model', plainText(batch.model, 100));
  if (typeof batch.completion_window === 'string') row('Completion window', plainText(batch.completion_window, 40));
  if (isRecord(batch.request_counts)) {
    const { completed, failed, total } = countsOf(batch);
    row('Requests', `${formatCount(completed)} completed, ${formatCount(failed)} failed, ${formatCount(total)} total`);
  } else row('Requests', 'not reported by the provider');
  if (estimate) row('Progress', progressSentence(estimate, unixSeconds(batch.expires_at)));
  for (const [key, name] of [...TIMELINE_STEPS, ['expires_at', 'Expires'] as const]) {
    row(name, when(batch[key], now));
  }
  for (const { role, label: fileLabel } of FILE_ROLES) row(fileLabel, fileIdOf(batch, role) ? id(fileIdOf(batch, role)) : 'none');
  lines.push(...errorsLines(batch));
  const usage = isRecord(batch.usage) ? batch.usage : undefined;
  if (usage) {
    const tokens = (value: unknown): string | undefined =>
      typeof value === 'number' && Number.isFinite(value) ? formatCount(value) : undefined;
    const parts = [
      ['input', tokens(usage.input_tokens)],
      ['output', tokens(usage.output_tokens)],
      ['total', tokens(usage.total_tokens)],
    ].flatMap(([name, value]) => (value ? [`${value} ${name}`] : []));
    row('Tokens', parts.join(', '));
  }
  const metadata = isRecord(batch.metadata) ? Object.entries(batch.metadata).slice(0, 16) : [];
  if (metadata.length) row('Metadata', metadata.map(([key, value]) => `${plainText(key, 64)}=${plainText(value, 120)}`).join('; '));
  return dataBlock(lines.join('\n'));
}

/** The batch's own `errors` (validation errors): a count and the first few. */
function errorsLines(batch: Batch): string[] {
  const items = batchErrorItems(batch);
  if (items.length === 0) return [];
  const lines = [`Errors: ${formatCount(items.length)}`];
  for (const error of items.slice(0, ERRORS_LISTED)) {
    const where = error.line !== undefined ? `line ${error.line}: ` : '';
    const code = error.code ? `[${plainText(error.code, 60)}] ` : '';
    lines.push(`  - ${where}${code}${plainText(error.message, 200) || 'no message'}`);
  }
  if (items.length > ERRORS_LISTED) lines.push(`  - … and ${formatCount(items.length - ERRORS_LISTED)} more`);
  return lines;
}

/** The results tool's answer: outcomes, status codes, top errors and tokens, with the notes that qualify them. */
export function resultsText(batch: Batch, summary: ResultsSummary, notes: readonly string[], topErrors: number): string {
  const lines = [`Results of batch ${id(batch.id)} (${statusText(batch)})`];
  const read = summary.succeeded + summary.failed;
  const counts = isRecord(batch.request_counts) ? countsOf(batch) : undefined;
  const missing = counts ? Math.max(0, counts.total - read) : undefined;
  lines.push(
    `Outcomes: ${formatCount(summary.succeeded)} succeeded, ${formatCount(summary.failed)} failed` +
      (missing !== undefined ? `, ${formatCount(missing)} without a result, of ${formatCount(counts?.total ?? 0)} requests` : '') +
      '.',
  );
  const codes = [...summary.statusCodes].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (codes.length) lines.push(`HTTP status codes: ${codes.map(([code, count]) => `${code} × ${formatCount(count)}`).join(', ')}.`);
  if (summary.errors.length) {
    lines.push(`Top errors (${formatCount(summary.errors.length)} distinct):`);
    for (const { message, count } of summary.errors.slice(0, topErrors))
      lines.push(`  - ${formatCount(count)} × ${plainText(message, 200)}`);
    const others = summary.errors.length - topErrors;
    if (others > 0) lines.push(`  - … ${formatCount(others)} other message${others === 1 ? '' : 's'}`);
    if (summary.otherErrors)
      lines.push(`  - ${formatCount(summary.otherErrors)} more failures with yet other messages (not counted apart)`);
  }
  if (summary.usage.withUsage) {
    const { input, output, total } = summary.usage;
    lines.push(`Tokens reported by the results: ${formatCount(input)} input, ${formatCount(output)} output, ${formatCount(total)} total.`);
  }
  if (summary.skipped)
    lines.push(
      `${formatCount(summary.skipped)} line${summary.skipped === 1 ? ' was not a result and was' : 's were not results and were'} skipped.`,
    );
  if (summary.stoppedAtLines !== undefined)
    lines.push(`Only the first ${formatCount(summary.stoppedAtLines)} result lines were read: the figures above cover those.`);
  for (const note of notes) lines.push(plainText(note, 400));
  return dataBlock(lines.join('\n'));
}
