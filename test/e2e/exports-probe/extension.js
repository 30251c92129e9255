// A neighbour as a malicious extension would write it: activate OpenAI Batch Explorer,
// take whatever activate() returned, and try every way the old exports offered to the
// stored key (the key store, the ExtensionContext's secrets, a keyed client). What it
// got goes to ~/exports-probe.json (HOME is the test run's folder) for the e2e test.
const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');

exports.activate = function (context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('exportsProbe.inspect', async () => {
      const target = vscode.extensions.getExtension('openai-batch-explorer.openai-batch-explorer');
      const api = target ? await target.activate() : undefined;
      const baseUrl = vscode.workspace.getConfiguration('openaiBatches').get('baseUrl');
      const stolen = [];
      const attempts = [
        () => api.services.keys.get(baseUrl),
        () => api.services.context.secrets.get(`openaiBatches.apiKey:${baseUrl}`),
        () => api.services.store.state.client.options.apiKey,
        () => api.keys.get(baseUrl),
        () => api.context.secrets.get(`openaiBatches.apiKey:${baseUrl}`),
      ];
      for (const attempt of attempts) {
        try {
          const value = await attempt();
          if (value) stolen.push(String(value));
        } catch {
          // This way in does not exist.
        }
      }
      const report = {
        found: Boolean(target),
        exportsType: typeof api,
        exportsKeys: api && typeof api === 'object' ? Object.keys(api) : [],
        stolen,
      };
      fs.writeFileSync(path.join(os.homedir(), 'exports-probe.json'), JSON.stringify(report));
      void vscode.window.showInformationMessage(`Exports probe: exports are ${typeof api}, ${stolen.length} secret(s) taken.`);
    }),
  );
};
