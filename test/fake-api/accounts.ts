/**
 * Accounts and access: which account a request is for (by its key and its organization and
 * project headers), whether its key is accepted (OpenAI's `Authorization: Bearer` or Azure's
 * `api-key`), and the api-version rules of Azure's dated and v1 APIs. Each check answers with the
 * error the provider sends, or null when the request may go on.
 */
import type * as http from 'node:http';
import { clip, errorReply, header, type JsonReply } from './http';
import type { FakeAccountSpec } from './types';

export type AuthHeader = 'bearer' | 'api-key';

/** Like OpenAI: enough to recognise the key, never enough to reuse it. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}****${key.slice(-4)}` : '****';
}

/** The key a request carries in the header this server reads it from. */
function presentedKey(req: http.IncomingMessage, authHeader: AuthHeader): string | undefined {
  return authHeader === 'api-key'
    ? header(req, 'api-key')?.trim()
    : /^Bearer\s+(\S.*)$/i.exec(header(req, 'authorization') ?? '')?.[1].trim();
}

/**
 * The account of FakeApiOptions.accounts (types.ts) a request is for (see there), `accounts[i]` being
 * the one `specs[i]` describes; undefined: its key's accounts have other headers.
 */
export function accountFor<T>(
  req: http.IncomingMessage,
  authHeader: AuthHeader,
  specs: readonly FakeAccountSpec[],
  accounts: readonly T[],
): T | undefined {
  const key = presentedKey(req, authHeader);
  const candidates = specs.map((spec, i) => ({ spec, account: accounts[i] })).filter(({ spec }) => spec.apiKey === key);
  if (candidates.length === 0) return accounts[0];
  const organization = header(req, 'openai-organization')?.trim() || undefined;
  const project = header(req, 'openai-project')?.trim() || undefined;
  return candidates.find(({ spec }) => (spec.organization || undefined) === organization && (spec.project || undefined) === project)
    ?.account;
}

/** What OpenAI answers a key whose organization or project headers match none of its own. */
export function noMatchingAccount(): JsonReply {
  return errorReply(401, 'The OpenAI-Organization or OpenAI-Project header does not match any organization or project of this API key.', {
    code: 'mismatched_project',
  });
}

export function authenticate(req: http.IncomingMessage, authHeader: AuthHeader, apiKey: string): JsonReply | null {
  const key = presentedKey(req, authHeader);
  const missing =
    authHeader === 'api-key'
      ? "You didn't provide an API key. Provide your API key in an 'api-key' header."
      : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). " +
        'You can obtain an API key from https://platform.openai.com/account/api-keys.';
  if (!key) return errorReply(401, missing, { code: 'invalid_api_key' });
  if (key !== apiKey) {
    return errorReply(
      401,
      `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      { code: 'invalid_api_key' },
    );
  }
  return null;
}

/**
 * Azure's dated API needs `?api-version=<required>` on every request; its v1 API (`refuse`)
 * answers one that carries a dated version with a 400.
 */
export function checkApiVersion(query: URLSearchParams, required: string | undefined, refuse: boolean): JsonReply | null {
  if (required !== undefined) {
    const version = query.get('api-version');
    if (version !== required) {
      const message =
        version === null
          ? `Missing required query parameter 'api-version'. Supported value: '${required}'.`
          : `Unsupported api-version '${clip(version, 40)}'. Supported value: '${required}'.`;
      return errorReply(400, message, {
        param: 'api-version',
        code: version === null ? 'missing_required_parameter' : 'unsupported_api_version',
      });
    }
  }
  if (refuse && query.get('api-version') !== null && /^\d{4}-\d{2}-\d{2}/.test(query.get('api-version') ?? '')) {
    return errorReply(400, `The v1 API takes no dated api-version ('${clip(query.get('api-version') ?? '', 40)}'): remove it.`, {
      param: 'api-version',
      code: 'unsupported_api_version',
    });
  }
  return null;
}
