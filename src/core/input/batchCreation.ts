import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BatchApiClient } from '../api/client';
import { errorMessage, isCancellation } from '../api/errors';
import type { Batch, CreateBatchParams, ExpiresAfter } from '../api/types';

/** The range the API accepts for `expires_after` and `output_expires_after`: one hour to 30 days. */
export const EXPIRES_AFTER_SECONDS = { min: 3600, max: 2_592_000 } as const;

/**
 * An expiry policy of `hours` after creation, clamped to what the API accepts; undefined for 0
 * or anything that is not a positive number (send nothing: the API's default applies).
 */
export function expiresAfterHours(hours: number | undefined): ExpiresAfter | undefined {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) return undefined;
  const seconds = Math.round(hours * 3600);
  return { anchor: 'created_at', seconds: Math.min(EXPIRES_AFTER_SECONDS.max, Math.max(EXPIRES_AFTER_SECONDS.min, seconds)) };
}

export type CreationStep = 'upload' | 'create';

/** A failed step of {@link uploadAndCreateBatch}, keeping what succeeded before it. */
export class BatchCreationError extends Error {
  override readonly name = 'BatchCreationError';

  constructor(
    readonly step: CreationStep,
    override readonly cause: unknown,
    /** Set when the upload succeeded: a retry can skip it. */
    readonly uploadedFileId?: string,
    filename = 'the file',
  ) {
    super(
      step === 'upload'
        ? `Uploading ${filename} failed: ${errorMessage(cause)}`
        : `Uploaded as ${uploadedFileId ?? 'a file'} but creating the batch failed: ${errorMessage(cause)}`,
    );
  }

  get cancelled(): boolean {
    return isCancellation(this.cause);
  }
}

export interface CreateFromFileParams {
  /** The file to upload; not read when {@link uploadedFileId} is set. */
  data: () => Promise<Blob>;
  filename: string;
  endpoint: string;
  /** Stored as `metadata.description`; the tree shows it as the batch's name. */
  description?: string;
  /** More metadata pairs (a resubmission's link, a split part's group); `description` above wins. */
  metadata?: Record<string, string>;
  /** Sent as the upload's `expires_after` (the input file's expiry); absent: the API's default, 30 days. */
  inputExpiresAfter?: ExpiresAfter;
  /** Sent as the batch's `output_expires_after`; absent: output and error files are kept until deleted. */
  outputExpiresAfter?: ExpiresAfter;
  /** Reuse an earlier upload (a retry after `create` failed). */
  uploadedFileId?: string;
  signal?: AbortSignal;
  onStep?: (step: CreationStep) => void;
}

/**
 * Uploads a Batch input file (`purpose=batch`) and creates a 24h batch from it, with the expiry
 * policies asked for.
 * Rejects with a {@link BatchCreationError} naming the step that failed.
 */
export async function uploadAndCreateBatch(
  client: BatchApiClient,
  params: CreateFromFileParams,
): Promise<{ fileId: string; batch: Batch }> {
  let fileId = params.uploadedFileId;
  if (!fileId) {
    params.onStep?.('upload');
    try {
      const file = await client.uploadFile(await params.data(), params.filename, 'batch', {
        signal: params.signal,
        expiresAfter: params.inputExpiresAfter,
      });
      fileId = file.id;
    } catch (error) {
      throw new BatchCreationError('upload', error, undefined, params.filename);
    }
  }
  params.onStep?.('create');
  const description = params.description?.trim();
  const request: CreateBatchParams = { input_file_id: fileId, endpoint: params.endpoint, completion_window: '24h' };
  const metadata: Record<string, string> = { ...params.metadata };
  if (description) metadata.description = description.slice(0, 512);
  if (Object.keys(metadata).length > 0) request.metadata = metadata;
  if (params.outputExpiresAfter) request.output_expires_after = params.outputExpiresAfter;
  try {
    const batch = await client.createBatch(request, { signal: params.signal });
    return { fileId, batch };
  } catch (error) {
    throw new BatchCreationError('create', error, fileId, params.filename);
  }
}

/** A Blob backed by the file on disk where Node supports it (≥ 19.8), so uploads stream; else read into memory. */
export async function fileBlob(path: string): Promise<Blob> {
  if (typeof openAsBlob === 'function') return openAsBlob(path);
  return new Blob([await readFile(path)]);
}
