/**
 * Opens a batch's results progressively: a {@link ResultsIndex} that is usable at once and fills
 * in as a worker thread reads the files, so the first rows show within a second of opening a
 * 1.5 GB output, and the extension host's thread never parses a line. The results panel uses it;
 * so can any view that shows one batch's rows while they are indexed (comparing runs).
 *
 * ```ts
 * const opening = indexProgressively(paths, { endpoint, expected: batch.request_counts?.total, onRows: (status) => redraw(status) });
 * show(opening.index.page(query, 0, 200)); // the rows indexed so far
 * const index = await opening.done;        // all of them; rows without a result are now `missing`
 * ```
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  indexFiles,
  type IndexFilesOptions,
  type IndexProgress,
  type IndexWorkerCommand,
  type IndexWorkerMessage,
  type IndexWorkerPost,
  type IndexWorkerRequest,
  readingCancelled,
  type ResultFilePaths,
  type RowUpdate,
} from './indexFiles';
import type { JoinOptions } from './resultsJoin';
import { ResultsIndex } from './resultsIndex';
import { unpackRows } from './rowPacking';

/** The worker's young generation (V8 `--max-semi-space-size` times three). */
const WORKER_YOUNG_GENERATION_MB = 6;

/** How far indexing has got, for a line such as "12,000 of ~50,000 indexed". */
export interface IndexingStatus {
  /** Requests whose result has been read. */
  indexed: number;
  /**
   * How many results there will be: the batch's request count when given, else estimated from
   * the bytes of the result files read so far; undefined before any result is read. Exact once done.
   */
  expected: number | undefined;
  /** Whether the estimate is exact. */
  exact: boolean;
  done: boolean;
}

export interface ProgressiveOptions extends JoinOptions, Pick<IndexFilesOptions, 'updateMs' | 'firstRows'> {
  signal?: AbortSignal;
  /** The batch's request count (`request_counts.total`), when known. */
  expected?: number;
  /** Called after each batch of rows is in the index, and once when it is complete. */
  onRows?: (status: IndexingStatus) => void;
  /** Bytes read, per file (at most every 200 ms). */
  onProgress?: (progress: IndexProgress) => void;
  /** Default true. False reads on this thread (unit tests of the join, which need no worker). */
  worker?: boolean;
  /** The worker script; default `resultsWorker.js` beside this module (dist/ when bundled, out/ when compiled for tests). */
  workerScript?: string;
}

/** An index being filled; see the module comment. */
export class ProgressiveIndex {
  readonly index: ResultsIndex;
  /** Resolves with {@link index}, complete; rejects when reading fails or is cancelled (an `ApiError` of kind `cancelled`). */
  readonly done: Promise<ResultsIndex>;
  private indexed = 0;
  private resultBytes = 0;
  private resultTotal = 0;

  constructor(
    paths: ResultFilePaths,
    private readonly options: ProgressiveOptions = {},
  ) {
    this.index = ResultsIndex.growing(paths, options.endpoint);
    this.done = options.worker === false ? this.onThisThread(paths) : this.inWorker(paths);
  }

  status(): IndexingStatus {
    const done = this.index.complete;
    const given = this.options.expected;
    if (done) return { indexed: this.indexed, expected: this.indexed, exact: true, done };
    if (given !== undefined && given >= this.indexed) return { indexed: this.indexed, expected: given, exact: true, done };
    const expected =
      this.resultBytes > 0 ? Math.max(this.indexed, Math.round((this.indexed * this.resultTotal) / this.resultBytes)) : undefined;
    return { indexed: this.indexed, expected, exact: false, done };
  }

  private take(update: RowUpdate): void {
    this.index.applyRows(update.packed ? { ...update, rows: unpackRows(update.packed) } : update);
    this.indexed = update.indexed;
    this.resultBytes = update.resultBytes;
    this.resultTotal = update.resultTotal;
    this.options.onRows?.(this.status());
  }

  private async onThisThread(paths: ResultFilePaths): Promise<ResultsIndex> {
    const { counts, skipped, skippedCount, overLimit } = await indexFiles(paths, {
      ...this.options,
      onRows: (update) => this.take(update),
    });
    this.index.finish({ counts, skipped, skippedCount, overLimit });
    this.options.onRows?.(this.status());
    return this.index;
  }

