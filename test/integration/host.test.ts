import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'openai-batch-explorer.openai-batch-explorer';

/** The command ids SPEC.md promises; other parts and users' keybindings rely on them. */
const CONTRACT_COMMANDS = [
  'setApiKey',
  'clearApiKey',
  'refresh',
  'loadMore',
  'openBatch',
  'copyBatchId',
  'copyOutputFileId',
  'copyInputFileId',
  'copyErrorFileId',
  'cancelBatch',
  'openOutputFile',
  'openErrorFile',
  'downloadOutputFile',
  'createBatch',
  'openResults',
  'insertOutputFileId',
  'filter',
].map((verb) => `openaiBatches.${verb}`);

interface Manifest {
  contributes: { commands: { command: string }[] };
}

describe('extension host', () => {
  it('is a real VS Code extension host with the extension installed', () => {
    console.log(
      `VS Code ${vscode.version}, appHost ${vscode.env.appHost}, uiKind ${vscode.UIKind[vscode.env.uiKind]}, Node ${process.version}`,
    );
    assert.match(vscode.version, /^\d+\.\d+\.\d+(-[\w.]+)?$/);
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is not loaded`);
  });

  it('contributes every contract command', () => {
    const missing = CONTRACT_COMMANDS.filter((id) => !contributedCommands().includes(id));
    assert.deepStrictEqual(missing, [], `contract commands missing from package.json: ${missing.join(', ')}`);
  });

  it('registers every contributed command once activated', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    await extension.activate();
    assert.ok(extension.isActive);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommands().filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });
});

function contributedCommands(): string[] {
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
  return manifest.contributes.commands.map(({ command }) => command);
}
