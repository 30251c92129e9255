import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  cancelledText,
  createdText,
  createFromPlan,
  failureText,
  planCreate,
  planResubmission,
  submitResubmission,
  type Estimating,
} from '../core/agents/agentActions';
import { listForAgent, scratchFiles, summarizeBatchResults, withScratchFolder } from '../core/agents/agentReads';
import { batchText } from '../core/agents/agentText';
import type { BatchApiClient } from '../core/api/client';
import { BATCH_ENDPOINTS } from '../core/api/endpoints';
import { isCancellation } from '../core/api/errors';
import { KNOWN_STATUSES } from '../core/batches/batchFacts';
import type { Redactor } from '../core/util/redact';

/** What the tools work with: one client (one account), the key's redactor, the folder relative paths start from. */
export interface McpToolDeps {
  client: BatchApiClient;
  redactor: Redactor;
  cwd: string;
  estimating: Estimating;
  /** One line per failed tool call, for stderr (already redacted). */
  log: (line: string) => void;
}

/**
 * A tool's answer: text, with every API string inside a data block; `isError` for a refusal (bad
 * input). No structured content: VS Code 1.139 hands a tool's `structuredContent` to the model in
 * place of its text, which would put the API's strings (metadata, error messages) before the model
 * as bare JSON, outside any data block (seen in test/integration/agentMcp.test.ts).
 */
interface ToolAnswer {
  text: string;
  isError?: boolean;
}

const batchId = z.string().trim().min(1).max(1000).describe('The batch id, e.g. batch_abc123 (list_batches shows them).');

const READ = { readOnlyHint: true, openWorldHint: true } as const;

/** The tool names, in the order tools/list shows them. */
export const MCP_TOOL_NAMES = ['list_batches', 'get_batch', 'batch_results', 'create_batch', 'cancel_batch', 'resubmit_failed'] as const;

