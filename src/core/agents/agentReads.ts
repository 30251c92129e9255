/**
 * What an agent (a language model tool, the MCP server) reads without anyone clicking for it:
 * result files bounded by their record's size and a ceiling, and a batch's results summarized
 * from them. Shared by the VS Code tools and `dist/mcp.js`.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchApiClient } from '../api/client';
import { ApiError, isCancellation } from '../api/errors';
import type { Batch } from '../api/types';
import { fileIdOf } from '../batches/batchFacts';
import { canonicalStatus, statusOf } from '../batches/grouping';
import { downloadFile } from '../files/download';
import type { ResultsSummary } from '../results/resultsSummary';
import { summarizeResultsInWorker } from '../input/scans';
import { formatBytes, plainText } from '../util/text';
import { automaticReadLimit } from '../api/sizeLimit';
import { dataBlock } from './dataBlock';
import { listText, resultsText } from './agentText';

/**
 * Downloads a file for an agent: first its record (`GET /files/{id}`) for its size, then the
 * content under {@link automaticReadLimit}: never past the record's size plus a margin, nor past
 * the 64 MiB automatic ceiling, whatever the server announces or sends. Nothing partial is kept.
 */
export async function downloadForAgent(
  client: BatchApiClient,
  fileId: string,
  destination: string,
  signal?: AbortSignal,
): Promise<{ bytes: number }> {
  const record = await client.getFile(fileId, { signal }).catch((error: unknown) => {
    // The content request says the same more precisely (an expired file's 404 is explained there).
    if (isCancellation(error) || (error instanceof ApiError && error.kind === 'auth')) throw error;
    return undefined;
  });
  return downloadFile(client, fileId, destination, automaticReadLimit(record?.bytes), { signal });
}

/** Runs `work` with a fresh private folder under the system's temporary folder, removed afterwards whatever happens. */
export async function withScratchFolder<T>(work: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'openai-batches-agent-'));
  try {
    return await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A local copy of one of a batch's files, downloaded when needed (the caller decides where: a cache, a scratch folder). */
export type LocalFile = (fileId: string, role: 'input' | 'output' | 'error', signal?: AbortSignal) => Promise<string>;

/** A local copy in `folder`, downloaded with {@link downloadForAgent}; `notes` gets one line per download. */
export function scratchFiles(client: BatchApiClient, folder: string, notes?: string[]): LocalFile {
  return async (fileId, role, signal) => {
    const path = join(folder, `${role}.jsonl`);
    const { bytes } = await downloadForAgent(client, fileId, path, signal);
    notes?.push(`Read the ${role} file ${plainText(fileId, 300)} (${formatBytes(bytes)}).`);
    return path;
  };
}

export interface BatchResults {
  /** The answer's text ({@link resultsText}), or why there are no results yet. */
  text: string;
  summary?: ResultsSummary;
}

/** The results of a batch summarized from its output and error files (read through `local`). */
export async function summarizeBatchResults(
  batch: Batch,
  local: LocalFile,
  options: { topErrors: number; notes?: string[]; signal?: AbortSignal },
): Promise<BatchResults> {
  const outputId = fileIdOf(batch, 'output');
  const errorId = fileIdOf(batch, 'error');
  if (!outputId && !errorId) {
    return {
      text: `The batch has no results yet: they appear when it completes, expires or is cancelled.\n${dataBlock(`Batch ${plainText(batch.id, 300)}\nStatus: ${plainText(statusOf(batch), 60)}`)}`,
    };
  }
  const outputPath = outputId ? await local(outputId, 'output', options.signal) : undefined;
  const errorPath = errorId ? await local(errorId, 'error', options.signal) : undefined;
  // In a worker, so the server answers other calls while a big output is read.
  const summary = await summarizeResultsInWorker({ output: outputPath, error: errorPath }, batch.endpoint, { signal: options.signal });
  return { text: resultsText(batch, summary, options.notes ?? [], options.topErrors), summary };
}

/** Pages read at most to find `limit` batches of one status (100 batches a page). */
export const LIST_MAX_PAGES = 5;

export interface AgentList {
  text: string;
  batches: Batch[];
  hasMore: boolean;
}

/**
 * The newest batches straight from the API (no store): one page of `limit` without a status;
 * with one, pages of 100 until `limit` match, the list ends, or {@link LIST_MAX_PAGES} were read.
 * Duplicates across pages are dropped and a cursor that does not advance ends the paging.
 */
export async function listForAgent(
  client: BatchApiClient,
  options: { status?: string; limit: number; signal?: AbortSignal },
): Promise<AgentList> {
  const wanted = options.status?.trim() ? canonicalStatus(options.status) : undefined;
  const seen = new Set<string>();
  const found: Batch[] = [];
  let after: string | undefined;
  let hasMore = false;
  for (let page = 0; page < LIST_MAX_PAGES; page++) {
    const asked = wanted ? 100 : options.limit;
    const list = await client.listBatches({ limit: asked, after }, { signal: options.signal });
    for (const batch of list.data) {
      if (seen.has(batch.id)) continue;
      seen.add(batch.id);
      if (!wanted || statusOf(batch) === wanted) found.push(batch);
    }
    const last = list.data.at(-1)?.id;
    // Without has_more (some providers), a full page may have more after it.
    hasMore = (list.has_more ?? list.data.length >= asked) && last !== undefined && last !== after;
    if (!wanted || found.length >= options.limit || !hasMore) break;
    after = last;
  }
  const shown = found.slice(0, options.limit);
  const text = listText({
    shown,
    matched: found.length,
    loaded: seen.size,
    hasMore,
    filter: wanted ? `status: ${wanted}` : '',
    now: Date.now(),
  });
  return { text, batches: shown, hasMore };
}
