import { stat } from 'node:fs/promises';
import { batchErrorItems, fileIdOf } from '../../core/batches/batchFacts';
import type { BatchApiClient } from '../../core/api/client';
import { downloadFile } from '../../core/files/download';
import { errorMessage, isCancellation } from '../../core/api/errors';
import { type ErrorGroup, type ErrorSummary, errorGroupLabel, MAX_LINES } from '../../core/results/errorSummary';
import { summarizeErrorFiles } from '../../core/input/scans';
import { formatBytes } from '../../core/util/text';
import type { Batch } from '../../core/api/types';
import { AUTOMATIC_READ_CEILING_BYTES, automaticReadLimit, TooLargeError, userDownloadLimit } from '../../core/api/sizeLimit';
import type { ErrorFilter } from '../results/protocol';
import type { Logger } from '../../log';
import type { ErrorGroupRow, ErrorGroupsView } from './protocol';

/**
 * Error files up to this size are read as soon as the panel knows their size; larger ones wait for
 * a click, and past {@link AUTOMATIC_READ_CEILING_BYTES} for a "Group anyway" click.
 */
export const AUTO_GROUP_BYTES = 20 * 1024 * 1024;

export interface ErrorGroupsDeps {
  batchId: string;
  /** The account's client and name, while the panel talks to it. */
  connection: () => { client: BatchApiClient; account: string } | undefined;
  /** The path of an account's copy of a file (shared with Open Results and Open Error File). */
  cachedFile: (account: string, fileId: string) => Promise<string>;
  /** Posts the section's view (undefined: hidden). */
  post: (view: ErrorGroupsView | undefined) => void;
  log: Logger;
  signal: AbortSignal;
}

/**
 * The detail panel's error summary: groups the batch's validation errors at once, and its error
 * file (plus the output file's non-2xx lines, when that file is already downloaded) when the
 * error file is small or the person asks. Owned by one panel; its view goes to that panel's page.
 */
export class DetailErrorGroups {
  private summary: ErrorSummary | undefined;
  private view: ErrorGroupsView | undefined;
  private running: Promise<void> | undefined;
  /** The error file id the summary (or the run) is for; a new file starts over. */
  private summarised: string | undefined;
  private batch: Batch | undefined;
  /** The error file's size as its record says, when known. */
  private errorFileBytes: number | null | undefined;

  constructor(private readonly deps: ErrorGroupsDeps) {}

  /** Follows a new copy of the batch (and what is known of its error file's size). */
  update(batch: Batch, errorFileBytes: number | null | undefined): void {
    this.batch = batch;
    this.errorFileBytes = errorFileBytes;
    const errorFileId = fileIdOf(batch, 'error');
    const validation = batchErrorItems(batch).length > 0;
    if (!errorFileId) {
      if (!validation) return this.set(undefined);
      // Only validation errors: nothing to download.
      if (this.summarised !== 'validation') {
        this.summarised = 'validation';
        void this.group(batch, undefined);
      }
      return;
    }
    if (this.summarised === errorFileId || this.running) return;
    if (errorFileBytes === 0) {
      this.summarised = errorFileId;
      void this.group(batch, undefined);
      return;
    }
    if (errorFileBytes !== null && errorFileBytes !== undefined && errorFileBytes <= AUTO_GROUP_BYTES) {
      void this.run();
      return;
    }
    if (typeof errorFileBytes === 'number' && errorFileBytes > AUTOMATIC_READ_CEILING_BYTES) {
      this.set({
        state: 'idle',
        note: `The error file is ${formatBytes(errorFileBytes)}, larger than the ${formatBytes(AUTOMATIC_READ_CEILING_BYTES)} read without asking. Group the failures by code and message anyway?`,
        anyway: true,
      });
      return;
    }
    const size = errorFileBytes ? ` (${formatBytes(errorFileBytes)})` : '';
    this.set({ state: 'idle', note: `Group the failures by code and message: reads the error file${size}.` });
  }

