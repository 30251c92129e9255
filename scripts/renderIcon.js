// Renders media/icon.svg (the source) to media/icon.png, the 128×128 listing icon that the
// Marketplace and Open VSX show (they take no SVG). Drives Debian's Chromium through the test
// harness's playwright-core (`npm run harness:install` puts it in the harness cache):
//   node scripts/renderIcon.js
// Commit the SVG and the PNG together.
const fs = require('fs');
const os = require('os');
const path = require('path');

const SIZE = 128;
const root = path.join(__dirname, '..');
const source = path.join(root, 'media', 'icon.svg');
const target = path.join(root, 'media', 'icon.png');

async function main() {
  const { chromium } = require(path.join(harnessCacheDir(), 'tools', 'node_modules', 'playwright-core'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    const svg = fs.readFileSync(source, 'utf8');
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    const { width, height, colorType } = pngHeader(png);
    if (width !== SIZE || height !== SIZE || colorType !== 6) {
      throw new Error(`Chromium rendered a ${width}×${height} PNG of colour type ${colorType}; expected ${SIZE}×${SIZE} RGBA`);
    }
    fs.writeFileSync(target, png);
    console.log(`${path.relative(root, target)}: ${width}×${height} RGBA, ${png.length} bytes`);
  } finally {
    await browser.close();
  }
}

/** The same folder as test/harness/paths.ts harnessCacheDir(). */
function harnessCacheDir() {
  if (process.env.OPENAI_BATCHES_HARNESS_CACHE) return process.env.OPENAI_BATCHES_HARNESS_CACHE;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'openai-batch-explorer-harness');
}

function pngHeader(png) {
  if (png.toString('latin1', 1, 4) !== 'PNG' || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25] };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
