import { isLoopbackHost } from './baseUrl';

/** The variables the OpenAI SDKs and CLIs read, read the same way here (for the default account only). */
export const ENV_VARS = {
  apiKey: 'OPENAI_API_KEY',
  baseUrl: 'OPENAI_BASE_URL',
  organization: 'OPENAI_ORG_ID',
  project: 'OPENAI_PROJECT_ID',
  /** Set by `npm run demo`: the view says it shows the demo API (only while the base URL is loopback). */
  demo: 'OPENAI_BATCHES_DEMO',
} as const;

/** What the environment offers for the default account; empty values count as unset. */
export interface EnvironmentValues {
  apiKey?: string;
  baseUrl?: string;
  organization?: string;
  project?: string;
}

/** Longest value taken from a variable; a longer one is ignored (a key or URL is never this long). */
const MAX_VALUE = 4096;

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name]?.trim();
  return text && text.length <= MAX_VALUE ? text : undefined;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentValues {
  return {
    apiKey: value(env, ENV_VARS.apiKey),
    baseUrl: value(env, ENV_VARS.baseUrl),
    organization: value(env, ENV_VARS.organization),
    project: value(env, ENV_VARS.project),
  };
}

/**
 * The demo's host (`127.0.0.1:PORT`) when `npm run demo` started this window and the base URL is
 * the loopback demo API; undefined otherwise, so the variable alone never labels a real account "fake".
 */
export function demoHost(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[ENV_VARS.demo] !== '1') return undefined;
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname) ? url.host : undefined;
  } catch {
    return undefined;
  }
}
