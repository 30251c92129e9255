import type { ClientOptions } from '../core/api/client';

/** The environment variables the server reads (SPEC, third wave). */
export const MCP_ENV = {
  apiKey: 'OPENAI_API_KEY',
  baseUrl: 'OPENAI_BASE_URL',
  organization: 'OPENAI_ORG_ID',
  project: 'OPENAI_PROJECT_ID',
  authHeader: 'OPENAI_BATCHES_AUTH_HEADER',
  apiVersion: 'OPENAI_API_VERSION',
} as const;

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** The client's options from the environment, or what is wrong with it (never quoting the key). */
export function readMcpConfig(env: NodeJS.ProcessEnv): { ok: true; options: ClientOptions } | { ok: false; problem: string } {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const apiKey = value(MCP_ENV.apiKey);
  if (!apiKey) return { ok: false, problem: `${MCP_ENV.apiKey} is not set: the server needs the API key in its environment.` };
  const authHeader = (value(MCP_ENV.authHeader) ?? 'bearer').toLowerCase();
  if (authHeader !== 'bearer' && authHeader !== 'api-key') {
    return { ok: false, problem: `${MCP_ENV.authHeader} must be "bearer" (the default) or "api-key" (Azure OpenAI).` };
  }
  return {
    ok: true,
    options: {
      apiKey,
      baseUrl: value(MCP_ENV.baseUrl) ?? DEFAULT_BASE_URL,
      organization: value(MCP_ENV.organization),
      project: value(MCP_ENV.project),
      authHeader,
      apiVersion: value(MCP_ENV.apiVersion),
    },
  };
}