/** Registers the six tools on `server`. Every answer is redacted; a failure is a tool error, never a crash. */
export function registerMcpTools(server: McpServer, deps: McpToolDeps): void {
  const { client } = deps;
  const run =
    <A>(name: string, work: (args: A, signal: AbortSignal) => Promise<ToolAnswer>) =>
    async (args: A, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        const { text, isError } = await work(args, extra.signal);
        return { ...(isError && { isError }), content: [{ type: 'text', text: deps.redactor.redact(text) }] };
      } catch (error) {
        const text = deps.redactor.redact(isCancellation(error) ? `${name} was cancelled.` : failureText(name, error));
        deps.log(`${name} failed: ${deps.redactor.redact(error instanceof Error ? error.message : String(error))}`);
        return { isError: true, content: [{ type: 'text', text }] };
      }
    };

  server.registerTool(
    'list_batches',
    {
      title: 'List OpenAI batches',
      description:
        'Lists the newest OpenAI Batch API jobs of the account, newest first: id, name, status, endpoint, age, request counts and output file. ' +
        'With status, reads up to 500 of the newest batches to find matches. Read-only.',
      inputSchema: {
        status: z
          .enum(KNOWN_STATUSES as [string, ...string[]])
          .optional()
          .describe('Only batches with this status.'),
        limit: z.number().int().min(1).max(100).optional().describe('At most this many batches (default 20).'),
      },
      annotations: { title: 'List OpenAI batches', ...READ },
    },
    run<{ status?: string; limit?: number }>('list_batches', async ({ status, limit }, signal) => {
      const list = await listForAgent(client, { status, limit: limit ?? 20, signal });
      return { text: list.text };
    }),
  );

  server.registerTool(
    'get_batch',
    {
      title: 'Read one OpenAI batch',
      description:
        'Reads one OpenAI Batch API job by id: status, endpoint, model, request counts, timeline, input/output/error file ids, validation errors, token usage and metadata. Read-only: one request.',
      inputSchema: { batch_id: batchId },
      annotations: { title: 'Read one OpenAI batch', ...READ },
    },
    run<{ batch_id: string }>('get_batch', async ({ batch_id }, signal) => {
      const batch = await client.getBatch(batch_id, { signal });
      return { text: batchText(batch, Date.now()) };
    }),
  );

  server.registerTool(
    'batch_results',
    {
      title: 'Summarize the results of an OpenAI batch',
      description:
        "Summarizes a finished batch's results: how many requests succeeded or failed, HTTP status codes, the commonest error messages with counts, and the tokens reported. " +
        'Reads its output and error files (at most 64 MiB each; nothing is kept). Read-only.',
      inputSchema: {
        batch_id: batchId,
        limit: z.number().int().min(1).max(20).optional().describe('How many of the commonest error messages to list (default 5).'),
      },
      annotations: { title: 'Summarize the results of an OpenAI batch', ...READ },
    },
    run<{ batch_id: string; limit?: number }>('batch_results', async ({ batch_id, limit }, signal) => {
      const batch = await client.getBatch(batch_id, { signal });
      return withScratchFolder(async (folder) => {
        const notes: string[] = [];
        const { text } = await summarizeBatchResults(batch, scratchFiles(client, folder, notes), {
          topErrors: limit ?? 5,
          notes,
          signal,
        });
        return { text };
      });
    }),
  );

  server.registerTool(
    'create_batch',
    {
      title: 'Create an OpenAI batch from a JSONL file',
      description:
        'Validates a local .jsonl batch input file (one request per line, as the editor checks it), then uploads it (purpose=batch) and creates a 24h batch from it. ' +
        'Nothing is uploaded when the file has problems: the answer lists them. Starts a billed job.',
      inputSchema: {
        input_file: z.string().trim().min(1).describe('Path of the .jsonl file, absolute or relative to the working folder.'),
        endpoint: z
          .enum(BATCH_ENDPOINTS as unknown as [string, ...string[]])
          .describe("The endpoint of the file's requests (their url), e.g. /v1/chat/completions."),
        description: z.string().max(512).optional().describe('Stored as metadata.description; shown as the batch name.'),
      },
      annotations: {
        title: 'Create an OpenAI batch',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    run<{ input_file: string; endpoint: string; description?: string }>('create_batch', async (args, signal) => {
      const planned = await planCreate(resolve(deps.cwd, args.input_file), { ...deps.estimating, endpoint: args.endpoint });
      if (!planned.ok) return { text: planned.reason, isError: true };
      const result = await createFromPlan(client, planned.plan, { description: args.description, signal });
      return { text: createdText(result, planned.plan) };
    }),
  );

  server.registerTool(
    'cancel_batch',
    {
      title: 'Cancel an OpenAI batch',
      description:
        'Cancels a running batch (validating, in progress or finalizing): its remaining requests do not run; results so far are kept. Cannot be undone.',
      inputSchema: { batch_id: batchId },
      annotations: {
        title: 'Cancel an OpenAI batch',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    run<{ batch_id: string }>('cancel_batch', async ({ batch_id }, signal) => {
      const batch = await client.cancelBatch(batch_id, { signal });
      return { text: cancelledText(batch) };
    }),
  );

  server.registerTool(
    'resubmit_failed',
    {
      title: 'Resubmit the failed requests of an OpenAI batch',
      description:
        "Sends a finished batch's failed and missing (expired, cancelled, no result) requests again as a new batch, linked to the original by metadata.resubmit_of. " +
        'Reads its input, output and error files (at most 64 MiB each), checks the requests, uploads them and creates the batch. Starts a billed job.',
      inputSchema: { batch_id: batchId },
      annotations: {
        title: 'Resubmit failed requests',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    run<{ batch_id: string }>('resubmit_failed', async ({ batch_id }, signal) => {
      const original = await client.getBatch(batch_id, { signal });
      return withScratchFolder(async (folder) => {
        const planned = await planResubmission(original, scratchFiles(client, folder), folder, { ...deps.estimating, signal });
        if (!planned.ok) return { text: planned.reason };
        const result = await submitResubmission(client, planned.plan, signal);
        return { text: createdText(result, planned.plan) };
      });
    }),
  );
}
