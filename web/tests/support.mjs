// What every browser-test file shares: a real `linli demo` server on a
// fresh data directory (each test file runs in its own process, with its
// own server), Debian's Chromium through playwright-core, and the page
// checks of the phone rules (no sideways scrolling, no text under 16 px).
// The `let` exports are live: a file reads them after `setUp()`.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const bin = process.env.LINLI_BIN || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'linli');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const shots = join(root, 'web', 'test-output');
export const dataDir = mkdtempSync(join(tmpdir(), 'linli-browser-'));

export let baseUrl;
export let browser;
export let serverLog = '';
/** The passwords the demo printed, by user name (`admin` is the one-time one). */
export const passwords = {};
let server;

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(bin, ['demo', '--data', dataDir, '--listen', '127.0.0.1:0'], {
      env: { ...process.env, RUST_LOG: 'debug', LINLI_LOG_FORMAT: 'json', LINLI_LOGIN_PER_MINUTE: '100' },
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${serverLog}`)), 120000);
    server.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      const pw = out.match(/一次性密码: (\S+)/);
      // the last account line the demo prints (the partner unit's)
      if (url && pw && /用户名 gongjian  密码 \S+\n/.test(out)) {
        clearTimeout(timer);
        for (const m of out.matchAll(/用户名 (\w+)  密码 (\S+)/g)) passwords[m[1]] = m[2];
        passwords.admin = pw[1];
        baseUrl = url[0].replace(/\/$/, '');
        resolve();
      }
    });
    server.stderr.on('data', (d) => { serverLog += d; });
    server.on('exit', (code) => { if (!baseUrl) reject(new Error(`server exited ${code}:\n${serverLog}`)); });
  });
}

/** Starts the demo server and the browser (a `before` hook). */
export async function setUp() {
  assert.ok(existsSync(bin), `linli binary missing at ${bin}: build it first`);
  assert.ok(existsSync(chromiumPath), `Chromium missing at ${chromiumPath}: apt-get install chromium`);
  mkdirSync(shots, { recursive: true });
  await startServer();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Stops them and removes the data directory (an `after` hook). */
export async function tearDown() {
  await browser?.close();
  server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}

/** Whether the page is wider than the screen. */
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/** The smallest font size of any visible text on the page, in px. */
export async function smallestText(page) {
  return page.evaluate(() => {
    let min = Infinity;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (!n.textContent.trim()) continue;
      const el = n.parentElement;
      const r = el.getBoundingClientRect();
      const st = getComputedStyle(el);
      if (!r.width || !r.height || st.visibility === 'hidden' || st.display === 'none') continue;
      min = Math.min(min, parseFloat(st.fontSize));
    }
    return min;
  });
}

/** A page in a new browser context: a 390×844 phone unless told. */
export async function newPage(viewport = { width: 390, height: 844 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  return context.newPage();
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export async function login(page, username, password) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit].primary');
}
