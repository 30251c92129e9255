// Run by install.sh with Node 24 after `npm install code-server`: npm may skip an install
// script it was not allowed to run and still exit 0, so check what those scripts make.
// Each native module must load in this Node (built for its ABI, not the system Node's).
const fs = require('fs');
const path = require('path');

const codeServer = process.argv[2];
const vscode = path.join(codeServer, 'lib', 'vscode');
const natives = ['@vscode/spdlog', 'node-pty', '@parcel/watcher', '@vscode/native-watchdog', 'kerberos'];
const problems = [];

if (!fs.existsSync(path.join(vscode, 'node_modules'))) {
  problems.push(`${vscode}/node_modules is missing: code-server's postinstall did not run`);
} else {
  for (const name of natives) {
    try {
      require(require.resolve(name, { paths: [vscode] }));
    } catch (error) {
      problems.push(`${name} does not load in Node ${process.version}: ${error.message.split('\n')[0]}`);
    }
  }
}
if (!fs.existsSync(path.join(vscode, 'extensions', 'node_modules'))) {
  problems.push(`${vscode}/extensions/node_modules is missing`);
}
for (const problem of problems) console.error(problem);
if (problems.length) process.exit(1);
console.log(
  `code-server ${require(path.join(codeServer, 'package.json')).version}: ${natives.length} native modules load in Node ${process.version}`,
);
