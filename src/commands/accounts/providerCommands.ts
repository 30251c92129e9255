import * as vscode from 'vscode';
import { implicitSettings, readSettings } from '../../config';
import { implicitAccount } from '../../core/api/accounts';
import {
  type ProviderPreset,
  type ProviderQuestion,
  type ProviderSettings,
  PROVIDER_PRESETS,
  providerSettings,
} from '../../core/api/providers';
import { CONFIG_SECTION } from '../../ids';
import { setApiKey } from './apiKeyCommands';
import type { Services } from '../services';
import { plainText } from '../../core/util/text';

/**
 * Choose Provider: a preset fills `baseUrl`, `authHeader` and `apiVersion` in the user settings
 * (ordinary settings, editable afterwards), after asking for what the preset needs (Azure
 * resource, LiteLLM port, a custom base URL); then Set API Key runs for the new base URL.
 */
export async function chooseProvider(services: Pick<Services, 'keys' | 'connection' | 'store' | 'log'>): Promise<void> {
  const current = readSettings();
  const title = vscode.l10n.t('OpenAI Batches: Choose Provider');
  const chosen = await pickProvider(title, current.baseUrl);
  if (!chosen) return;
  const { picked, settings } = chosen;

  const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
  for (const name of ['baseUrl', 'authHeader', 'apiVersion'] as const) {
    await config.update(name, settings[name], vscode.ConfigurationTarget.Global);
  }
  services.log.info(
    `Provider set to ${picked.preset.label}: baseUrl ${settings.baseUrl}, authHeader ${settings.authHeader}, apiVersion "${settings.apiVersion}".`,
  );
  if (readSettings().baseUrl !== settings.baseUrl) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        "openaiBatches.baseUrl is also set in this workspace's settings, which take precedence over the user settings just written. Remove it there to use {0}.",
        plainText(settings.baseUrl, 300),
      ),
    );
  }
  // The user just chose this base URL (in the user settings): no workspace chose it.
  await setApiKey(services, implicitAccount({ ...implicitSettings(), baseUrl: settings.baseUrl, hostChosenBy: undefined }));
}

/** The preset quick pick and its questions (also Add Account's first steps); undefined when the user cancels. */
export async function pickProvider(
  title: string,
  currentBaseUrl: string,
): Promise<{ picked: { preset: ProviderPreset }; settings: ProviderSettings } | undefined> {
  const picked = await vscode.window.showQuickPick(
    PROVIDER_PRESETS.map((preset) => ({ label: preset.label, detail: preset.detail, preset })),
    { title, placeHolder: vscode.l10n.t('Where your batches run'), matchOnDetail: true, ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const answers = await askQuestions(title, picked.preset, currentBaseUrl);
  if (!answers) return undefined;
  return { picked, settings: providerSettings(picked.preset, answers) };
}

/** One input box per question; undefined when the user cancels one. */
async function askQuestions(
  title: string,
  preset: ProviderPreset,
  currentBaseUrl: string,
): Promise<Partial<Record<ProviderQuestion['id'], string>> | undefined> {
  const answers: Partial<Record<ProviderQuestion['id'], string>> = {};
  for (const question of preset.questions) {
    const value = await vscode.window.showInputBox({
      title: `${title}: ${preset.label}`,
      prompt: question.prompt,
      placeHolder: question.placeHolder,
      value: question.id === 'baseUrl' ? currentBaseUrl : question.value,
      ignoreFocusOut: true,
      validateInput: (text) => question.validate(text),
    });
    if (value === undefined) return undefined;
    answers[question.id] = value;
  }
  return answers;
}
