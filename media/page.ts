// What the pages share: the webview API typed by a protocol, and the page's half of the handshake.
// Pages take nothing else from src/ but protocol types, so the one check of untrusted values lives here too.

/** The webview API as a page uses it: `ToHost` is what it may post, `State` what it keeps with `setState`. */
export interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  getState(): unknown;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

/** The page's webview API; VS Code hands it out once per page. */
export function vsCodeApi<ToHost, State = never>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi();
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Listens for the host's messages (those `isMessage` does not accept are dropped), then says
 * `ready`: the host posts nothing before that, so nothing is missed.
 */
export function startPage<ToPage>(
  api: { postMessage(message: { type: 'ready' }): void },
  isMessage: (value: unknown) => value is ToPage,
  receive: (message: ToPage) => void,
): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isMessage(event.data)) receive(event.data);
  });
  api.postMessage({ type: 'ready' });
}
