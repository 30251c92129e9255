import axios from 'axios';
import type { Readable } from 'node:stream';
import { ApiError } from './errors';
import { formatBytes } from '../util/text';
import type { ApiErrorBody } from './types';

/** What the error messages of one client name: its host, and the limits its requests run against. */
export interface ErrorContext {
  host: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** A body that is not what the API sends: HTML, truncated JSON, not a batch… */
export function unexpectedResponse(host: string, status: number, detail: string): ApiError {
  return new ApiError('badResponse', `Unexpected response from ${host} (HTTP ${status}): ${detail}.`, status);
}

/** A JSON response larger than `maxResponseBytes`, abandoned. */
export function tooLarge(context: ErrorContext, resource: string): ApiError {
  const limit = formatBytes(context.maxResponseBytes);
  return new ApiError('badResponse', `The response from ${context.host} exceeded ${limit} (request for ${resource}) and was abandoned.`);
}

/**
 * The error for a non-2xx response, by status, with the API's own message when its body has one.
 * A streamed body (file content) is read only as far as an error message could go.
 */
export async function statusError(
  context: ErrorContext,
  response: { status: number; data: unknown },
  resource: string,
  streamed: boolean,
): Promise<ApiError> {
  const text = streamed ? await readSome(response.data as Readable) : typeof response.data === 'string' ? response.data : '';
  let apiMessage: string | undefined;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as ApiErrorBody;
    apiMessage = body?.error?.message ?? undefined;
    code = body?.error?.code ?? undefined;
  } catch {
    // Not JSON: a proxy page or a bare status. The status alone decides the message.
  }
  const { host } = context;
  const status = response.status;
  const detail = apiMessage ? `: ${apiMessage}` : '';
  if (status === 401) return new ApiError('auth', `Invalid or missing API key (HTTP 401)${detail}`, status, code);
  if (status === 403) return new ApiError('forbidden', `Access to ${resource} was denied (HTTP 403)${detail}`, status, code);
  if (status === 404) return new ApiError('notFound', `${capitalize(resource)} was not found (HTTP 404)${detail}`, status, code);
  if (status === 408) return new ApiError('timeout', `${host} timed out the request for ${resource} (HTTP 408)${detail}`, status, code);
  if (status === 409) return new ApiError('conflict', apiMessage ?? `Conflict on ${resource} (HTTP 409).`, status, code);
  if (status === 429) return new ApiError('rateLimited', `Rate limited by ${host} (HTTP 429)${detail}`, status, code);
  if (status >= 500) return new ApiError('server', `${host} had a server error (HTTP ${status})${detail}`, status, code);
  if (!apiMessage && text.trim().startsWith('<')) return unexpectedResponse(host, status, 'HTML instead of JSON');
  return new ApiError('badRequest', `Request for ${resource} was rejected (HTTP ${status})${detail}`, status, code);
}

/**
 * The error for an attempt that brought no response: a timeout (`deadlineExpired`), a cancel
 * (`signal` is the caller's), an oversized body, or a connection failure.
 */
export function transportError(
  context: ErrorContext,
  error: unknown,
  resource: string,
  signal: AbortSignal | undefined,
  deadlineExpired: boolean,
): ApiError {
  if (error instanceof ApiError) return error;
  const timeout = (): ApiError =>
    new ApiError('timeout', `${context.host} did not answer within ${Math.round(context.timeoutMs / 1000)} s (request for ${resource}).`);
  if (deadlineExpired) return timeout();
  if (axios.isCancel(error) || signal?.aborted) return new ApiError('cancelled', 'Request cancelled.');
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof ApiError) return cause; // e.g. the loopback lookup's refusal
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return timeout();
  // axios says so only in its message; its code (ERR_BAD_RESPONSE) also covers aborted streams.
  if (/^maxContentLength size of \d+ exceeded/.test(String((error as Error | undefined)?.message))) return tooLarge(context, resource);
  const reason = code ?? 'connection failed';
  return new ApiError('network', `Could not reach ${context.host} (${reason}) while loading ${resource}.`);
}

/** The same error, saying how long the server asked to wait (when that is long enough to matter). */
export function withRequestedWait(error: ApiError, ms: number): ApiError {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return error;
  const minutes = Math.round(seconds / 60);
  const hours = Math.round(minutes / 60);
  const wait = seconds < 60 ? `${seconds} s` : minutes < 60 ? plural(minutes, 'minute') : plural(hours, 'hour');
  return new ApiError(
    error.kind,
    `${error.message.replace(/\.?$/, '.')} The server asked to wait about ${wait} before retrying.`,
    error.status,
    error.code,
  );
}

/** Up to `limit` bytes of an error response's stream (64 KiB: more than any error message), then the stream is destroyed. */
async function readSome(stream: Readable, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
