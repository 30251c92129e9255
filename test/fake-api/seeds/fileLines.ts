/**
 * File contents of the fake's batches: input lines, output lines that fit each endpoint, error
 * lines (failed and expired requests), and generated output of an exact size for big downloads.
 */
import { DEMO_NOW, isReasoningModel, MODELS } from './batchShape';
import { int, mulberry32, pick, randomBase62, randomHex, type Rng } from './random';

const PROMPTS = [
  'Summarize the following support ticket in one sentence.',
  'Translate to German: "Your order has shipped."',
  'Classify the sentiment of: "The update broke my workflow."',
  'Extract the invoice total from the text below.',
  'Suggest a title for this article about solar panels.',
];
const ANSWERS = [
  'The customer cannot log in after resetting their password and asks for help.',
  'Ihre Bestellung wurde versandt.',
  'negative',
  'The invoice total is 1,284.50 EUR.',
  'Harvesting the Sun: A Practical Guide to Home Solar',
  'The request is about a billing discrepancy on the last invoice; the customer wants a refund of the duplicate charge.',
];

/** One line of a batch input file. */
export function inputLine(endpoint: string, model: string, customId: string, n: number): string {
  const prompt = PROMPTS[n % PROMPTS.length];
  let body: Record<string, unknown>;
  switch (endpoint) {
    case '/v1/responses':
      body = { model, input: prompt };
      break;
    case '/v1/embeddings':
      body = { model, input: prompt };
      break;
    case '/v1/completions':
      body = { model, prompt, max_tokens: 200 };
      break;
    case '/v1/moderations':
      body = { model, input: prompt };
      break;
    case '/v1/images/generations':
      body = { model, prompt, size: '1024x1024', quality: 'low' };
      break;
    case '/v1/images/edits':
      body = { model, prompt, image: { image_url: `https://example.com/source-${n % 7}.png` }, size: '1024x1024' };
      break;
    case '/v1/videos':
      body = { model, prompt, seconds: '4', size: '720x1280' };
      break;
    default:
      body = {
        model,
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: prompt },
        ],
        max_tokens: 1000,
      };
  }
  return JSON.stringify({ custom_id: customId, method: 'POST', url: endpoint, body });
}

/** The random parts of a chat completion result line, drawn before the content so the content can be sized afterwards. */
interface ChatParts {
  customIdJson: string;
  model: string;
  created: number;
  lineId: string;
  requestId: string;
  completionId: string;
  fingerprint: string;
  promptTokens: number;
  completionTokens: number;
}

function chatParts(rng: Rng, customId: string, model: string, created: number): ChatParts {
  return {
    customIdJson: JSON.stringify(customId),
    model: JSON.stringify(model),
    created,
    lineId: randomHex(rng, 32),
    requestId: randomHex(rng, 32),
    completionId: randomBase62(rng, 29),
    fingerprint: randomHex(rng, 10),
    promptTokens: int(rng, 20, 900),
    completionTokens: int(rng, 1, 400),
  };
}

/** `content` must already be JSON-safe ASCII; the line is built by hand because JSON.stringify is the bottleneck for GiB-sized files. */
function renderChat(p: ChatParts, content: string): string {
  return (
    `{"id":"batch_req_${p.lineId}","custom_id":${p.customIdJson},"response":{"status_code":200,"request_id":"${p.requestId}",` +
    `"body":{"id":"chatcmpl-${p.completionId}","object":"chat.completion","created":${p.created},"model":${p.model},` +
    `"choices":[{"index":0,"message":{"role":"assistant","content":"${content}","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
    `"usage":{"prompt_tokens":${p.promptTokens},"completion_tokens":${p.completionTokens},"total_tokens":${p.promptTokens + p.completionTokens},` +
    `"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},` +
    `"service_tier":"default","system_fingerprint":"fp_${p.fingerprint}"}},"error":null}\n`
  );
}

/** One line of a batch output file (a successful request), with a body that fits the endpoint. Ends with "\n". */
export function outputLine(rng: Rng, endpoint: string, model: string, customId: string, created: number): string {
  const answer = pick(rng, ANSWERS);
  if (endpoint === '/v1/chat/completions' || !MODELS[endpoint]) {
    return renderChat(chatParts(rng, customId, model, created), JSON.stringify(answer).slice(1, -1));
  }
  const promptTokens = int(rng, 8, 600);
  const outputTokens = int(rng, 1, 300);
  let body: unknown;
  switch (endpoint) {
    case '/v1/responses':
      body = {
        id: `resp_${randomHex(rng, 48)}`,
        object: 'response',
        created_at: created,
        status: 'completed',
        model,
        output: [
          {
            id: `msg_${randomHex(rng, 48)}`,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: answer, annotations: [] }],
          },
        ],
        usage: {
          input_tokens: promptTokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: isReasoningModel(model) ? Math.floor(outputTokens / 2) : 0 },
          total_tokens: promptTokens + outputTokens,
        },
      };
      break;
    case '/v1/embeddings':
      body = {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: Array.from({ length: 8 }, () => Math.round((rng() * 2 - 1) * 1e6) / 1e6) }],
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      };
      break;
    case '/v1/completions':
      body = {
        id: `cmpl-${randomBase62(rng, 29)}`,
        object: 'text_completion',
        created,
        model,
        choices: [{ text: answer, index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: outputTokens, total_tokens: promptTokens + outputTokens },
      };
      break;
    case '/v1/images/generations':
    case '/v1/images/edits':
      body = {
        created,
        // Random base64 standing in for a small PNG: what matters is its size.
        data: [{ b64_json: Buffer.from(randomHex(rng, 2048), 'hex').toString('base64') }],
        size: '1024x1024',
        quality: 'low',
        output_format: 'png',
        usage: {
          input_tokens: promptTokens,
          input_tokens_details: { text_tokens: promptTokens, image_tokens: 0 },
          output_tokens: 272,
          total_tokens: promptTokens + 272,
        },
      };
      break;
    case '/v1/videos':
      body = {
        id: `video_${randomHex(rng, 48)}`,
        object: 'video',
        created_at: created,
        completed_at: created + 90,
        status: 'completed',
        model,
        progress: 100,
        seconds: '4',
        size: '720x1280',
        error: null,
      };
      break;
    default: {
      // Deterministic from the answer drawn above, so no other line's content changes.
      const flagged = answer.length % 5 === 0;
      body = {
        id: `modr-${randomHex(rng, 32)}`,
        model,
        results: [
          {
            flagged,
            categories: { harassment: flagged, violence: false },
            category_scores: { harassment: flagged ? 0.912_3 : 0.000_12, violence: 0.000_34 },
          },
        ],
      };
    }
  }
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: { status_code: 200, request_id: randomHex(rng, 32), body },
      error: null,
    }) + '\n'
  );
}

