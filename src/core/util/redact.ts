/**
 * Removes secrets from text before it reaches a log, a message or the webview.
 * Known secrets are replaced wherever they appear; anything shaped like an
 * OpenAI key or an auth header value is masked too, in case a provider echoes it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret (ignored when too short to be a real key, to avoid masking common words). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  remove(secret: string | undefined): void {
    if (secret) this.secrets.delete(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(mask(secret));
    return withoutUserinfo(out)
      .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]')
      .replace(/\b(api-key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]{8,}/gi, '$1$2[redacted]')
      .replace(/\bsk-[A-Za-z0-9_-]{12,}/g, (key) => mask(key));
  }
}

/**
 * A URL's `user:pass@` masked, wherever a URL stands in the text. The extension refuses such
 * base URLs, but the setting's raw value still reaches messages and the log.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/(\/\/)[^\s/?#@]+@/g, '$1[redacted]@');
}

function mask(secret: string): string {
  return `${secret.slice(0, 3)}…[redacted]`;
}
