import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { AccountSettings } from '../core/api/accounts';
import { CONFIG_SECTION, MCP_PROVIDER_ID } from '../ids';
import type { Logger } from '../log';

// VS Code 1.101+ lets an extension offer MCP servers (`vscode.lm.registerMcpServerDefinitionProvider`,
// `vscode.McpStdioServerDefinition`). The engine floor is 1.90, whose @types/vscode has neither:
// these are the members used, declared here and looked up at run time, as lmApi.ts does for tools.

/** `vscode.McpStdioServerDefinition`. */
export interface McpStdioDefinition {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
  version?: string;
}

export interface McpDefinitionProvider {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<McpStdioDefinition[]>;
  resolveMcpServerDefinition?(server: McpStdioDefinition, token: vscode.CancellationToken): vscode.ProviderResult<McpStdioDefinition>;
}

/** What registering needs from `vscode.lm` and the definition class, when this VS Code has them. */
export interface McpApi {
  register(id: string, provider: McpDefinitionProvider): vscode.Disposable;
  definition(label: string, command: string, args: string[], env: Record<string, string>, version: string): McpStdioDefinition;
}

type DefinitionClass = new (
  label: string,
  command: string,
  args?: string[],
  env?: Record<string, string | number | null>,
  version?: string,
) => McpStdioDefinition;

/** The MCP server API of the running VS Code, or undefined before 1.101 (then nothing is registered). */
export function mcpApi(api: object = vscode): McpApi | undefined {
  const members = api as { lm?: { registerMcpServerDefinitionProvider?: unknown }; McpStdioServerDefinition?: unknown };
  const lm = members.lm;
  const register = lm?.registerMcpServerDefinitionProvider;
  const Definition = members.McpStdioServerDefinition;
  if (typeof register !== 'function' || typeof Definition !== 'function') return undefined;
  return {
    register: (id, provider) => (register as McpApi['register']).call(lm, id, provider),
    definition: (label, command, args, env, version) => new (Definition as DefinitionClass)(label, command, args, env, version),
  };
}

/** An account as the provider sees it. */
export interface McpAccount {
  id: string;
  settings: AccountSettings;
}

export interface McpProviderDeps {
  accounts: () => readonly McpAccount[];
  onDidChangeAccounts: vscode.Event<void>;
  /** The account's key from SecretStorage, read when a server is started. */
  keyFor: (settings: AccountSettings) => Promise<string | undefined>;
  /** Absolute path of dist/mcp.js. */
  script: string;
  log: Logger;
}

/** The environment the server reads (mcpConfig.ts), without the key. */
export function serverEnvironment(settings: AccountSettings): Record<string, string> {
  const env: Record<string, string> = { OPENAI_BASE_URL: settings.baseUrl };
  if (settings.organization) env.OPENAI_ORG_ID = settings.organization;
  if (settings.project) env.OPENAI_PROJECT_ID = settings.project;
  if (settings.authHeader === 'api-key') env.OPENAI_BATCHES_AUTH_HEADER = 'api-key';
  if (settings.apiVersion) env.OPENAI_API_VERSION = settings.apiVersion;
  return env;
}

/** The label of an account's server: `OpenAI Batches`, or `OpenAI Batches (Azure EU)` for a listed account. */
export function serverLabel(settings: AccountSettings): string {
  return settings.implicit ? 'OpenAI Batches' : `OpenAI Batches (${settings.name})`;
}

/**
 * Offers one MCP server per account: `node dist/mcp.js` (the extension host's own Node, or
 * Electron as Node), its settings in the environment. The key is added only when VS Code starts
 * a server (resolve), from SecretStorage, and only into that process's environment: nothing is written to disk.
 */
export class McpServerProvider implements McpDefinitionProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeMcpServerDefinitions = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** How many times VS Code (or a test) asked for the definitions, and to resolve one. */
  provided = 0;
  resolved = 0;

  constructor(
    private readonly deps: McpProviderDeps,
    private readonly api: Pick<McpApi, 'definition'>,
  ) {
    this.subscription = vscode.Disposable.from(
      deps.onDidChangeAccounts(() => this.changed.fire()),
      // The implicit account's base URL, organization… change without the account list changing.
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(CONFIG_SECTION)) this.changed.fire();
      }),
    );
  }

  provideMcpServerDefinitions(): McpStdioDefinition[] {
    this.provided++;
    return this.deps.accounts().map(({ settings }) => {
      // ELECTRON_RUN_AS_NODE: in desktop VS Code, process.execPath is Electron, which runs as Node with it (Node ignores it).
      const env = { ...serverEnvironment(settings), ELECTRON_RUN_AS_NODE: '1' };
      // A new version when the account's settings change: VS Code restarts a running server then.
      const version = createHash('sha256')
        .update(JSON.stringify([settings.id, env]))
        .digest('hex')
        .slice(0, 12);
      return this.api.definition(serverLabel(settings), process.execPath, [this.deps.script], env, version);
    });
  }

  async resolveMcpServerDefinition(server: McpStdioDefinition): Promise<McpStdioDefinition> {
    this.resolved++;
    const account = this.deps.accounts().find(({ settings }) => serverLabel(settings) === server.label);
    if (!account) throw new Error(vscode.l10n.t('The account of the MCP server "{0}" no longer exists.', server.label));
    const key = await this.deps.keyFor(account.settings);
    if (!key) {
      throw new Error(vscode.l10n.t('No API key is stored for "{0}": run "OpenAI Batches: Set API Key…" first.', account.settings.name));
    }
    this.deps.log.redactor.add(key);
    this.deps.log.info(`Starting the MCP server for ${server.label} (${account.settings.baseUrl}).`);
    // From the settings as they are now: a definition VS Code kept from before a settings change must not send the key elsewhere.
    server.env = { ...serverEnvironment(account.settings), ELECTRON_RUN_AS_NODE: '1', OPENAI_API_KEY: key };
    return server;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Registers the provider (id {@link MCP_PROVIDER_ID}, contributed in package.json) when this
 * VS Code has the API; before 1.101 it registers nothing and says so in the log.
 */
export function registerMcpServers(
  deps: McpProviderDeps,
  api: McpApi | undefined,
): { provider?: McpServerProvider; disposable: vscode.Disposable } {
  if (!api) {
    deps.log.info('This VS Code has no MCP server API (it needs 1.101 or later): the MCP server is not offered to its chat.');
    return { disposable: new vscode.Disposable(() => undefined) };
  }
  const provider = new McpServerProvider(deps, api);
  return { provider, disposable: vscode.Disposable.from(provider, api.register(MCP_PROVIDER_ID, provider)) };
}

/** The `mcpServers` name of an account's server in other editors' configs: `openai-batches`, `openai-batches-azure-eu`. */
export function serverName(settings: AccountSettings): string {
  const slug = settings.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return settings.implicit || !slug ? 'openai-batches' : `openai-batches-${slug}`;
}

/**
 * The `mcpServers` entry for an account, as Cursor, Windsurf and Claude Code read it: `node`
 * running dist/mcp.js, the account's settings in `env`, and the key as a placeholder the editor
 * fills from its own environment (`${env:OPENAI_API_KEY}`), never the key itself.
 */
export function mcpConfigSnippet(settings: AccountSettings, script: string): string {
  const env = { OPENAI_API_KEY: '${env:OPENAI_API_KEY}', ...serverEnvironment(settings) };
  return JSON.stringify({ mcpServers: { [serverName(settings)]: { command: 'node', args: [script], env } } }, null, 2);
}
