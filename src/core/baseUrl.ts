import { ApiError } from './errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for hosts that never leave this machine (where plain http cannot leak a key). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
}

/**
 * Parses and checks a configured base URL. Refuses anything that would send the key in
 * clear over the network: `http://` is accepted only for loopback hosts.
 * Returns the URL without a trailing slash.
 */
export function validateBaseUrl(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ApiError('insecureUrl', `The base URL "${trimmed}" is not a valid URL. Set openaiBatches.baseUrl to e.g. https://api.openai.com/v1.`);
  }
  if (url.protocol === 'https:') return trimmed;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return trimmed;
  if (url.protocol === 'http:') {
    throw new ApiError(
      'insecureUrl',
      `Refusing to send the API key in clear text to ${url.host}: openaiBatches.baseUrl uses http://. Use https:// (plain http is allowed only for localhost).`,
    );
  }
  throw new ApiError('insecureUrl', `Unsupported protocol "${url.protocol}" in openaiBatches.baseUrl; use https://.`);
}

/** A stable identity for a provider, used to key its secret: lower-cased origin + path, no trailing slash. */
export function baseUrlIdentity(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, '');
  try {
    const url = new URL(trimmed);
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return trimmed;
  }
}
