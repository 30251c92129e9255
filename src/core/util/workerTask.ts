/**
 * One task run in a worker thread, so a scan over a big file (hundreds of MB, a JSON.parse per
 * line) never runs on the extension host's thread. The worker script calls {@link serveTask}
 * with the function it runs; the host calls {@link runTask} with the script and the request,
 * which travel by structured clone. The functions a worker runs stay pure and callable without
 * one (the unit tests call them directly).
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';

/** What a task's worker posts: progress while it runs, then its value or why it failed. */
type TaskMessage = { type: 'progress'; progress: unknown } | { type: 'done'; value: unknown } | { type: 'failed'; message: string };

export interface RunTaskOptions<P> {
  /** Stops the worker (`terminate()`); the task rejects with `cancelled()`. */
  signal?: AbortSignal;
  onProgress?: (progress: P) => void;
  /** The error a cancelled task rejects with. */
  cancelled: () => Error;
}

/** Runs `request` in a new worker started from `script`, and resolves with what it returns. */
export function runTask<T, P = never>(script: string, request: unknown, options: RunTaskOptions<P>): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(options.cancelled());
  const worker = new Worker(script, { workerData: request });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = (): void => settle(() => reject(options.cancelled()));
    signal?.addEventListener('abort', onAbort);
    worker.on('message', (message: TaskMessage) => {
      if (settled) return;
      if (message.type === 'progress') options.onProgress?.(message.progress as P);
      else if (message.type === 'done') settle(() => resolve(message.value as T));
      else settle(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`The worker stopped (exit code ${code}) before it was done.`))));
  });
}

/** In a worker script: runs `handle` on the request the worker was started with, and posts its value. */
export function serveTask(handle: (request: unknown, progress: (progress: unknown) => void) => Promise<unknown>): void {
  const port = parentPort;
  if (!port) return;
  const post = (message: TaskMessage): void => port.postMessage(message);
  handle(workerData, (progress) => post({ type: 'progress', progress })).then(
    (value) => post({ type: 'done', value }),
    (error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
}
