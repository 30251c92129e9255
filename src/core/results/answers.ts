/**
 * The answer column of a batch's results: one line saying what a successful response body
 * holds, for each endpoint the Batch API runs. Pure; no `vscode`.
 */
import { formatBytes } from '../util/text';
import { isRecord } from '../util/json';

type Json = Record<string, unknown>;

/** How many characters of model output the summary keeps. */
const TEXT_MAX = 2_000;

/**
 * What a successful response body of `endpoint` comes to, in one line:
 * - `/v1/responses`: the output text (else refusals, else function calls);
 * - `/v1/chat/completions`: the first choice's message (text, refusal or tool calls);
 * - `/v1/completions`: the first choice's text;
 * - `/v1/embeddings`: dimensions and L2 norm (`1536 dimensions · norm 1.000`), with a count when several;
 * - `/v1/moderations`: the flagged categories (`flagged: harassment, violence`) or `not flagged`;
 * - `/v1/images/generations`, `/v1/images/edits`: count, size and bytes of the images (`2 images · 1024x1024 · 1.2 MB`);
 * - `/v1/videos`: the video's status and id (`completed · video_123`).
 * An unknown or missing endpoint (`endpoint: null` from some providers) is recognised by the
 * body's shape. Undefined when the body holds nothing to show. Cut at `maxChars` (the compare
 * view asks for whole answers to tell two of them apart).
 */
export function answerSummary(endpoint: string | null | undefined, responseBody: unknown, maxChars = TEXT_MAX): string | undefined {
  if (typeof responseBody === 'string') return clip(responseBody, maxChars);
  if (!isRecord(responseBody)) return undefined;
  const summarise = SUMMARIES.get(normalizeEndpoint(endpoint)) ?? byShape;
  const answer = summarise(responseBody);
  return answer === undefined ? undefined : clip(answer, maxChars);
}

/** Endpoints as written, normalized: an index asks once per row, and a batch has one endpoint. */
const normalized = new Map<string, string>();

/** `/v1/chat/completions` also when a provider writes `v1/chat/completions/` or `/chat/completions`. */
function normalizeEndpoint(endpoint: string | null | undefined): string {
  if (typeof endpoint !== 'string') return '';
  let known = normalized.get(endpoint);
  if (known === undefined) {
    const path = endpoint.trim().toLowerCase().replace(/\/+$/, '');
    const withSlash = path.startsWith('/') ? path : `/${path}`;
    known = withSlash.startsWith('/v1/') ? withSlash : `/v1${withSlash}`;
    // A few distinct endpoints in practice; the bound keeps odd input from growing it.
    if (normalized.size < 64) normalized.set(endpoint, known);
  }
  return known;
}

const SUMMARIES: ReadonlyMap<string, (body: Json) => string | undefined> = new Map([
  ['/v1/responses', responsesAnswer],
  ['/v1/chat/completions', chatAnswer],
  ['/v1/completions', chatAnswer],
  ['/v1/embeddings', embeddingsAnswer],
  ['/v1/moderations', moderationAnswer],
  ['/v1/images/generations', imagesAnswer],
  ['/v1/images/edits', imagesAnswer],
  ['/v1/videos', videoAnswer],
]);

/** For bodies of an endpoint not named: whichever shape they have. */
function byShape(body: Json): string | undefined {
  if (Array.isArray(body.choices)) return chatAnswer(body);
  if (typeof body.output_text === 'string' || Array.isArray(body.output)) return responsesAnswer(body);
  if (Array.isArray(body.results)) return moderationAnswer(body);
  if (body.object === 'video') return videoAnswer(body);
  if (Array.isArray(body.data)) {
    const first: unknown = body.data[0];
    if (isRecord(first) && 'embedding' in first) return embeddingsAnswer(body);
    if (isRecord(first) && ('b64_json' in first || 'url' in first)) return imagesAnswer(body);
  }
  return undefined;
}

function responsesAnswer(body: Json): string | undefined {
  if (typeof body.output_text === 'string' && body.output_text) return body.output_text;
  const texts: string[] = [];
  const refusals: string[] = [];
  const calls: string[] = [];
  for (const item of Array.isArray(body.output) ? body.output : []) {
    if (!isRecord(item)) continue;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (part.type === 'output_text' && typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'refusal' && typeof part.refusal === 'string') refusals.push(`refusal: ${part.refusal}`);
      }
    } else if (item.type === 'function_call') {
      calls.push(toolCall(item.name, item.arguments));
    }
  }
  const answer = texts.join('\n') || refusals.join('\n') || calls.join('; ');
  if (answer) return answer;
  return typeof body.status === 'string' && body.status !== 'completed' ? `(${body.status}, no output)` : undefined;
}

