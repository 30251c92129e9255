/**
 * Batches: the routes that list (cursor paging with validated `limit` and `after`), get, cancel
 * and create batches. Creating one checks its parameters and input file as the API does, parses
 * the input's requests (validation errors, requests that will fail, flaky ones) and applies the
 * enqueued-token limits; the lifecycle (lifecycle.ts) then runs it.
 */
import type * as http from 'node:http';
import type { Batch, BatchErrorItem } from '../../src/core/api/types';
import { BATCH_ENDPOINTS, FLAKY_MODEL, newBatchRecord, zeroUsage } from './data';
import { fileContent, resolveFile } from './files';
import { clip, errorReply, isRecord, type JsonReply, listPage, parseExpiresAfter, readBody } from './http';
import type { AccountState, BatchInput } from './state';
import type { FaultRule, LoggedRequest } from './types';

const MAX_JSON_BODY_BYTES = 1024 * 1024;
const CANCELLABLE: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing']);
const MAX_VALIDATION_ERRORS = 100;

export function listBatches(state: AccountState, query: URLSearchParams, fault: FaultRule | undefined): JsonReply {
  let limit = 20;
  const rawLimit = query.get('limit');
  if (rawLimit !== null) {
    if (!/^-?\d+$/.test(rawLimit.trim())) {
      return errorReply(400, `Invalid 'limit': expected an integer, but got '${clip(rawLimit, 40)}' instead.`, {
        param: 'limit',
        code: 'invalid_type',
      });
    }
    limit = Number(rawLimit);
    if (limit < 1) {
      return errorReply(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, {
        param: 'limit',
        code: 'integer_below_min_value',
      });
    }
    if (limit > 100) {
      return errorReply(400, `Invalid 'limit': integer above maximum value. Expected a value <= 100, but got ${limit} instead.`, {
        param: 'limit',
        code: 'integer_above_max_value',
      });
    }
  }
  if (fault?.emptyPageHasMore) {
    return { status: 200, json: { object: 'list', data: [], first_id: null, last_id: null, has_more: true } };
  }
  const { list, index } = state.sorted();
  let start = 0;
  const after = query.get('after');
  if (after !== null && !fault?.stuckCursor) {
    const position = index.get(after);
    if (position === undefined) {
      return errorReply(400, `Invalid 'after': no batch found with id '${clip(after, 100)}'.`, { param: 'after' });
    }
    start = position + 1;
  }
  // noHasMore: providers that send no has_more send no pages either: everything after the cursor (pagedNoHasMore: they do).
  const end = state.quirks.noHasMore ? list.length : start + limit;
  return listPage(list.slice(start, end), fault?.stuckCursor ? true : end < list.length);
}

export function getBatch(state: AccountState, id: string): JsonReply {
  const batch = state.batches.get(id);
  if (!batch) return errorReply(404, `No batch found with id '${clip(id, 100)}'.`);
  return { status: 200, json: batch };
}

export function cancelBatch(state: AccountState, id: string): JsonReply {
  const batch = state.batches.get(id);
  if (!batch) return errorReply(404, `No batch found with id '${clip(id, 100)}'.`);
  if (!CANCELLABLE.has(batch.status ?? '')) {
    return errorReply(409, `Cannot cancel a batch with status '${batch.status ?? 'unknown'}'.`);
  }
  batch.status = 'cancelling';
  batch.cancelling_at = Math.floor(state.nowSeconds);
  state.progress.delete(id);
  return { status: 200, json: batch };
}

