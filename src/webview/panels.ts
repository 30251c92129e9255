import * as vscode from 'vscode';
import type { Logger } from '../log';
import type { PageHtmlOptions } from './html';

export interface WebviewPanelsOptions<State> {
  /** The panel type (`PanelType`), also in package.json's `onWebviewPanel:` activation event. */
  viewType: string;
  /** What log lines call one panel: `results panel`. */
  name: string;
  extensionUri: vscode.Uri;
  log: Logger;
  /** Checks what a page saved with `setState`, handed back to the serializer after a window reload. */
  isState: (value: unknown) => value is State;
  /** The key (a batch id) a saved state belongs to: one panel per key. */
  keyOf: (state: State) => string;
}

/** What the owner needs of a panel's host (a `WebviewHost`). */
interface PanelHost extends vscode.Disposable {
  readonly onDidDispose: vscode.Event<void>;
  reveal(): void;
}

/**
 * The open panels of one type, one per key: opens or reveals, restores them after a window
 * reload (its serializer), and disposes them with the extension.
 */
export abstract class WebviewPanels<Host extends PanelHost, State> implements vscode.Disposable {
  protected readonly panels = new Map<string, Host>();

  constructor(protected readonly options: WebviewPanelsOptions<State>) {}

  /** Builds the host of a panel restored from its page's saved state. */
  protected abstract revive(panel: vscode.WebviewPanel, state: State): Host;

  /** Restores a panel after a window reload (used by the serializer). */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    const { isState, keyOf, log, name } = this.options;
    if (!isState(state)) {
      log.warn(`A ${name} could not be restored: its saved state holds no batch.`);
      panel.dispose();
      return;
    }
    const key = keyOf(state);
    const existing = this.panels.get(key);
    if (existing) {
      panel.dispose();
      existing.reveal();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.track(key, this.revive(panel, state));
  }

  /** The key (batch id) a page's saved state names, if it is a state of this panel type; lets the accounts route a restored panel. */
  keyOfState(state: unknown): string | undefined {
    return this.options.isState(state) ? this.options.keyOf(state) : undefined;
  }

  /** Registers the WebviewPanelSerializer; returns its disposable. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(this.options.viewType, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, state: unknown): Thenable<void> => {
        this.restore(panel, state);
        return Promise.resolve();
      },
    });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }

  /** A new panel in the active column; `retainContextWhenHidden` keeps the page alive behind other tabs. */
  protected createPanel(title: string, retainContextWhenHidden: boolean): vscode.WebviewPanel {
    return vscode.window.createWebviewPanel(this.options.viewType, title, vscode.ViewColumn.Active, {
      ...this.webviewOptions(),
      retainContextWhenHidden,
    });
  }

  protected track(key: string, host: Host): void {
    this.panels.set(key, host);
    host.onDidDispose(() => {
      if (this.panels.get(key) === host) this.panels.delete(key);
    });
  }

  private webviewOptions(): vscode.WebviewOptions {
    const { extensionUri } = this.options;
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }
}

/** What a page's HTML builder needs to load `dist/<page>.js` and `media/<page>.css` into `webview`. */
export function pageAssets(webview: vscode.Webview, extensionUri: vscode.Uri, page: string): PageHtmlOptions {
  const asset = (...segments: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  return { cspSource: webview.cspSource, scriptUri: asset('dist', `${page}.js`), styleUri: asset('media', `${page}.css`) };
}
