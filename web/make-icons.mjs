// Draws the app icon (crates/web/assets/logo.svg) as the PNGs a phone's
// home screen wants (192 and 512 px, and 180 px for iOS), with headless
// Chromium. Run when the logo changes; the PNGs are committed.
// Usage: node web/make-icons.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'crates/web/assets/logo.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const size of [180, 192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;background:transparent}</style>
    <img width="${size}" height="${size}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`);
  await page.screenshot({ path: join(root, `crates/web/assets/icons/icon-${size}.png`), omitBackground: true });
  await page.close();
}
await browser.close();