  /**
   * Reads the files and groups the failures (once at a time). The error file is read up to its
   * record's size (plus a margin) and never past {@link AUTOMATIC_READ_CEILING_BYTES}, unless
   * `anyway` says the person clicked to read a larger one.
   */
  run(anyway = false): Promise<void> {
    const batch = this.batch;
    if (!batch) return Promise.resolve();
    this.running ??= this.group(batch, fileIdOf(batch, 'error'), anyway).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Re-posts the current view (the page was reloaded). */
  repost(): void {
    this.deps.post(this.view);
  }

  /** The results filter for the group at `index` of the summary shown; undefined for validation groups and stale indexes. */
  filterAt(index: number): ErrorFilter | undefined {
    const group: ErrorGroup | undefined = this.summary?.groups[index];
    if (!group || group.source !== 'request') return undefined;
    return { errorKey: group.key, label: errorGroupLabel(group) };
  }

  private set(view: ErrorGroupsView | undefined): void {
    this.view = view;
    this.deps.post(view);
  }

  private async group(batch: Batch, errorFileId: string | undefined, anyway = false): Promise<void> {
    try {
      /** The error file, then the output file: grouped in a worker thread. */
      const sources: string[] = [];
      const notes: string[] = [];
      if (errorFileId) {
        const connection = this.deps.connection();
        if (!connection) throw new Error('Not connected to the account of this batch.');
        const path = await this.deps.cachedFile(connection.account, errorFileId);
        if (!(await isFile(path))) {
          this.set({ state: 'running', message: 'Downloading the error file…' });
          const limit = anyway ? userDownloadLimit(this.errorFileBytes) : automaticReadLimit(this.errorFileBytes);
          await downloadFile(connection.client, errorFileId, path, limit, {
            signal: this.deps.signal,
            onProgress: ({ received, total }) =>
              this.set({
                state: 'running',
                message: `Downloading the error file… ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}`,
              }),
          });
        }
        sources.push(path);
        const outputId = fileIdOf(batch, 'output');
        const output = outputId ? await this.deps.cachedFile(connection.account, outputId) : undefined;
        if (output && (await isFile(output))) sources.push(output);
        else if (outputId)
          notes.push('Failures in the output file (non-2xx lines) are counted once it is downloaded (Open Results or Open Output File).');
        this.set({ state: 'running', message: 'Grouping the failures…' });
      }
      const started = Date.now();
      const summary = await summarizeErrorFiles(batch, sources, { signal: this.deps.signal });
      this.summary = summary;
      this.summarised = errorFileId ?? 'validation';
      this.deps.log.info(
        `Grouped ${summary.total} failures of ${this.deps.batchId} into ${summary.groups.length} groups in ${Date.now() - started} ms.`,
      );
      if (summary.otherCount)
        notes.push(
          `${summary.otherCount.toLocaleString('en-US')} more failures are of other kinds (only the first ${summary.groups.length} kinds are listed).`,
        );
      if (summary.unreadable) notes.push(`${summary.unreadable.toLocaleString('en-US')} lines could not be read (not JSON, or too long).`);
      this.set({ state: 'done', groups: summary.groups.map(toRow), notes });
    } catch (error) {
      // Not tried again by itself on the next update: the page offers "Try again".
      this.summarised = errorFileId ?? 'validation';
      if (this.deps.signal.aborted || isCancellation(error)) return;
      // The server's text can echo a request header, and so the key.
      const message = this.deps.log.redactor.redact(errorMessage(error));
      this.deps.log.warn(`Grouping the errors of ${this.deps.batchId} failed: ${message}`);
      // Past the automatic ceiling (not past what the record says): a click may allow more.
      const anywayOffered = !anyway && error instanceof TooLargeError && error.overCeiling;
      this.set({ state: 'failed', message, ...(anywayOffered && { anyway: true }) });
    }
  }
}

function toRow(group: ErrorGroup): ErrorGroupRow {
  return {
    label: errorGroupLabel(group),
    source: group.source,
    examples: group.examples,
    lines: group.lines,
    moreLines: group.source === 'validation' && group.count > group.lines.length && group.lines.length >= MAX_LINES,
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
