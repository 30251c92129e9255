import { validateBaseUrl } from './baseUrl';
import type { AuthHeaderStyle } from './client';

/**
 * Whether a base URL is Azure OpenAI's v1 API (`https://RESOURCE.openai.azure.com/openai/v1`,
 * also on `*.cognitiveservices.azure.com` and `*.services.ai.azure.com`), which takes no dated
 * `api-version`, unlike its older dated API (`…/openai?api-version=2024-10-21`).
 */
export function isAzureV1(baseUrl: string): boolean {
  try {
    const url = new URL(baseUrl);
    return /\.azure\.com$/i.test(url.hostname) && /\/openai\/v1\/?$/i.test(url.pathname);
  } catch {
    return false;
  }
}

/**
 * The `api-version` to send: the configured one, except a dated version (`2024-10-21`,
 * `2025-04-01-preview`) on Azure's v1 API, which would refuse it. Left over from the dated API,
 * it is dropped rather than failing every request; `preview` and `latest` are kept.
 */
export function apiVersionFor(baseUrl: string, apiVersion: string): string {
  const version = apiVersion.trim();
  return /^\d{4}-\d{2}-\d{2}/.test(version) && isAzureV1(baseUrl) ? '' : version;
}

/** A value the user must fill in for a provider: its `{id}` appears in the preset's base URL. */
export interface ProviderQuestion {
  id: 'resource' | 'port' | 'baseUrl';
  prompt: string;
  placeHolder: string;
  /** What the input box starts with; for Custom, the handler offers the current base URL instead. */
  value?: string;
  /** An error message for the input box, or undefined when the text is acceptable. */
  validate(text: string): string | undefined;
}

/** One entry of Choose Provider: the settings it writes, with `{…}` where an answer goes. */
export interface ProviderPreset {
  id: 'openai' | 'azure-v1' | 'azure-dated' | 'groq' | 'litellm' | 'custom';
  label: string;
  detail: string;
  /** The base URL, with `{resource}`, `{port}` or `{baseUrl}` for answers. */
  baseUrl: string;
  authHeader: AuthHeaderStyle;
  apiVersion: string;
  questions: readonly ProviderQuestion[];
}

/** The settings a preset and its answers give: written as ordinary user settings. */
export interface ProviderSettings {
  baseUrl: string;
  authHeader: AuthHeaderStyle;
  apiVersion: string;
}

/** Azure's rule for resource names: 2–64 letters, digits and hyphens, no hyphen at either end. */
const AZURE_RESOURCE = /^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/i;

const AZURE_RESOURCE_QUESTION: ProviderQuestion = {
  id: 'resource',
  prompt: 'Your Azure OpenAI resource name: the part before .openai.azure.com in its endpoint.',
  placeHolder: 'my-resource',
  validate: (text) =>
    AZURE_RESOURCE.test(text.trim())
      ? undefined
      : 'Enter the resource name only (2–64 letters, digits and hyphens), e.g. my-resource for https://my-resource.openai.azure.com.',
};

const PORT_QUESTION: ProviderQuestion = {
  id: 'port',
  prompt: 'The port your LiteLLM proxy listens on, on this machine.',
  placeHolder: '4000',
  value: '4000',
  validate: (text) => {
    const port = Number(text.trim());
    return /^\d+$/.test(text.trim()) && port >= 1 && port <= 65535 ? undefined : 'Enter a port number from 1 to 65535.';
  },
};

const BASE_URL_QUESTION: ProviderQuestion = {
  id: 'baseUrl',
  prompt: 'Base URL of the OpenAI-compatible API, ending before /batches. Plain http:// is accepted only for localhost.',
  placeHolder: 'https://example.com/v1',
  validate: (text) => {
    try {
      validateBaseUrl(text);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  },
};

/**
 * What Choose Provider offers, with the base URLs, auth headers and API versions the README's
 * "Other providers" table documents.
 */
export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    detail: 'https://api.openai.com/v1, Authorization: Bearer',
    baseUrl: 'https://api.openai.com/v1',
    authHeader: 'bearer',
    apiVersion: '',
    questions: [],
  },
  {
    id: 'azure-v1',
    label: 'Azure OpenAI (v1)',
    detail: 'https://RESOURCE.openai.azure.com/openai/v1, api-key header, no api-version. Recommended for Azure.',
    baseUrl: 'https://{resource}.openai.azure.com/openai/v1',
    authHeader: 'api-key',
    apiVersion: '',
    questions: [AZURE_RESOURCE_QUESTION],
  },
  {
    id: 'azure-dated',
    label: 'Azure OpenAI (dated API)',
    detail: 'https://RESOURCE.openai.azure.com/openai, api-key header, api-version 2024-10-21 (editable in settings)',
    baseUrl: 'https://{resource}.openai.azure.com/openai',
    authHeader: 'api-key',
    apiVersion: '2024-10-21',
    questions: [AZURE_RESOURCE_QUESTION],
  },
  {
    id: 'groq',
    label: 'Groq',
    detail: 'https://api.groq.com/openai/v1, Authorization: Bearer',
    baseUrl: 'https://api.groq.com/openai/v1',
    authHeader: 'bearer',
    apiVersion: '',
    questions: [],
  },
  {
    id: 'litellm',
    label: 'LiteLLM proxy on this machine',
    detail: 'http://localhost:PORT/v1, Authorization: Bearer',
    baseUrl: 'http://localhost:{port}/v1',
    authHeader: 'bearer',
    apiVersion: '',
    questions: [PORT_QUESTION],
  },
  {
    id: 'custom',
    label: 'Custom',
    detail: 'Any OpenAI-compatible base URL, Authorization: Bearer (change openaiBatches.authHeader for an api-key header)',
    baseUrl: '{baseUrl}',
    authHeader: 'bearer',
    apiVersion: '',
    questions: [BASE_URL_QUESTION],
  },
];

/**
 * The settings a preset gives with the user's answers (one per question, by id). Throws when an
 * answer is missing or fails its question's check, and checks the resulting base URL with
 * validateBaseUrl (which also drops a trailing slash).
 */
export function providerSettings(preset: ProviderPreset, answers: Partial<Record<ProviderQuestion['id'], string>>): ProviderSettings {
  let baseUrl = preset.baseUrl;
  for (const question of preset.questions) {
    const answer = answers[question.id];
    if (answer === undefined) throw new Error(`${preset.label}: no answer for ${question.id}`);
    const problem = question.validate(answer);
    if (problem) throw new Error(`${preset.label}: ${problem}`);
    const value = question.id === 'resource' ? answer.trim().toLowerCase() : answer.trim();
    baseUrl = baseUrl.replace(`{${question.id}}`, value);
  }
  if (/\{\w+\}/.test(baseUrl)) throw new Error(`${preset.label}: ${baseUrl} still has a placeholder`);
  return { baseUrl: validateBaseUrl(baseUrl), authHeader: preset.authHeader, apiVersion: preset.apiVersion };
}
