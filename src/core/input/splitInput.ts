/**
 * Splits a Batch input file that is over the API's limits (50,000 requests or
 * `openaiBatches.maxRequestsPerBatch`, 200 MB, 50,000 embedding inputs) into the fewest parts
 * that fit, keeping the requests in order. Streams: memory holds the custom_ids (to catch
 * duplicates across the whole file before anything is uploaded) and two numbers per request,
 * never the file. The plan of the parts, kept on disk so that a failure at part 7 of 9 resumes
 * there, and its run are in splitPlan.ts.
 */

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../api/errors';
import { isRecord } from '../util/json';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_EMBEDDING_INPUTS, DEFAULT_MAX_REQUESTS, embeddingInputCount } from './jsonlValidation';
import { readLineRecords } from '../util/lineReader';

export interface SplitLimits {
  maxRequests: number;
  maxBytes: number;
  maxEmbeddingInputs: number;
}

export const DEFAULT_SPLIT_LIMITS: SplitLimits = {
  maxRequests: DEFAULT_MAX_REQUESTS,
  maxBytes: DEFAULT_MAX_BYTES,
  maxEmbeddingInputs: DEFAULT_MAX_EMBEDDING_INPUTS,
};

export type SplitProblemCode = 'invalidJson' | 'notAnObject' | 'missingCustomId' | 'duplicateCustomId' | 'mixedUrl' | 'lineTooLong';

export interface SplitProblem {
  /** 1-based line in the file. */
  line: number;
  code: SplitProblemCode;
  message: string;
}

/** One part: requests `[start, end)` (0-based, counting requests, not blank lines). */
export interface PartRange {
  start: number;
  end: number;
  requests: number;
  /** Its size as written: each request's line and a `\n`. */
  bytes: number;
  embeddingInputs: number;
}

export interface SplitScan {
  /** SHA-256 of the file's bytes, hex: with the account, what a saved plan is found by. */
  sha256: string;
  fileBytes: number;
  requests: number;
  /** Written size of all requests (line + `\n` each). */
  bytes: number;
  embeddingInputs: number;
  endpoint?: string;
  /** The first problems (at most {@link MAX_PROBLEMS_LISTED}); none means the file can be split. */
  problems: SplitProblem[];
  problemCount: number;
  /** The fewest parts that fit the limits, in file order; one part when the file fits as it is. */
  parts: PartRange[];
}

export const MAX_PROBLEMS_LISTED = 20;

export interface ScanOptions {
  signal?: AbortSignal;
  /** Called with the bytes read so far, at most every 200 ms. */
  onProgress?: (bytes: number) => void;
}

function cancelled(): ApiError {
  return new ApiError('cancelled', 'Splitting the file was cancelled.');
}

/** A growable array of 32-bit counts, so a million requests cost 4 MB, not 40. */
class Counts {
  private data = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }
}

async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash, { signal });
  return hash.digest('hex');
}

/**
 * Reads the file once (and hashes it alongside): checks every line is a JSON object with a
 * string `custom_id` used nowhere else and one `url`, and plans the parts.
 */
export async function scanForSplit(
  path: string,
  limits: SplitLimits = DEFAULT_SPLIT_LIMITS,
  options: ScanOptions = {},
): Promise<SplitScan> {
  const hashing = sha256Of(path, options.signal);
  // Settled now so a failed scan does not leave it rejected and unobserved.
  hashing.catch(() => undefined);
  const seen = new Map<string, number>();
  const bytes = new Counts();
  const inputs = new Counts();
  const problems: SplitProblem[] = [];
  let problemCount = 0;
  const problem = (line: number, code: SplitProblemCode, message: string): void => {
    if (problemCount++ < MAX_PROBLEMS_LISTED) problems.push({ line, code, message });
  };
  let endpoint: string | undefined;
  let endpointLine = 0;
  let lineNumber = 0;
  let fileBytes = 0;
  let next = Date.now() + 200;
  for await (const record of readLineRecords(path, { maxLineBytes: Math.min(limits.maxBytes, 64 * 1024 * 1024) })) {
    if (options.signal?.aborted) throw cancelled();
    lineNumber++;
    fileBytes = record.offset + record.bytes;
    if (options.onProgress && Date.now() >= next) {
      options.onProgress(fileBytes);
      next = Date.now() + 200;
    }
    const text = record.text;
    if (typeof text !== 'string') {
      problem(lineNumber, 'lineTooLong', `The line is ${text.bytes.toLocaleString('en-US')} bytes: no part can hold it.`);
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem(lineNumber, 'invalidJson', 'Not valid JSON.');
      continue;
    }
    if (!isRecord(value)) {
      problem(lineNumber, 'notAnObject', 'Each line must be a JSON object (one request).');
      continue;
    }
    const customId = value.custom_id;
    if (typeof customId !== 'string' || customId === '') {
      problem(lineNumber, 'missingCustomId', 'Missing a string "custom_id".');
      continue;
    }
    const first = seen.get(customId);
    if (first !== undefined) {
      problem(
        lineNumber,
        'duplicateCustomId',
        `Duplicate "custom_id" ${JSON.stringify(customId.slice(0, 60))}, first used on line ${first}.`,
      );
      continue;
    }
    seen.set(customId, lineNumber);
    if (typeof value.url === 'string') {
      if (endpoint === undefined) {
        endpoint = value.url;
        endpointLine = lineNumber;
      } else if (value.url !== endpoint) {
        problem(
          lineNumber,
          'mixedUrl',
          `All requests of a batch must use one endpoint: this line uses ${JSON.stringify(value.url)}, line ${endpointLine} uses ${JSON.stringify(endpoint)}.`,
        );
        continue;
      }
    }
    bytes.push(record.bytes + 1);
    inputs.push(value.url === '/v1/embeddings' && isRecord(value.body) ? embeddingInputCount(value.body.input) : 0);
  }
  const sha256 = await hashing;
  let total = 0;
  let totalInputs = 0;
  for (let i = 0; i < bytes.length; i++) {
    total += bytes.get(i);
    totalInputs += inputs.get(i);
  }
  const sizes = { length: bytes.length, bytes: (i: number) => bytes.get(i), inputs: (i: number) => inputs.get(i) };
  return {
    sha256,
    fileBytes,
    requests: bytes.length,
    bytes: total,
    embeddingInputs: totalInputs,
    endpoint,
    problems,
    problemCount,
    parts: problemCount === 0 ? planParts(sizes, limits) : [],
  };
}

