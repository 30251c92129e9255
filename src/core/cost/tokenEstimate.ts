/**
 * An estimate of a batch input's tokens before it is sent: the text of each request (messages,
 * input, prompt, instructions) counted with the model's tokenizer, plus the few tokens each chat
 * message costs. Images, audio and files are not counted (they are named in the estimate).
 * The tokenizers are passed in, so this runs without loading them; no Node or `vscode` imports.
 */

import { isRecord } from '../util/json';
import { type CostEstimate, estimateCost, formatUsd, type PriceOverrides } from './cost';

export type CountTokens = (text: string) => number;

/** The tokenizers by encoding name. */
export interface TokenCounters {
  o200k_base: CountTokens;
  cl100k_base: CountTokens;
}

export type EncodingName = keyof TokenCounters;

/** Tokens each chat message adds around its content, and each request adds for the reply's priming (OpenAI's cookbook). */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

export interface ModelTokens {
  requests: number;
  tokens: number;
}

export interface InputTokenEstimate {
  /** Requests read. */
  requests: number;
  tokens: number;
  byModel: Map<string, ModelTokens>;
  /** Requests with parts that were not counted (images, audio, files). */
  partlyCounted: number;
  encodings: Set<EncodingName>;
  /** Set when the figures were scaled up from this many requests at the start of the file. */
  extrapolatedFrom?: number;
}

/** The encoding of a model: cl100k_base for GPT-3.5, GPT-4 (not 4o/4.1) and the embedding models; o200k_base otherwise. */
export function encodingFor(model: string): EncodingName {
  const name = model.toLowerCase();
  if (/^(gpt-3\.5|gpt-4(-|$)|text-embedding-)/.test(name) && !/^gpt-4(o|\.)/.test(name)) return 'cl100k_base';
  return 'o200k_base';
}

/** Counts the text of one request line (a parsed JSON object), and says whether anything was left uncounted. */
export function requestTokens(request: Record<string, unknown>, count: CountTokens): { tokens: number; partly: boolean } {
  const body = isRecord(request.body) ? request.body : {};
  let tokens = 0;
  let partly = false;
  /** Text, or an array of content parts / strings / token ids. */
  const content = (value: unknown): number => {
    if (typeof value === 'string') return count(value);
    if (!Array.isArray(value)) return 0;
    // Embeddings may send token ids: one number, one token.
    if (value.every((item) => typeof item === 'number')) return value.length;
    let sum = 0;
    for (const part of value) {
      if (typeof part === 'string') sum += count(part);
      else if (Array.isArray(part)) sum += content(part);
      else if (isRecord(part)) {
        if (typeof part.text === 'string') sum += count(part.text);
        else if (part.role !== undefined || part.content !== undefined) sum += message(part);
        else partly = true;
      }
    }
    return sum;
  };
  const message = (value: Record<string, unknown>): number => {
    let sum = TOKENS_PER_MESSAGE + content(value.content);
    if (typeof value.name === 'string') sum += count(value.name) + 1;
    if (Array.isArray(value.tool_calls)) sum += count(JSON.stringify(value.tool_calls));
    return sum;
  };
  if (Array.isArray(body.messages)) {
    for (const item of body.messages) if (isRecord(item)) tokens += message(item);
    tokens += TOKENS_PER_REPLY;
  }
  if (typeof body.instructions === 'string') tokens += count(body.instructions);
  if (body.input !== undefined) tokens += content(body.input);
  if (body.prompt !== undefined) tokens += content(body.prompt);
  // Tool and schema definitions are sent as text too; counted as their JSON, which is close.
  for (const key of ['tools', 'functions', 'response_format', 'text'] as const) {
    if (isRecord(body[key]) || Array.isArray(body[key])) tokens += count(JSON.stringify(body[key]));
  }
  return { tokens, partly };
}

