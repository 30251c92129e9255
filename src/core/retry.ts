/** How failed requests are retried. Small on purpose: bounded attempts, bounded total wait. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on all waiting between attempts of one call, including server-requested waits. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxTotalWaitMs: 30_000,
};

const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504]);

/**
 * Whether a response status is worth another attempt. `x-should-retry` from the server wins
 * (OpenAI sends it); 409 is retried only for reads, since for a cancel it means "not cancellable".
 */
export function shouldRetryStatus(status: number, method: string, headers: Record<string, unknown>): boolean {
  const hint = headerString(headers, 'x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  if (status === 409 && method.toUpperCase() !== 'GET') return false;
  if (method.toUpperCase() !== 'GET' && status !== 429 && status !== 503) return false;
  return RETRYABLE_STATUSES.has(status) || status >= 500;
}

/**
 * The delay before retry number `attempt` (1-based): the server's `retry-after-ms`, then
 * `retry-after` (seconds or an HTTP date), else exponential backoff with full jitter.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, headers: Record<string, unknown> = {}, random = Math.random, now = Date.now()): number {
  const ms = Number(headerString(headers, 'retry-after-ms'));
  if (headerString(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxTotalWaitMs);
  const after = headerString(headers, 'retry-after');
  if (after !== undefined) {
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxTotalWaitMs);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - now), policy.maxTotalWaitMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function headerString(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (value === undefined || value === null) return undefined;
  return String(Array.isArray(value) ? value[0] : value).trim();
}

/** Resolves after `ms`, or rejects at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