interface RequestFailure {
  status: number;
  error: { message: string; type: string; param: string | null; code: string | null };
}

const REQUEST_FAILURES: readonly RequestFailure[] = [
  {
    status: 400,
    error: {
      message:
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 131482 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
  },
  {
    status: 400,
    error: {
      message: "Invalid 'max_tokens': integer above maximum value. Expected a value <= 16384, but got 100000 instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'integer_above_max_value',
    },
  },
  {
    status: 500,
    error: {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      param: null,
      code: null,
    },
  },
];

export const MISSING_MODEL_FAILURE: RequestFailure = {
  status: 400,
  error: { message: 'you must provide a model parameter', type: 'invalid_request_error', param: null, code: null },
};

/**
 * A model whose requests fail (429) the first time their custom_id runs on this server and
 * succeed after: a transient failure, as a resubmission meets it.
 */
export const FLAKY_MODEL = 'fake-flaky-model';

export const TRANSIENT_FAILURE: RequestFailure = {
  status: 429,
  error: {
    message: 'Rate limit reached for requests. Please try again later.',
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  },
};

/** One line of a batch error file: a request that got a non-200 response. Ends with "\n". */
export function errorLine(rng: Rng, customId: string, failure: RequestFailure = pick(rng, REQUEST_FAILURES)): string {
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: { status_code: failure.status, request_id: randomHex(rng, 32), body: { error: failure.error } },
      error: null,
    }) + '\n'
  );
}

/** One line of a batch error file: a request the batch never ran before it expired. Ends with "\n". */
export function expiredLine(rng: Rng, customId: string): string {
  return (
    JSON.stringify({
      id: `batch_req_${randomHex(rng, 32)}`,
      custom_id: customId,
      response: null,
      error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
    }) + '\n'
  );
}

const FILLER = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ';
const GENERATED_MODEL = 'gpt-4o-mini-2024-07-18';
const GENERATED_CREATED = DEMO_NOW;

function filler(length: number): string {
  return FILLER.repeat(Math.ceil(length / FILLER.length)).slice(0, length);
}

/**
 * Batch output JSONL of exactly `totalBytes` bytes, yielded in chunks of about `chunkSize`.
 * Only one chunk exists at a time, so this serves 1 GiB without holding it. The last line's
 * content is padded so the total is exact and every line is still valid JSON (files under
 * ~900 bytes end with a padded `{}` line instead of a full result).
 */
export function* generatedOutputChunks(totalBytes: number, seed = 1, chunkSize = 64 * 1024): Generator<Buffer> {
  const rng = mulberry32(seed);
  // Keep room for one full final line, so the padded last line never needs to be shorter than an empty one.
  const margin = 4096;
  let remaining = totalBytes;
  let n = 0;
  let parts: string[] = [];
  let pending = 0;
  while (remaining > 0) {
    n++;
    const p = chatParts(rng, `request-${n}`, GENERATED_MODEL, GENERATED_CREATED + Math.floor(n / 10));
    let line = renderChat(p, pick(rng, ANSWERS).replace(/"/g, "'"));
    if (remaining - line.length < margin) {
      const empty = renderChat(p, '').length;
      if (remaining >= empty) line = renderChat(p, filler(remaining - empty));
      else if (remaining >= 3) line = `{${' '.repeat(remaining - 3)}}\n`;
      else line = remaining === 2 ? '{}' : '\n';
    }
    parts.push(line);
    pending += line.length;
    remaining -= line.length;
    if (pending >= chunkSize || remaining === 0) {
      yield Buffer.from(parts.join(''), 'latin1');
      parts = [];
      pending = 0;
    }
  }
}
