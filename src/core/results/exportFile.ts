import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../api/errors';

/**
 * Writes an export's text, streamed, to a temporary file beside `destination`, renamed into
 * place when complete: a cancelled or failed export leaves nothing under the final name. A
 * cancellation through `signal` ends as an `ApiError` of kind `cancelled`.
 */
export async function writeAtomically(text: AsyncIterable<string>, destination: string, signal?: AbortSignal): Promise<void> {
  const temporary = `${destination}.${randomBytes(8).toString('hex')}.part`;
  try {
    await pipeline(Readable.from(text), createWriteStream(temporary, { flags: 'wx' }), { signal });
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    if (signal?.aborted) throw new ApiError('cancelled', 'The export was cancelled.');
    throw error;
  }
}