function chatAnswer(body: Json): string | undefined {
  const choice: unknown = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice)) return undefined;
  if (typeof choice.text === 'string') return choice.text;
  const message = choice.message;
  if (!isRecord(message)) return undefined;
  const content = message.content;
  if (typeof content === 'string' && content) return content;
  if (Array.isArray(content)) {
    const text = content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
    if (text) return text;
  }
  if (typeof message.refusal === 'string' && message.refusal) return `refusal: ${message.refusal}`;
  if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
    return message.tool_calls
      .map((call) => (isRecord(call) && isRecord(call.function) ? toolCall(call.function.name, call.function.arguments) : 'tool call'))
      .join('; ');
  }
  return typeof content === 'string' ? content : undefined;
}

/**
 * Stands in for an embedding's numbers that the results index did not read (see
 * `resultLine.ts`): the row says how many embeddings there are, and the expanded row, which
 * reads the line back, says their dimensions and norm.
 */
export const EMBEDDING_NOT_READ = '\u0000embedding not read';

/** The answer of a row whose embeddings were not read, by their count: one string shared by the rows of a batch. */
const notReadAnswers: string[] = [];

function notReadAnswer(count: number): string {
  const known = notReadAnswers[count];
  if (known !== undefined) return known;
  const answer = `${plural(count, 'embedding')} · expand for dimensions and norm`;
  if (count < 64) notReadAnswers[count] = answer;
  return answer;
}

/** The records among `items`: `items` itself when all are (an index asks once per row), else a filtered copy. */
function records(items: unknown[]): Json[] {
  for (const item of items) if (!isRecord(item)) return items.filter(isRecord);
  return items as Json[];
}

function embeddingsAnswer(body: Json): string | undefined {
  const items = Array.isArray(body.data) ? records(body.data) : [];
  if (items.length > 0 && items[0].embedding === EMBEDDING_NOT_READ) return notReadAnswer(items.length);
  const vector = items.length > 0 ? embeddingVector(items[0].embedding) : undefined;
  if (!vector) return items.length > 0 ? plural(items.length, 'embedding') : undefined;
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  const parts = [plural(vector.length, 'dimension'), `norm ${Number.isFinite(norm) ? norm.toFixed(3) : '?'}`];
  if (items.length > 1) parts.unshift(`${items.length} embeddings`);
  return parts.join(' · ');
}

/** An embedding as numbers: a JSON array, or base64 little-endian float32 (`encoding_format: "base64"`). */
export function embeddingVector(value: unknown): number[] | undefined {
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.every((x): x is number => typeof x === 'number') ? items : undefined;
  }
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  const vector: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.length; offset += 4) vector.push(bytes.readFloatLE(offset));
  return vector;
}

function moderationAnswer(body: Json): string | undefined {
  const results = Array.isArray(body.results) ? body.results.filter(isRecord) : [];
  if (results.length === 0) return undefined;
  const flagged = results.filter((result) => result.flagged === true);
  if (flagged.length === 0) return results.length > 1 ? `not flagged (${results.length} inputs)` : 'not flagged';
  const categories = new Set<string>();
  for (const result of flagged) {
    if (!isRecord(result.categories)) continue;
    for (const [name, on] of Object.entries(result.categories)) if (on === true) categories.add(name);
  }
  const which = categories.size > 0 ? `: ${[...categories].join(', ')}` : '';
  return results.length > 1 ? `${flagged.length} of ${results.length} inputs flagged${which}` : `flagged${which}`;
}

function imagesAnswer(body: Json): string | undefined {
  const images = Array.isArray(body.data) ? body.data.filter(isRecord) : [];
  if (images.length === 0) return undefined;
  const parts = [plural(images.length, 'image')];
  if (typeof body.size === 'string' && body.size) parts.push(body.size);
  let bytes = 0;
  let urls = 0;
  for (const image of images) {
    if (typeof image.b64_json === 'string') bytes += base64Bytes(image.b64_json);
    else if (typeof image.url === 'string') urls++;
  }
  if (bytes > 0) parts.push(formatBytes(bytes));
  if (urls > 0) parts.push(urls === images.length ? 'as URLs' : `${urls} as URLs`);
  if (typeof body.output_format === 'string' && body.output_format) parts.push(body.output_format);
  return parts.join(' · ');
}

function videoAnswer(body: Json): string | undefined {
  const id = typeof body.id === 'string' ? body.id : undefined;
  const status = typeof body.status === 'string' ? body.status : undefined;
  if (!id && !status) return undefined;
  const parts = [status ?? 'video', ...(id ? [id] : [])];
  if (status && status !== 'completed' && typeof body.progress === 'number') parts.push(`${body.progress}%`);
  if (typeof body.seconds === 'string' || typeof body.seconds === 'number') parts.push(`${body.seconds} s`);
  if (typeof body.size === 'string' && body.size) parts.push(body.size);
  return parts.join(' · ');
}

function toolCall(name: unknown, args: unknown): string {
  return `tool call: ${typeof name === 'string' ? name : '?'}(${typeof args === 'string' ? args : ''})`;
}

/** The decoded size of base64 text, without decoding it. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}
