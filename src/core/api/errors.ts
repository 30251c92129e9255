/**
 * Every failure the API client can produce, mapped once to a kind with a human message.
 * The tree, commands and webview look only at these, never at axios errors (which carry
 * request headers, and so the key).
 */
export type ApiErrorKind =
  | 'auth' // 401, or no key
  | 'forbidden' // 403
  | 'notFound' // 404
  | 'badRequest' // 400, 422
  | 'conflict' // 409
  | 'rateLimited' // 429
  | 'server' // 5xx
  | 'network' // reset, refused, DNS
  | 'timeout'
  | 'badResponse' // not JSON, HTML, truncated, wrong shape
  | 'insecureUrl' // http:// to a non-loopback host, or an unparsable base URL
  | 'cancelled'; // aborted by us (refresh superseded it, user pressed Cancel)

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    /** The API's own `error.code` when it sent one (e.g. `invalid_api_key`). */
    readonly code?: string,
  ) {
    super(message);
  }

  /** Whether retrying the same request later could succeed. */
  get transient(): boolean {
    return ['rateLimited', 'server', 'network', 'timeout'].includes(this.kind);
  }
}

export function isCancellation(value: unknown): boolean {
  return value instanceof ApiError && value.kind === 'cancelled';
}

/** A message for any thrown value, without ever falling back to a raw object dump. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  return 'Unknown error';
}
