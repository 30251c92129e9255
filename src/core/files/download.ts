import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, finished, type Readable } from 'node:stream';
import type { BatchApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { expiredFileMessage } from '../batches/batchDisplay';

import { type SizeLimit, tooLarge } from '../api/sizeLimit';

/**
 * Bytes gathered before one write. Writing each 64 KiB socket read as it arrives costs a round
 * trip to libuv's thread pool per read (16,000 per GiB, each two context switches), more CPU than
 * the copying itself; gathering much more lets the bytes go cold in the CPU cache before the
 * kernel copies them. 512 KiB cost the least CPU of 64 KiB to 4 MiB, measured.
 */
const WRITE_BATCH_BYTES = 512 * 1024;
/** Also write after this many chunks, so a body that arrives in tiny pieces is not held as a million Buffers. */
const WRITE_BATCH_CHUNKS = 1024;
/** Progress is reported at most this often. */
const PROGRESS_INTERVAL_MS = 100;

export interface DownloadProgress {
  received: number;
  total?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Streams `GET /files/{id}/content` to `destination` without holding it in memory. Bytes go to
 * a temporary file beside it that is renamed into place only when complete, so a cancelled or
 * failed download never leaves a partial file under the final name. Never writes more than
 * `limit` allows (`allowedBytes`), nor more than the server announced: a body that goes
 * past either fails with a {@link TooLargeError} and the temporary file is removed.
 */
export async function downloadFile(
  client: BatchApiClient,
  fileId: string,
  destination: string,
  limit: SizeLimit,
  options: DownloadOptions = {},
): Promise<{ bytes: number }> {
  // Random and created exclusively, so nothing can have put a file or a link at this name first;
  // created before the request, so that whatever fails later can remove it.
  const temporary = `${destination}.${randomBytes(8).toString('hex')}.part`;
  const file = await open(temporary, 'wx', 0o600).catch((error: Error) => {
    throw new ApiError('network', `Download of ${fileId} failed: ${error.message}`);
  });
  let stream: Readable | undefined;
  let contentLength: number | undefined;
  let maxBytes = 0;
  let received = 0;
  try {
    ({ stream, contentLength, maxBytes } = await client
      .fileContent(fileId, { signal: options.signal, limit })
      .catch((error: unknown) => explainMissingFile(client, fileId, error)));
    if (options.signal) addAbortSignal(options.signal, stream);
    let lastReport = 0;
    await writeBody(stream, file, (chunk) => {
      received += chunk.length;
      // Checked before the chunk is queued, so nothing past the limit is ever written.
      if (received > maxBytes) throw tooLarge(fileId, limit, { received });
      if (contentLength !== undefined && received > contentLength) {
        throw new ApiError(
          'badResponse',
          `The download of ${fileId} was stopped: the server sent more than the ${contentLength} bytes announced.`,
        );
      }
      const now = Date.now();
      if (now - lastReport > PROGRESS_INTERVAL_MS) {
        lastReport = now;
        options.onProgress?.({ received, total: contentLength });
      }
    });
    await file.close();
    if (contentLength !== undefined && received !== contentLength) throw endedEarly(fileId, received, contentLength);
    await rename(temporary, destination);
  } catch (error) {
    stream?.destroy();
    // Waits for a write still in flight; the name is removed either way.
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    if (options.signal?.aborted) throw new ApiError('cancelled', `Download of ${fileId} cancelled.`);
    if (error instanceof ApiError) throw error;
    if (contentLength !== undefined && received < contentLength) throw endedEarly(fileId, received, contentLength);
    throw new ApiError('network', `Download of ${fileId} failed: ${(error as Error).message ?? String(error)}`);
  }
  options.onProgress?.({ received, total: contentLength });
  return { bytes: received };
}

/**
 * Writes `body` to `file` in batches of {@link WRITE_BATCH_BYTES}, one write at a time. Reading
 * pauses only while a second full batch waits for the disk, so memory stays at about two
 * batches. `take` sees every chunk before it is queued and refuses it by throwing.
 */
function writeBody(body: Readable, file: FileHandle, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let writing = false;
    let ended = false;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(error);
    };
    const full = (): boolean => batchBytes >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_CHUNKS;
    const flush = (): void => {
      if (writing || failed) return;
      if (batch.length === 0) {
        if (ended) resolve();
        return;
      }
      const buffers = batch;
      const size = batchBytes;
      batch = [];
      batchBytes = 0;
      writing = true;
      void file
        .writev(buffers)
        .then(({ bytesWritten }) => {
          // libuv retries short writes itself; anything less is a failure it did not report.
          if (bytesWritten !== size) throw new Error(`wrote ${bytesWritten} of ${size} bytes`);
          writing = false;
          if (ended || full()) flush();
          if (body.isPaused()) body.resume();
        })
        .catch(fail);
    };
    body.on('data', (chunk: Buffer) => {
      try {
        take(chunk);
      } catch (error) {
        fail(error as Error);
        return;
      }
      batch.push(chunk);
      batchBytes += chunk.length;
      if (!full()) return;
      flush();
      if (writing && full()) body.pause();
    });
    finished(body, (error) => {
      if (error) return fail(error);
      ended = true;
      flush();
    });
  });
}

function endedEarly(fileId: string, received: number, announced: number): ApiError {
  return new ApiError('network', `The download of ${fileId} ended early (${received} of ${announced} bytes).`);
}

/**
 * A 404 for a file's content usually means that the file expired (batch input files do after 30
 * days, outputs when their batch asked): say so and when, from `GET /files/{id}`, rather than
 * "not found". Other failures are rethrown as they are.
 */
async function explainMissingFile(client: BatchApiClient, fileId: string, error: unknown): Promise<never> {
  if (!(error instanceof ApiError && error.kind === 'notFound')) throw error;
  const expired = expiredFileMessage(fileId, await client.getFile(fileId).catch(() => undefined));
  throw expired ? new ApiError('notFound', expired, error.status, error.code) : error;
}
