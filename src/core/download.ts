import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { BatchApiClient } from './client';
import { ApiError } from './errors';

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
 * failed download never leaves a partial file under the final name.
 */
export async function downloadFile(client: BatchApiClient, fileId: string, destination: string, options: DownloadOptions = {}): Promise<{ bytes: number }> {
  const temporary = `${destination}.${process.pid}-${Date.now().toString(36)}.part`;
  const { stream, contentLength } = await client.fileContent(fileId, { signal: options.signal });
  let received = 0;
  let lastReport = 0;
  // Count with a 'data' listener rather than a Transform in the pipeline: one stream hop fewer
  // per chunk, which is most of the CPU a large download costs here.
  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const now = Date.now();
    if (now - lastReport > 100) {
      lastReport = now;
      options.onProgress?.({ received, total: contentLength });
    }
  });
  try {
    // Larger writes than the 16 KiB default: fewer syscalls for files of hundreds of MB.
    await pipeline(stream, createWriteStream(temporary, { highWaterMark: 1024 * 1024 }), { signal: options.signal });
    if (contentLength !== undefined && received !== contentLength) {
      throw new ApiError('network', `The download of ${fileId} ended early (${received} of ${contentLength} bytes).`);
    }
    await rename(temporary, destination);
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    if (options.signal?.aborted) throw new ApiError('cancelled', `Download of ${fileId} cancelled.`);
    if (error instanceof ApiError) throw error;
    throw new ApiError('network', `Download of ${fileId} failed: ${(error as Error).message ?? String(error)}`);
  }
  options.onProgress?.({ received, total: contentLength });
  return { bytes: received };
}
