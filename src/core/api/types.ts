/** The statuses the API documents (their order and meaning live in batches/batchFacts.ts). */
export type KnownBatchStatus =
  'validating' | 'in_progress' | 'finalizing' | 'cancelling' | 'completed' | 'failed' | 'expired' | 'cancelled';

/** A status string as the API sent it; unknown values are preserved, never dropped. */
export type BatchStatus = KnownBatchStatus | (string & {});

export interface BatchRequestCounts {
  total: number;
  completed: number;
  failed: number;
}

/** One validation error as the API sent it: Azure's description types `line` as a string. Read it with `batchFacts.batchErrorItems`. */
export interface BatchErrorItem {
  code?: string | null;
  message?: string | null;
  param?: string | null;
  line?: number | string | null;
}

/**
 * A batch's validation errors. OpenAI's description types `data` as an array; Azure's (the
 * 2024-10-21 authoring API) as one object. Never read `data` directly: `batchFacts.batchErrorItems`
 * reads both as a list.
 */
export interface BatchErrors {
  object?: string;
  data?: BatchErrorItem[] | BatchErrorItem | null;
}

export interface BatchUsage {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number } | null;
  total_tokens?: number;
}

/**
 * One batch as returned by `GET /batches` and `GET /batches/{id}`. Everything but `id` may be
 * missing or null on compatible providers, and they differ in more than that: statuses in other
 * cases (`Completed`, `IN_PROGRESS`: read them with `grouping.statusOf`), and times as ISO-8601
 * strings instead of unix seconds (read every `…_at` field with `format.unixSeconds`). The
 * object is kept as the provider sent it, so its JSON view shows what the server said.
 */
export interface Batch {
  id: string;
  object?: 'batch' | (string & {});
  endpoint?: string | null;
  errors?: BatchErrors | null;
  input_file_id?: string | null;
  completion_window?: string | null;
  status?: BatchStatus | null;
  output_file_id?: string | null;
  error_file_id?: string | null;
  created_at?: number | null;
  in_progress_at?: number | null;
  expires_at?: number | null;
  finalizing_at?: number | null;
  completed_at?: number | null;
  failed_at?: number | null;
  expired_at?: number | null;
  cancelling_at?: number | null;
  cancelled_at?: number | null;
  request_counts?: BatchRequestCounts | null;
  metadata?: Record<string, string> | null;
  model?: string | null;
  usage?: BatchUsage | null;
}

/** A page of `GET /batches`. */
export interface BatchList {
  object?: 'list' | (string & {});
  data: Batch[];
  first_id?: string | null;
  last_id?: string | null;
  /** Undefined when the provider left it out (see `page.listPage`). */
  has_more?: boolean;
}

/** `GET /files/{id}`; times as in {@link Batch}. */
export interface FileObject {
  id: string;
  object?: 'file' | (string & {});
  bytes?: number | null;
  created_at?: number | null;
  /** When the file is deleted; batch input files expire after 30 days unless uploaded with `expires_after`. */
  expires_at?: number | null;
  filename?: string | null;
  purpose?: string | null;
  status?: string | null;
}

/** A page of `GET /files`. */
export interface FileList {
  object?: 'list' | (string & {});
  data: FileObject[];
  first_id?: string | null;
  last_id?: string | null;
  /** Undefined when the provider left it out (see `page.listPage`). */
  has_more?: boolean;
}

/** An expiry policy: `expires_after` of an upload, `output_expires_after` of a batch (3600–2592000 seconds). */
export interface ExpiresAfter {
  anchor: 'created_at';
  seconds: number;
}

/** The error body shape of OpenAI-compatible APIs. */
export interface ApiErrorBody {
  error?: {
    message?: string | null;
    type?: string | null;
    param?: string | null;
    code?: string | null;
  } | null;
}

export interface CreateBatchParams {
  input_file_id: string;
  endpoint: string;
  completion_window: '24h' | (string & {});
  metadata?: Record<string, string>;
  /** When the output and error files expire; without it they are kept until deleted. */
  output_expires_after?: ExpiresAfter;
}