export async function createBatch(state: AccountState, req: http.IncomingMessage, entry: LoggedRequest): Promise<JsonReply> {
  const raw = await readBody(req, MAX_JSON_BODY_BYTES);
  if (raw === null) return errorReply(413, 'Request body too large.', { headers: { connection: 'close' } });
  let params: unknown;
  try {
    params = JSON.parse(raw.toString('utf8'));
    entry.body = params;
  } catch {
    params = undefined;
  }
  if (!isRecord(params)) {
    return errorReply(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
  const missing = (param: string): JsonReply =>
    errorReply(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
  const { input_file_id: inputFileId, endpoint, completion_window: window, metadata, output_expires_after: outputExpiresAfter } = params;
  if (typeof inputFileId !== 'string' || inputFileId === '') return missing('input_file_id');
  if (typeof endpoint !== 'string' || endpoint === '') return missing('endpoint');
  if (!BATCH_ENDPOINTS.includes(endpoint)) {
    return errorReply(
      400,
      `Invalid value: '${clip(endpoint, 60)}'. Supported values are: ${BATCH_ENDPOINTS.map((e) => `'${e}'`).join(', ')}.`,
      { param: 'endpoint', code: 'invalid_value' },
    );
  }
  if (typeof window !== 'string' || window === '') return missing('completion_window');
  if (window !== '24h') {
    return errorReply(400, `Invalid value: '${clip(window, 20)}'. Supported values are: '24h'.`, {
      param: 'completion_window',
      code: 'invalid_value',
    });
  }
  const metadataProblem = validateMetadata(metadata);
  if (metadataProblem) return metadataProblem;
  let outputExpirySeconds: number | undefined;
  if (outputExpiresAfter !== undefined) {
    const policy = parseExpiresAfter(outputExpiresAfter, 'output_expires_after');
    if (!('seconds' in policy)) return policy;
    outputExpirySeconds = policy.seconds;
  }

  const file = resolveFile(state, inputFileId);
  if (!file)
    return errorReply(400, `Invalid 'input_file_id': no file found with id '${clip(inputFileId, 60)}'.`, { param: 'input_file_id' });
  if (file.object.purpose !== 'batch') {
    return errorReply(
      400,
      `Invalid 'input_file_id': the file must have purpose 'batch', but it has purpose '${file.object.purpose ?? ''}'.`,
      { param: 'input_file_id' },
    );
  }
  const expiresAt = file.object.expires_at;
  if (typeof expiresAt === 'number' && expiresAt <= state.nowSeconds) {
    return errorReply(400, `Invalid 'input_file_id': the file '${clip(inputFileId, 60)}' has expired.`, { param: 'input_file_id' });
  }
  const content = fileContent(file);
  if (content === null)
    return errorReply(400, "Invalid 'input_file_id': the file exceeds the 200 MB limit for batch input files.", {
      param: 'input_file_id',
    });
  const text = content.toString('utf8');
  const urls = requestUrls(text);
  // Requests that all name another endpoint are a wrong `endpoint`, not a batch that fails validation line by line.
  if (urls.size > 0 && !urls.has(endpoint) && [...urls].every((url) => BATCH_ENDPOINTS.includes(url))) {
    return errorReply(
      400,
      `Invalid 'endpoint': the requests in the input file are for ${[...urls].map((url) => `'${clip(url, 40)}'`).join(', ')}, not '${endpoint}'.`,
      { param: 'endpoint', code: 'invalid_value' },
    );
  }

  const input = parseBatchInput(text, endpoint);
  markFlaky(state, input);
  const limit = await state.enqueuedTokenLimits.check(input.models[0], text, state.batches.values());
  if (input.errors.length === 0) input.errors.push(...limit.errors);
  const now = Math.floor(state.nowSeconds);
  const batch: Batch = {
    ...newBatchRecord({
      id: state.newBatchId(now),
      endpoint,
      inputFileId,
      status: 'validating',
      createdAt: now,
      total: input.customIds.length,
      metadata: (metadata as Record<string, string> | null | undefined) ?? null,
    }),
    model: input.models[0] ?? null,
    usage: zeroUsage(),
  };
  state.batches.set(batch.id, batch);
  state.inputs.set(batch.id, input);
  limit.admit(batch.id);
  if (outputExpirySeconds !== undefined) state.outputExpiry.set(batch.id, outputExpirySeconds);
  state.listChanged();
  return { status: 200, json: batch };
}

/** Requests for {@link FLAKY_MODEL} fail the first time their custom_id is sent, and succeed after. */
function markFlaky(state: AccountState, input: BatchInput): void {
  input.customIds.forEach((customId, i) => {
    if (input.models[i] !== FLAKY_MODEL || state.flakySent.has(customId)) return;
    state.flakySent.add(customId);
    input.failing[i] = true;
    (input.transient ??= [])[i] = true;
  });
}

/** Parses and validates a batch input file the way the Batch API's validation step does. */
function parseBatchInput(text: string, endpoint: string): BatchInput {
  const input: BatchInput = { customIds: [], models: [], failing: [], errors: [] };
  const seen = new Set<string>();
  const fail = (item: BatchErrorItem): void => {
    if (input.errors.length < MAX_VALIDATION_ERRORS) input.errors.push(item);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const position = input.customIds.length;
    input.customIds.push(`line-${lineNo}`);
    input.models.push(null);
    input.failing.push(false);
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      request = undefined;
    }
    if (!isRecord(request)) {
      fail({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: lineNo });
      continue;
    }
    const customId = request.custom_id;
    if (typeof customId !== 'string' || customId === '') {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'custom_id'.", param: 'custom_id', line: lineNo });
      continue;
    }
    if (seen.has(customId)) {
      fail({
        code: 'duplicate_custom_id',
        message:
          'The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.',
        param: 'custom_id',
        line: lineNo,
      });
      continue;
    }
    seen.add(customId);
    input.customIds[position] = customId;
    if (request.method !== 'POST') {
      fail({
        code: 'invalid_method',
        message: `Invalid value: '${String(request.method)}'. Supported values are: 'POST'.`,
        param: 'method',
        line: lineNo,
      });
      continue;
    }
    if (request.url !== endpoint) {
      fail({
        code: 'invalid_url',
        message: `The URL provided for this request does not match the batch endpoint '${endpoint}'.`,
        param: 'url',
        line: lineNo,
      });
      continue;
    }
    if (!isRecord(request.body)) {
      fail({ code: 'missing_required_parameter', message: "Missing required parameter: 'body'.", param: 'body', line: lineNo });
      continue;
    }
    const model = request.body.model;
    input.models[position] = typeof model === 'string' && model !== '' ? model : null;
    // Like the real API, a missing model is not a validation error but a failed request in the error file.
    input.failing[position] = input.models[position] === null && endpoint !== '/v1/moderations';
  }
  return input;
}

/** The `url`s the parseable requests of a batch input file name. */
function requestUrls(text: string): Set<string> {
  const urls = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const request: unknown = JSON.parse(line);
      if (isRecord(request) && typeof request.url === 'string') urls.add(request.url);
    } catch {
      // Invalid lines are the validation step's business.
    }
  }
  return urls;
}

function validateMetadata(metadata: unknown): JsonReply | null {
  if (metadata === undefined || metadata === null) return null;
  if (!isRecord(metadata))
    return errorReply(400, "Invalid type for 'metadata': expected an object.", { param: 'metadata', code: 'invalid_type' });
  const keys = Object.keys(metadata);
  if (keys.length > 16) {
    return errorReply(
      400,
      `Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${keys.length} properties instead.`,
      {
        param: 'metadata',
        code: 'object_above_max_properties',
      },
    );
  }
  for (const key of keys) {
    const value = metadata[key];
    if (key.length > 64)
      return errorReply(400, `Invalid 'metadata': key '${clip(key, 20)}' is longer than 64 characters.`, {
        param: 'metadata',
        code: 'invalid_value',
      });
    if (typeof value !== 'string')
      return errorReply(400, `Invalid type for 'metadata.${clip(key, 20)}': expected a string.`, {
        param: `metadata.${key}`,
        code: 'invalid_type',
      });
    if (value.length > 512)
      return errorReply(400, `Invalid 'metadata.${clip(key, 20)}': string too long. Expected a string with maximum length 512.`, {
        param: `metadata.${key}`,
        code: 'string_above_max_length',
      });
  }
  return null;
}
