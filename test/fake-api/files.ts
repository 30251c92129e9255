/**
 * Files: the file store (added, uploaded, and derived on first access from the batches that
 * name them: input, output and error files whose lines are generated, never held), the routes
 * that list, get, delete and download files, and the streamed download itself.
 */
import type * as http from 'node:http';
import type { Batch, FileObject } from '../../src/core/api/types';
import { type BatchError, batchErrorItems } from '../../src/core/batches/batchFacts';
import {
  defaultModel,
  errorLine,
  expiredLine,
  generatedOutputChunks,
  hashString,
  inputLine,
  MISSING_MODEL_FAILURE,
  mulberry32,
  outputLine,
  TRANSIENT_FAILURE,
} from './data';
import { CHUNK_BYTES, clip, errorReply, type JsonReply, listPage, type Responder } from './http';
import { planOf, requestsPerSecond } from './lifecycle';
import type { AccountState, FileBody, FileEntry } from './state';
import type { FaultRule, FileSpec, LoggedRequest } from './types';

/** OpenAI's limit for batch input files; also bounds what the fake buffers per upload. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

/** A route's answer: JSON, or the content of a file, streamed by {@link sendFile}. */
export type Reply = JsonReply | { status: 200; file: FileEntry };

/** `GET /files?purpose=&order=asc|desc&limit=1..10000&after=`: uploaded files and those of batches that finished. */
export function listFiles(state: AccountState, query: URLSearchParams, fault?: FaultRule): JsonReply {
  let limit = 10_000;
  const rawLimit = query.get('limit');
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit.trim()) || limit < 1 || limit > 10_000) {
      return errorReply(400, `Invalid 'limit': expected an integer from 1 to 10000, but got '${clip(rawLimit, 40)}' instead.`, {
        param: 'limit',
        code: 'invalid_value',
      });
    }
  }
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    return errorReply(400, `Invalid value: '${clip(order, 20)}'. Supported values are: 'asc' and 'desc'.`, {
      param: 'order',
      code: 'invalid_value',
    });
  }
  const purpose = query.get('purpose');
  // Files of batches are derived on first access: list those that exist by now.
  for (const batch of state.batches.values()) {
    for (const id of [batch.input_file_id, batch.output_file_id, batch.error_file_id]) if (id) resolveFile(state, id);
  }
  const files = [...state.files.values()]
    .map((entry) => entry.object)
    .filter((file) => purpose === null || file.purpose === purpose)
    .sort((a, b) => (order === 'asc' ? 1 : -1) * ((a.created_at ?? 0) - (b.created_at ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  let start = 0;
  const after = query.get('after');
  // stuckCursor: a provider that ignores `after` and sends the first page again.
  if (after !== null && !fault?.stuckCursor) {
    const position = files.findIndex((file) => file.id === after);
    if (position < 0) return errorReply(400, `Invalid 'after': no file found with id '${clip(after, 100)}'.`, { param: 'after' });
    start = position + 1;
  }
  return listPage(files.slice(start, start + limit), start + limit < files.length);
}

export function deleteFile(state: AccountState, id: string): JsonReply {
  if (!resolveFile(state, id)) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
  state.files.delete(id);
  state.deleted.add(id);
  return { status: 200, json: { id, object: 'file', deleted: true } };
}

export function getFile(state: AccountState, id: string): JsonReply {
  const file = resolveFile(state, id);
  if (!file) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
  return { status: 200, json: file.object };
}

export function getFileContent(state: AccountState, id: string): Reply {
  const file = resolveFile(state, id);
  if (!file) return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
  // Like the API: an expired file still has its object, but its content is gone.
  const expiresAt = file.object.expires_at;
  if (typeof expiresAt === 'number' && expiresAt <= state.nowSeconds)
    return errorReply(404, `No such File object: ${clip(id, 100)}`, { param: 'id' });
  return { status: 200, file };
}

export function addFile(state: AccountState, spec: FileSpec): FileEntry {
  const id = spec.id ?? state.newFileId();
  let body: FileBody;
  let bytes: number;
  if ('generatedBytes' in spec) {
    if (!Number.isSafeInteger(spec.generatedBytes) || spec.generatedBytes < 0)
      throw new RangeError('generatedBytes must be a non-negative integer');
    body = { kind: 'generated', seed: hashString(id) };
    bytes = spec.generatedBytes;
  } else {
    const data = typeof spec.content === 'string' ? Buffer.from(spec.content, 'utf8') : spec.content;
    body = { kind: 'buffer', data };
    bytes = data.length;
  }
  const object: FileObject = {
    id,
    object: 'file',
    bytes,
    created_at: Math.floor(spec.createdAt ?? state.nowSeconds),
    // Only files given an expiry have the field, as the fake's files always had (see README note in the report).
    ...(typeof spec.expiresAt === 'number' && { expires_at: spec.expiresAt }),
    filename: spec.filename,
    purpose: spec.purpose,
    status: 'processed',
  };
  const entry: FileEntry = { object, body, derived: false };
  state.files.set(id, entry);
  return entry;
}

/** Whole content, for reading a batch input file; null when too large to hold. */
export function fileContent(file: FileEntry): Buffer | null {
  if (file.body.kind === 'buffer') return file.body.data;
  if ((file.object.bytes ?? 0) > MAX_UPLOAD_BYTES) return null;
  return Buffer.concat([...fileChunks(file)]);
}

/** Uploaded files, or files referenced by a batch (seeded or finished), whose content is derived on first access. */
export function resolveFile(state: AccountState, id: string): FileEntry | undefined {
  if (state.deleted.has(id)) return undefined;
  const known = state.files.get(id);
  if (known) return known;
  for (const batch of state.batches.values()) {
    const role =
      batch.input_file_id === id ? 'input' : batch.output_file_id === id ? 'output' : batch.error_file_id === id ? 'error' : undefined;
    if (role) {
      const entry = deriveFile(state, batch, id, role);
      state.files.set(id, entry);
      return entry;
    }
  }
  return undefined;
}

function deriveFile(state: AccountState, batch: Batch, id: string, role: 'input' | 'output' | 'error'): FileEntry {
  const seed = hashString(batch.id);
  const endpoint = batch.endpoint ?? '/v1/chat/completions';
  const model = batch.model ?? defaultModel(endpoint);
  const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
  const processed = counts.completed + counts.failed;
  const input = state.inputs.get(batch.id);
  const plan = planOf(state, batch);
  const customId = (i: number): string => input?.customIds[i] ?? `request-${i + 1}`;
  const modelOf = (i: number): string => input?.models[i] ?? model;
  const isFailed = (i: number): boolean => plan.failedAmong(i + 1) > plan.failedAmong(i);
  // One generator per line, so a line is the same whether it is measured or streamed.
  const rngFor = (i: number) => mulberry32(seed ^ Math.imul(i + 1, 0x9e3779b1));
  const startedAt = batch.in_progress_at ?? batch.created_at ?? 0;
  const rate = requestsPerSecond(counts.total);
  const finishedAt = batch.completed_at ?? batch.cancelled_at ?? batch.expired_at ?? batch.finalizing_at ?? Math.floor(state.nowSeconds);

  const resultFile = (kind: 'output' | 'error'): FileObject => ({
    id,
    object: 'file',
    bytes: 0,
    created_at: finishedAt,
    filename: `${batch.id}_${kind}.jsonl`,
    purpose: 'batch_output',
    status: 'processed',
  });

  let count: number;
  let line: (i: number) => string | null;
  let object: FileObject;
  if (role === 'input') {
    const broken = new Map<number, BatchError>();
    for (const item of batchErrorItems(batch)) if (item.line !== undefined) broken.set(item.line, item);
    count = Math.max(counts.total, ...broken.keys(), batch.status === 'failed' ? 5 : 0);
    line = (i) => {
      const problem = broken.get(i + 1);
      const good = inputLine(endpoint, model, customId(i), i);
      if (problem?.code === 'invalid_json_line') return `${good.slice(0, Math.floor(good.length * 0.6))}\n`;
      if (problem?.code === 'missing_required_parameter') return `${good.replace(/^\{"custom_id":"[^"]*",/, '{')}\n`;
      if (problem?.code === 'invalid_url') return `${good.replace(`"url":"${endpoint}"`, '"url":"/v1/chat/completion"')}\n`;
      return `${good}\n`;
    };
    const description = batch.metadata?.description ?? batch.metadata?.name;
    const slug = description
      ?.toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    object = {
      id,
      object: 'file',
      bytes: 0,
      created_at: (batch.created_at ?? 0) - 7,
      filename: `${slug || 'batch-requests'}.jsonl`,
      purpose: 'batch',
      status: 'processed',
    };
  } else if (role === 'output') {
    count = processed;
    line = (i) => (isFailed(i) ? null : outputLine(rngFor(i), endpoint, modelOf(i), customId(i), startedAt + Math.floor(i / rate)));
    object = resultFile('output');
  } else {
    count = batch.status === 'expired' ? counts.total : processed;
    line = (i) => {
      if (i >= processed) return expiredLine(rngFor(i), customId(i));
      if (!isFailed(i)) return null;
      return errorLine(
        rngFor(i),
        customId(i),
        input?.failing[i] ? (input.transient?.[i] ? TRANSIENT_FAILURE : MISSING_MODEL_FAILURE) : undefined,
      );
    };
    object = resultFile('error');
  }
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const text = line(i);
    if (text !== null) bytes += Buffer.byteLength(text, 'utf8');
  }
  object.bytes = bytes;
  // output_expires_after counts from the output (or error) file's creation.
  const expirySeconds = state.outputExpiry.get(batch.id);
  if (role !== 'input' && expirySeconds !== undefined) object.expires_at = (object.created_at ?? finishedAt) + expirySeconds;
  return { object, body: { kind: 'lines', count, line }, derived: true };
}

function* fileChunks(entry: FileEntry): Generator<Buffer> {
  const body = entry.body;
  if (body.kind === 'buffer') {
    for (let offset = 0; offset < body.data.length; offset += CHUNK_BYTES) yield body.data.subarray(offset, offset + CHUNK_BYTES);
  } else if (body.kind === 'generated') {
    yield* generatedOutputChunks(entry.object.bytes ?? 0, body.seed, CHUNK_BYTES);
  } else {
    let parts: string[] = [];
    let pending = 0;
    for (let i = 0; i < body.count; i++) {
      const line = body.line(i);
      if (line === null) continue;
      parts.push(line);
      pending += line.length;
      if (pending >= CHUNK_BYTES) {
        yield Buffer.from(parts.join(''), 'utf8');
        parts = [];
        pending = 0;
      }
    }
    if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8');
  }
}

/** Streams with backpressure, so even generated GiB-sized files never sit in memory. */
export async function sendFile(
  out: Responder,
  res: http.ServerResponse,
  entry: LoggedRequest,
  file: FileEntry,
  extraHeaders: Record<string, string>,
  fault: FaultRule | undefined,
): Promise<void> {
  if (res.destroyed) return;
  const total = file.object.bytes ?? 0;
  const announced = fault?.lyingContentLength ?? total;
  const filename = (file.object.filename ?? file.object.id).replace(/[^\w.-]/g, '_');
  out.writeHead(res, entry, 200, {
    'content-type': 'application/octet-stream',
    'content-disposition': `attachment; filename="${filename}"`,
    ...extraHeaders,
    'content-length': String(announced),
  });
  const limit = fault?.truncated ? Math.floor(total / 2) : total;
  let sent = 0;
  for (const chunk of fileChunks(file)) {
    if (sent >= limit) break;
    const piece = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
    sent += piece.length;
    if (!(await out.write(res, piece, fault))) return;
  }
  if (sent < announced) {
    // Flush what was written, then close the connection short of content-length, like a dropped download.
    res.socket?.end();
    return;
  }
  res.end();
}
