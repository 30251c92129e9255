// https-proxy-agent (axios's proxy support) logs through `debug`, which nobody can enable in an
// extension host; esbuild.js maps it to this no-op so the bundle does not carry it.
module.exports = function createDebug() {
  const log = () => undefined;
  log.enabled = false;
  return log;
};
