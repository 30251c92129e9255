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
