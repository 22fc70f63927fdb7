// Page weight: the bytes a phone downloads to show each page with an empty
// cache (HTML, styles, scripts, icons, map data — everything, headers
// included), as Chromium's network layer counts them. The server sends
// brotli or gzip as it would to a phone.
// Usage: node web/bench/page-weight.mjs BASE USER PASSWORD PATH...
import { chromium } from 'playwright-core';

const [base, user, password, ...paths] = process.argv.slice(2);
if (!base || !paths.length) {
  console.error('usage: page-weight.mjs BASE USER PASSWORD PATH...');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.fill('input[name=username]', user);
await page.fill('input[name=password]', password);
await page.click('button[type=submit].primary');
await page.waitForURL(/\/home$/);
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
let bytes = 0, requests = 0;
cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; requests += 1; });
for (const path of paths) {
  bytes = 0; requests = 0;
  await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
  console.log(`${user}\t${path}\t${(bytes / 1024).toFixed(1)} KB\t${requests} requests`);
}
await browser.close();
