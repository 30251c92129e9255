import * as dns from 'node:dns';
import { isIP } from 'node:net';
import { ApiError } from './errors';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for hosts that never leave this machine (where plain http cannot leak a key). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith('.localhost');
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x addresses, however they are written. */
function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) !== 6 || address.includes('%')) return false;
  // The URL parser writes every IPv6 spelling one way, IPv4-mapped ones as ::ffff:7fxx:xxxx.
  const canonical = new URL(`http://[${address}]`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:/.test(canonical);
}

/**
 * Resolves a name for a connection to a loopback base URL, refusing any answer that leaves this
 * machine. `localhost` and `*.localhost` are names: a DNS server or a hosts file can point them
 * anywhere, and plain http and the proxy bypass are only safe when the connection really stays
 * here. Used as the connection's own `lookup`, so nothing can change between check and connect
 * (DNS rebinding). A mixed answer is refused whole: the connection could use either address.
 * Always answers with the list; axios adapts it to what the connection asked for.
 */
export function loopbackOnlyLookup(
  hostname: string,
  _options: object,
  callback: (error: Error | null, addresses: { address: string; family: 4 | 6 }[]) => void,
): void {
  dns.lookup(hostname, { all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const outside = addresses.find((entry) => !isLoopbackAddress(entry.address));
    if (outside || addresses.length === 0) {
      const message = `Refusing to connect to ${hostname}: it resolves to ${outside?.address ?? 'nothing'}, not to this machine. A localhost name in openaiBatches.baseUrl must resolve to a loopback address.`;
      return callback(new ApiError('insecureUrl', message), []);
    }
    callback(
      null,
      addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 })),
    );
  });
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
    // The message is logged: an @ may follow a password, so such a value is not repeated.
    const shown = trimmed.includes('@') ? '' : ` "${trimmed}"`;
    throw new ApiError(
      'insecureUrl',
      `The base URL${shown} is not a valid URL. Set openaiBatches.baseUrl to e.g. https://api.openai.com/v1.`,
    );
  }
  if (url.username || url.password) {
    // axios would turn them into Basic auth in place of the key. The message names neither: it gets logged.
    throw new ApiError(
      'insecureUrl',
      `The base URL for ${url.host} contains a user name or password. Remove them from openaiBatches.baseUrl: the API key is sent in its own header.`,
    );
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
