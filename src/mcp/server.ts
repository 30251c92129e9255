/**
 * `node dist/mcp.js`: the OpenAI Batch tools as an MCP server over stdio, for agents in any
 * editor (Cursor, Windsurf, Claude Code) and VS Code's own. Configured by the environment
 * (mcpConfig.ts); built on the extension's core: the same client, checks and answers.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { BatchApiClient } from '../core/api/client';
import { Redactor } from '../core/util/redact';
import { loadTokenCounters } from '../tokenizer/loadTokenizer';
import { readMcpConfig } from './mcpConfig';
import { registerMcpTools } from './mcpTools';

/** Replaced by esbuild with package.json's version. */
declare const MCP_SERVER_VERSION: string | undefined;

async function main(): Promise<void> {
  const redactor = new Redactor();
  const log = (line: string): void => void process.stderr.write(`${redactor.redact(line)}\n`);
  const config = readMcpConfig(process.env);
  if (!config.ok) {
    log(`openai-batches MCP server: ${config.problem}`);
    process.exitCode = 1;
    return;
  }
  redactor.add(config.options.apiKey);
  let client: BatchApiClient;
  try {
    client = new BatchApiClient(config.options);
  } catch (error) {
    log(`openai-batches MCP server: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  const server = new McpServer({
    name: 'openai-batches',
    title: 'OpenAI Batch Explorer',
    version: typeof MCP_SERVER_VERSION === 'string' ? MCP_SERVER_VERSION : '0.0.0',
  });
  registerMcpTools(server, {
    client,
    redactor,
    cwd: process.cwd(),
    estimating: { counters: loadTokenCounters },
    log,
  });
  await server.connect(new StdioServerTransport());
  log(`openai-batches MCP server ready (${client.baseUrl}).`);
}

main().catch((error: unknown) => {
  process.stderr.write(`openai-batches MCP server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