  private inWorker(paths: ResultFilePaths): Promise<ResultsIndex> {
    const { signal, endpoint, maxRows, updateMs, firstRows } = this.options;
    if (signal?.aborted) return Promise.reject(readingCancelled());
    const host = IndexWorkerHost.for(this.options.workerScript ?? join(__dirname, 'resultsWorker.js'));
    return new Promise<ResultsIndex>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const job = host.start(
        { paths, endpoint, maxRows, updateMs, firstRows },
        (message) => {
          if (settled) return;
          switch (message.type) {
            case 'rows':
              this.take(message.update);
              return;
            case 'progress':
              this.options.onProgress?.(message.progress);
              return;
            case 'done':
              this.index.finish(message.totals);
              settle(() => resolve(this.index));
              this.options.onRows?.(this.status());
              return;
            case 'failed':
              settle(() => reject(new Error(message.message)));
              return;
          }
        },
        (error) => settle(() => reject(error)),
      );
      const onAbort = (): void => {
        host.cancel(job);
        settle(() => reject(readingCancelled()));
      };
      signal?.addEventListener('abort', onAbort);
    });
  }
}

/** A job's handlers: its messages, or the worker failing under it. */
interface WorkerJob {
  onMessage: (message: IndexWorkerMessage) => void;
  onFailure: (error: Error) => void;
}

/**
 * The one worker thread that builds the indexes open at the same time (from one script): started
 * by the first, stopped when the last ends, so two runs compared side by side cost one thread's
 * memory, not two (measured: about 40 MiB each). A failing or crashed worker fails the jobs it had.
 */
class IndexWorkerHost {
  private static readonly hosts = new Map<string, IndexWorkerHost>();
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, WorkerJob>();
  private nextJob = 1;

  private constructor(private readonly script: string) {}

  /** How many hosts have a worker running. */
  static running(): number {
    return [...IndexWorkerHost.hosts.values()].filter((host) => host.worker !== undefined).length;
  }

  static for(script: string): IndexWorkerHost {
    let host = IndexWorkerHost.hosts.get(script);
    if (!host) IndexWorkerHost.hosts.set(script, (host = new IndexWorkerHost(script)));
    return host;
  }

  /** Starts building an index; returns its job number. */
  start(request: IndexWorkerRequest, onMessage: WorkerJob['onMessage'], onFailure: WorkerJob['onFailure']): number {
    const job = this.nextJob++;
    this.jobs.set(job, { onMessage, onFailure });
    this.send({ type: 'start', job, request });
    return job;
  }

  /** Stops a job: it gets no more messages, and the worker stops when it was the last. */
  cancel(job: number): void {
    if (!this.jobs.delete(job)) return;
    if (this.jobs.size === 0) this.stop();
    else this.send({ type: 'cancel', job });
  }

  private send(command: IndexWorkerCommand): void {
    this.started().postMessage(command);
  }

  /** The worker, started when there is none. */
  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, {
      // Its rows are handed over as they are made: a small young generation keeps its memory low (measured: the bench's RSS).
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.on('message', ({ job, message }: IndexWorkerPost) => {
      const handlers = this.jobs.get(job);
      if (!handlers) return;
      if (message.type === 'done' || message.type === 'failed') {
        this.jobs.delete(job);
        if (this.jobs.size === 0) this.stop();
      }
      handlers.onMessage(message);
    });
    const fail = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const job of jobs) job.onFailure(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The results worker stopped (exit code ${code}) before it was done.`)));
    return (this.worker = worker);
  }

  /** Ends the worker: no job is left (a job started later starts a new one). */
  private stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}

/** How many index worker threads are running now (tests and the bench check that indexes opened together share one). */
export function indexWorkersRunning(): number {
  return IndexWorkerHost.running();
}

/** Starts indexing `paths`; see {@link ProgressiveIndex}. */
export function indexProgressively(paths: ResultFilePaths, options: ProgressiveOptions = {}): ProgressiveIndex {
  return new ProgressiveIndex(paths, options);
}