/** Each request's written size and embedding inputs. */
export interface RequestSizes {
  length: number;
  bytes: (index: number) => number;
  inputs: (index: number) => number;
}

/** Fills each part as far as the limits allow, in order. */
function greedy(sizes: RequestSizes, limits: SplitLimits): PartRange[] {
  const parts: PartRange[] = [];
  let part: PartRange | undefined;
  for (let i = 0; i < sizes.length; i++) {
    const bytes = sizes.bytes(i);
    const inputs = sizes.inputs(i);
    if (bytes > limits.maxBytes || inputs > limits.maxEmbeddingInputs) {
      throw new RangeError(`Request ${i + 1} alone is over the limits of one batch.`);
    }
    if (
      !part ||
      part.requests + 1 > limits.maxRequests ||
      part.bytes + bytes > limits.maxBytes ||
      part.embeddingInputs + inputs > limits.maxEmbeddingInputs
    ) {
      part = { start: i, end: i, requests: 0, bytes: 0, embeddingInputs: 0 };
      parts.push(part);
    }
    part.end = i + 1;
    part.requests++;
    part.bytes += bytes;
    part.embeddingInputs += inputs;
  }
  return parts;
}

/**
 * The fewest parts that fit the limits, in order. Filling each part in turn gives the fewest
 * (no ordered split can do with fewer); then the same count is tried with the requests spread
 * evenly, so 120,000 requests become 3 × 40,000 rather than 50,000 + 50,000 + 20,000.
 */
export function planParts(sizes: RequestSizes, limits: SplitLimits): PartRange[] {
  const fewest = greedy(sizes, limits);
  const count = fewest.length;
  if (count <= 1) return fewest;
  let totalBytes = 0;
  let totalInputs = 0;
  for (let i = 0; i < sizes.length; i++) {
    totalBytes += sizes.bytes(i);
    totalInputs += sizes.inputs(i);
  }
  const even: SplitLimits = {
    maxRequests: Math.min(limits.maxRequests, Math.ceil(sizes.length / count)),
    maxBytes: limits.maxBytes,
    maxEmbeddingInputs: limits.maxEmbeddingInputs,
  };
  // Bytes or inputs decided the count: spread those instead of the requests.
  if (fewest.some((part) => part.requests < limits.maxRequests && part !== fewest[count - 1])) {
    even.maxRequests = limits.maxRequests;
    even.maxBytes = Math.min(limits.maxBytes, Math.ceil(totalBytes / count));
    even.maxEmbeddingInputs = Math.min(limits.maxEmbeddingInputs, Math.ceil(totalInputs / count));
  }
  try {
    const balanced = greedy(sizes, even);
    if (balanced.length === count) return balanced;
  } catch {
    // A request larger than an even share: keep the filled parts.
  }
  return fewest;
}

/**
 * Writes each part's requests to `part-<i>.jsonl` in `folder` (lines as they are, `\n` ends),
 * streaming the source once. Returns the paths, in part order.
 */
export async function writeParts(
  source: string,
  parts: readonly PartRange[],
  folder: string,
  options: ScanOptions = {},
): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const paths = parts.map((_, i) => join(folder, `part-${i + 1}.jsonl`));
  const records = readLineRecords(source)[Symbol.asyncIterator]();
  let request = 0;
  let read = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    async function* lines(): AsyncGenerator<string> {
      let piece = '';
      while (request < part.end) {
        if (options.signal?.aborted) throw cancelled();
        const next = await records.next();
        if (next.done) throw new Error('The file changed while it was split: it has fewer requests than when it was read.');
        read = next.value.offset + next.value.bytes;
        const text = next.value.text;
        if (typeof text !== 'string' || text.trim() === '') continue;
        piece += `${text}\n`;
        request++;
        if (piece.length >= 256 * 1024) {
          yield piece;
          piece = '';
        }
      }
      if (piece) yield piece;
      options.onProgress?.(read);
    }
    await pipeline(Readable.from(lines()), createWriteStream(paths[p]));
  }
  await records.return?.(undefined);
  return paths;
}
