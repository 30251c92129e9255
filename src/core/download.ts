import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BatchApiClient } from './client';
import { ApiError } from './errors';
import { formatBytes } from './format';

/**
 * The most a download without a Content-Length may write. A batch holds at most 50,000 requests
 * (100,000 on Azure), so this leaves over 200 KB per result line, more than real output files
 * need, while a server that never stops cannot fill a disk unnoticed.
 */
export const MAX_UNANNOUNCED_DOWNLOAD_BYTES = 20 * 1024 ** 3;

export interface DownloadProgress {
  received: number;
  total?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Default {@link MAX_UNANNOUNCED_DOWNLOAD_BYTES}; lower in tests. */
  maxUnannouncedBytes?: number;
}

/**
 * Streams `GET /files/{id}/content` to `destination` without holding it in memory. Bytes go to
 * a temporary file beside it that is renamed into place only when complete, so a cancelled or
 * failed download never leaves a partial file under the final name. Never writes more than the
 * server announced (or, without a Content-Length, {@link MAX_UNANNOUNCED_DOWNLOAD_BYTES}).
 */
export async function downloadFile(client: BatchApiClient, fileId: string, destination: string, options: DownloadOptions = {}): Promise<{ bytes: number }> {
  // Random and created exclusively, so nothing can have put a file or a link at this name first;
  // created before the request, so that whatever fails later can remove it.
  const temporary = `${destination}.${randomBytes(8).toString('hex')}.part`;
  // Larger writes than the 16 KiB default: fewer syscalls for files of hundreds of MB.
  const file = createWriteStream(temporary, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 });
  await once(file, 'open').catch((error: Error) => {
    throw new ApiError('network', `Download of ${fileId} failed: ${error.message}`);
  });
  let stream: Readable | undefined;
  let contentLength: number | undefined;
  let received = 0;
  try {
    ({ stream, contentLength } = await client.fileContent(fileId, { signal: options.signal }));
    const allowed = contentLength ?? options.maxUnannouncedBytes ?? MAX_UNANNOUNCED_DOWNLOAD_BYTES;
    let lastReport = 0;
    // Count with a 'data' listener rather than a Transform in the pipeline: one stream hop fewer
    // per chunk, which is most of the CPU a large download costs here.
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > allowed) {
        // This listener runs before the pipeline's, so the file is gone before this chunk could be written.
        const limit = contentLength === undefined ? `the ${formatBytes(allowed)} allowed without a Content-Length` : `the ${contentLength} bytes announced`;
        file.destroy(new ApiError('badResponse', `The download of ${fileId} was stopped: the server sent more than ${limit}.`));
        return;
      }
      const now = Date.now();
      if (now - lastReport > 100) {
        lastReport = now;
        options.onProgress?.({ received, total: contentLength });
      }
    });
    await pipeline(stream, file, { signal: options.signal });
    if (contentLength !== undefined && received !== contentLength) throw endedEarly(fileId, received, contentLength);
    await rename(temporary, destination);
  } catch (error) {
    stream?.destroy();
    file.destroy();
    // The file may still be closing; removing its name now is fine, nothing writes to it any more.
    await rm(temporary, { force: true });
    if (options.signal?.aborted) throw new ApiError('cancelled', `Download of ${fileId} cancelled.`);
    if (error instanceof ApiError) throw error;
    if (contentLength !== undefined && received < contentLength) throw endedEarly(fileId, received, contentLength);
    throw new ApiError('network', `Download of ${fileId} failed: ${(error as Error).message ?? String(error)}`);
  }
  options.onProgress?.({ received, total: contentLength });
  return { bytes: received };
}

function endedEarly(fileId: string, received: number, announced: number): ApiError {
  return new ApiError('network', `The download of ${fileId} ended early (${received} of ${announced} bytes).`);
}
