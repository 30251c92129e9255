import type { BatchApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { isRecord } from '../util/json';
import { BATCH_ENDPOINTS, RETIRED_ENDPOINTS } from '../api/endpoints';
import { AUTOMATIC_READ_CEILING_BYTES } from '../api/sizeLimit';

/** How much of a file is read to find its first line; a batch request line is far shorter. */
const FIRST_LINE_MAX_BYTES = 1024 * 1024;

/**
 * The first line of an uploaded file, read from the start of `GET /files/{id}/content` and the
 * rest not downloaded. Undefined when the file is empty or its first line is longer than 1 MiB.
 */
export async function readFirstLine(client: BatchApiClient, fileId: string, signal?: AbortSignal): Promise<string | undefined> {
  // Reading stops at the first newline or past 1 MiB, whatever the file's size.
  const { stream } = await client.fileContent(fileId, {
    signal,
    limit: { recordBytes: undefined, ceilingBytes: AUTOMATIC_READ_CEILING_BYTES },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      const newline = buffer.indexOf(0x0a);
      if (newline >= 0) {
        chunks.push(buffer.subarray(0, newline));
        return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
      }
      chunks.push(buffer);
      size += buffer.length;
      if (size > FIRST_LINE_MAX_BYTES) return undefined;
    }
  } catch (error) {
    if (signal?.aborted) throw new ApiError('cancelled', 'Cancelled.');
    throw error;
  } finally {
    stream.destroy();
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? undefined : text;
}

/** The endpoint a batch input line asks for (its `url`), when it is one the Batch API accepts or once accepted (see `RETIRED_ENDPOINTS`). */
export function endpointOfLine(line: string | undefined): string | undefined {
  if (!line) return undefined;
  try {
    const request = JSON.parse(line) as unknown;
    const url = isRecord(request) ? request.url : undefined;
    return typeof url === 'string' && ((BATCH_ENDPOINTS as readonly string[]).includes(url) || RETIRED_ENDPOINTS.has(url))
      ? url
      : undefined;
  } catch {
    return undefined;
  }
}
