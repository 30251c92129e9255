import * as vscode from 'vscode';

// The Language Model Tools API (VS Code 1.95+). The extension's engine floor is 1.90, whose
// @types/vscode does not declare it, and whose `vscode.lm` has no `registerTool`: these are
// the members the tools use, declared here and looked up at run time, never assumed.

export interface ToolInvocationOptions<T> {
  readonly input: T;
  /** From a chat request; undefined when a tool is invoked outside a chat. */
  readonly toolInvocationToken?: unknown;
}

export interface ToolPrepareOptions<T> {
  readonly input: T;
}

export interface PreparedToolInvocation {
  invocationMessage?: string | vscode.MarkdownString;
  confirmationMessages?: { title: string; message: string | vscode.MarkdownString };
}

/** `vscode.LanguageModelToolResult`: parts, of which ours are only `LanguageModelTextPart`s. */
export interface ToolResult {
  readonly content: unknown[];
}

export interface LanguageModelTool<T> {
  invoke(options: ToolInvocationOptions<T>, token: vscode.CancellationToken): vscode.ProviderResult<ToolResult>;
  prepareInvocation?(options: ToolPrepareOptions<T>, token: vscode.CancellationToken): vscode.ProviderResult<PreparedToolInvocation>;
}

/** An entry of `vscode.lm.tools`. */
export interface ToolInformation {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: object | undefined;
  readonly tags: readonly string[];
}

/** What the tools need from `vscode.lm` and the two result classes, when this VS Code has them. */
export interface LmToolsApi {
  registerTool<T>(name: string, tool: LanguageModelTool<T>): vscode.Disposable;
  /** Builds `new LanguageModelToolResult([new LanguageModelTextPart(text)])`. */
  textResult(text: string): ToolResult;
  /** `vscode.lm.tools` (undefined if missing). */
  tools(): readonly ToolInformation[] | undefined;
  /** `vscode.lm.invokeTool`, when present. */
  invokeTool?: (name: string, options: ToolInvocationOptions<object>, token?: vscode.CancellationToken) => Thenable<ToolResult>;
}

interface LmNamespace {
  registerTool?: unknown;
  invokeTool?: unknown;
  tools?: unknown;
}

type TextPartClass = new (value: string) => { value: string };
type ToolResultClass = new (content: unknown[]) => ToolResult;

/**
 * The Language Model Tools API of the running VS Code, or undefined when it has none (1.90 to
 * 1.94, or an editor built without it): the caller then registers nothing and activation goes on.
 */
export function lmToolsApi(api: object = vscode): LmToolsApi | undefined {
  const members = api as { lm?: LmNamespace; LanguageModelToolResult?: unknown; LanguageModelTextPart?: unknown };
  const lm = members.lm;
  const ResultClass = members.LanguageModelToolResult;
  const TextPart = members.LanguageModelTextPart;
  if (!lm || typeof lm.registerTool !== 'function' || typeof ResultClass !== 'function' || typeof TextPart !== 'function') return undefined;
  const registerTool = lm.registerTool as LmToolsApi['registerTool'];
  const invokeTool = lm.invokeTool;
  return {
    registerTool: (name, tool) => registerTool.call(lm, name, tool),
    textResult: (text) => new (ResultClass as ToolResultClass)([new (TextPart as TextPartClass)(text)]),
    tools: () => (Array.isArray(lm.tools) ? (lm.tools as ToolInformation[]) : undefined),
    invokeTool:
      typeof invokeTool === 'function'
        ? (name, options, token) => (invokeTool as NonNullable<LmToolsApi['invokeTool']>).call(lm, name, options, token)
        : undefined,
  };
}

/** The text of a tool result's text parts, joined (for tests and logs). */
export function resultText(result: ToolResult): string {
  return result.content
    .map((part) =>
      typeof part === 'object' && part !== null && typeof (part as { value?: unknown }).value === 'string'
        ? (part as { value: string }).value
        : '',
    )
    .join('');
}