/** Counts every request line of a batch input (lines that are not JSON objects are skipped). */
export function estimateInputTokens(lines: Iterable<string>, counters: TokenCounters): InputTokenEstimate {
  const estimate: InputTokenEstimate = { requests: 0, tokens: 0, byModel: new Map(), partlyCounted: 0, encodings: new Set() };
  for (const line of lines) {
    if (!line.trim()) continue;
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(request)) continue;
    const model = isRecord(request.body) && typeof request.body.model === 'string' ? request.body.model : '';
    const encoding = encodingFor(model);
    estimate.encodings.add(encoding);
    const { tokens, partly } = requestTokens(request, counters[encoding]);
    estimate.requests++;
    estimate.tokens += tokens;
    if (partly) estimate.partlyCounted++;
    const entry = estimate.byModel.get(model) ?? { requests: 0, tokens: 0 };
    entry.requests++;
    entry.tokens += tokens;
    estimate.byModel.set(model, entry);
  }
  return estimate;
}

/**
 * The input cost of an estimate: each model's tokens at its batch input price (none cached).
 * Undefined when any model has no known price: a partial sum would read as the whole.
 */
export function inputCostEstimate(estimate: InputTokenEstimate, overrides: PriceOverrides): CostEstimate | undefined {
  let usd = 0;
  const bases: string[] = [];
  for (const [model, { tokens }] of estimate.byModel) {
    const cost = estimateCost({ input: tokens, cachedInput: 0, output: 0 }, model, overrides, 'counted input tokens');
    if (!cost) return undefined;
    usd += cost.usd;
    bases.push(cost.basis);
  }
  if (bases.length === 0) return undefined;
  const encodings = [...estimate.encodings].join(', ');
  const basis = bases.length === 1 ? bases[0] : `counted input tokens × the batch prices of ${bases.length} models`;
  return { usd, basis: `${basis}; tokens counted with ${encodings}, output not included` };
}

/** One line for the Create flow: `≈ 12,345 input tokens · ≈ $0.0019 for input (estimate: …)`. */
export function describeInputEstimate(estimate: InputTokenEstimate, cost: CostEstimate | undefined): string {
  const tokens = `≈ ${estimate.tokens.toLocaleString('en-US')} input tokens`;
  const partly = estimate.partlyCounted
    ? ` (${estimate.partlyCounted.toLocaleString('en-US')} request${estimate.partlyCounted === 1 ? ' has' : 's have'} images, audio or files, not counted)`
    : '';
  if (!cost) {
    const models = [...estimate.byModel.keys()].filter(Boolean);
    const sampled = estimate.extrapolatedFrom
      ? ` (extrapolated from the first ${estimate.extrapolatedFrom.toLocaleString('en-US')} requests)`
      : '';
    return `${tokens}${sampled}${partly}; no cost estimate: no known price for ${models.length ? models.join(', ') : 'a request without a model'} (openaiBatches.prices can add one).`;
  }
  const sampled = estimate.extrapolatedFrom
    ? `; extrapolated from the first ${estimate.extrapolatedFrom.toLocaleString('en-US')} of ${estimate.requests.toLocaleString('en-US')} requests`
    : '';
  return `${tokens}${partly} · ≈ ${formatUsd(cost.usd)} for input (estimate: ${cost.basis}${sampled}).`;
}

/**
 * An estimate of a sample scaled to the whole file (`factor` = whole size / sample size), for
 * inputs too large to count in a moment. Requests are counted whole; tokens are scaled.
 */
export function scaleEstimate(estimate: InputTokenEstimate, factor: number, requests: number): InputTokenEstimate {
  const byModel = new Map<string, ModelTokens>();
  for (const [model, entry] of estimate.byModel) {
    byModel.set(model, { requests: Math.round(entry.requests * factor), tokens: Math.round(entry.tokens * factor) });
  }
  return {
    ...estimate,
    requests,
    tokens: Math.round(estimate.tokens * factor),
    byModel,
    partlyCounted: Math.round(estimate.partlyCounted * factor),
    extrapolatedFrom: estimate.requests,
  };
}
