/** How failed requests are retried. Small on purpose: bounded attempts, bounded total wait. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * Upper bound on all waiting between attempts of one call. A wait that would go past it,
   * including one the server asked for, is not shortened: the call gives up at once instead.
   */
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
 * The wait the server asked for: `retry-after-ms`, then `retry-after` (seconds or an HTTP date).
 * Undefined when it asked for nothing usable. Never clamped: a caller whose budget is smaller
 * gives up instead of retrying before the server said it would answer.
 */
export function requestedDelayMs(headers: Record<string, unknown>, now = Date.now()): number | undefined {
  const ms = Number(headerString(headers, 'retry-after-ms'));
  if (headerString(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headerString(headers, 'retry-after');
  if (after === undefined || after === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The delay before retry number `attempt` (1-based): what the server asked for (see
 * {@link requestedDelayMs}), else exponential backoff with full jitter.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  headers: Record<string, unknown> = {},
  random = Math.random,
  now = Date.now(),
): number {
  const requested = requestedDelayMs(headers, now);
  if (requested !== undefined) return requested;
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
