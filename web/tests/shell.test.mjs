// Every role's main pages on a small phone (360×640), a common phone
// (390×844) and a desktop (1366×768): no sideways scrolling, no text under
// 16 px (18 px in 长辈版), nothing the role may not use, no codes or user
// names on screen, and axe-core (npm) with no serious or critical
// violation. Screenshots of each go to web/test-output/shell-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import {
  bin, dataDir, baseUrl, browser, passwords, setUp, tearDown, shots, root,
  scrollsSideways, smallestText, newPage, shot, login,
} from './support.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = [
  { name: '360', width: 360, height: 640 },
  { name: '390', width: 390, height: 844 },
  { name: '1366', width: 1366, height: 768 },
];
const DEPARTMENT_PW = 'Chengguan-Ke-2026';

// Each role, its main pages, and links it must never be shown.
const ROLES = [
  { user: 'jumin', pages: ['/home', '/cases/new', '/cases', '/notices', '/proposals', '/proposals/1', '/votes', '/volunteer', '/services', '/services/new', '/activities', '/activities/1', '/shelf', '/wishes', '/wishes/10', '/wishes/new', '/inbox', '/account', '/me'],
    never: ['/residents', '/places', '/dashboard', '/territory', '/account/tokens', '/cases/setup', '/admin/users', '/audit', '/notices/new', '/visits', '/votes/new', '/volunteers'] },
  { user: 'wangge1', pages: ['/home', '/visits', '/cases', '/cases/new', '/residents', '/notices', '/notices/new', '/inbox', '/account'],
    never: ['/territory', '/admin/users', '/cases/setup'] },
  { user: 'bumen', pages: ['/home', '/cases', '/inbox', '/account'],
    never: ['/residents', '/places', '/dashboard', '/territory', '/cases/setup', '/admin/users'] },
  { user: 'shuji', pages: ['/home', '/visits', '/cases', '/dashboard', '/places', '/places?code=220103008003&building=1', '/residents', '/notices', '/notices/new', '/proposals', '/proposals/1', '/meetings/1', '/votes', '/votes/1', '/votes/new', '/owners/1', '/board/220103008003', '/volunteer', '/volunteers', '/volunteers/1', '/services', '/services/1', '/activities', '/activities/1', '/activities/1/code?k=in', '/shelf', '/wishes', '/wishes/12', '/partners', '/partners/units/1', '/partners/needs/3', '/partners/needs/new', '/partners/meetings/new', '/partners/projects/1', '/partners/evaluation', '/board/220103008003/partners', '/inbox', '/account'],
    never: ['/territory'] },
  { user: 'tuanshan', pages: ['/home', '/cases', '/dashboard', '/notices', '/notices/new', '/proposals', '/votes', '/votes/1', '/volunteers', '/services', '/services/1', '/activities', '/partners', '/partners/units/2', '/partners/projects/2', '/partners/evaluation', '/inbox', '/account'],
    never: ['/territory', '/votes/new'] },
  { user: 'dangyuan', pages: ['/home', '/volunteer', '/services', '/activities', '/activities/1', '/shelf', '/wishes', '/wishes/10', '/inbox', '/account'],
    never: ['/residents', '/places', '/dashboard', '/volunteers', '/account/tokens', '/cases/setup'] },
  { user: 'gongjian', pages: ['/home', '/partners', '/partners/register', '/inbox', '/account'],
    never: ['/residents', '/places', '/dashboard', '/cases', '/volunteers', '/visits', '/cases/setup'] },
];

// map tiles from a tile server of our own on this machine (an intranet's,
// or 天地图 in production): every tile is the app icon, enough to draw a map
let tiles;
before(async () => {
  const tile = readFileSync(join(root, 'crates/web/assets/icons/icon-192.png'));
  tiles = createServer((_, res) => { res.writeHead(200, { 'content-type': 'image/png' }); res.end(tile); });
  await new Promise((ok) => tiles.listen(0, '127.0.0.1', ok));
  process.env.LINLI_TILE_URL = `http://127.0.0.1:${tiles.address().port}/{z}/{x}/{y}.png`;
  await setUp();
  execFileSync(bin, ['user', 'add', '--username', 'bumen', '--role', 'department_handler', '--scope', '220103008',
    '--display-name', '街道城管科', '--data', dataDir], { input: `${DEPARTMENT_PW}\n` });
  passwords.bumen = DEPARTMENT_PW;
});

after(async () => {
  await tearDown();
  tiles?.close();
});

/** axe-core's serious and critical violations on the page, as readable lines. */
async function axeProblems(page) {
  // evaluated through the DevTools protocol, which the page's CSP does not govern
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return found;
}

/** Words a resident should never read: region codes, user names, ids, developer terms. */
async function developerWords(page, username) {
  // a case's number (YYYYMMDD + 5 digits) is what a resident quotes to the
  // hotline; 我的 shows a person their own login name, 我的信息 their own
  // phone. Nothing else.
  // 我的信息 shows a bound resident their own numbers in full (PIPL art. 45)
  const ownData = new URL(page.url()).pathname === '/me';
  const text = (await page.evaluate(() => document.body.innerText))
    .replace(/\b20\d{2}[01]\d[0-3]\d\d{5}\b/g, '')
    .replace(ownData ? /\b1[3-9]\d{9}\b/g : /$^/, '');
  const found = [];
  const code = text.match(/\b\d{9,15}\b/);
  if (code) found.push(`a code: ${code[0]}`);
  const own = new URL(page.url()).pathname === '/account';
  if (!own && new RegExp(`\\b${username}\\b`).test(text)) found.push(`the user name ${username}`);
  for (const w of ['undefined', 'null', 'NaN', 'WGS-84', 'GCJ-02', 'Bearer', 'JSON', '#1', 'tile-url']) {
    if (text.includes(w)) found.push(w);
  }
  return found;
}

for (const role of ROLES) {
  test(`${role.user}: main pages on 360, 390 and 1366 px pass the phone rules and axe-core`, async () => {
    const problems = [];
    for (const vp of VIEWPORTS) {
      const page = await newPage({ width: vp.width, height: vp.height });
      await login(page, role.user, passwords[role.user]);
      await page.waitForURL(/\/home$/);
      for (const path of role.pages) {
        const res = await page.goto(`${baseUrl}${path}`);
        const where = `${role.user} ${path} at ${vp.name}`;
        assert.equal(res.status(), 200, where);
        if (await scrollsSideways(page)) problems.push(`${where}: scrolls sideways`);
        const min = await smallestText(page);
        if (min < 16) problems.push(`${where}: text at ${min}px`);
        for (const p of await axeProblems(page)) problems.push(`${where}: ${p}`);
        if (role.user === 'jumin' || role.user === 'wangge1') {
          for (const w of await developerWords(page, role.user)) problems.push(`${where}: shows ${w}`);
        }
        const links = await page.evaluate(() =>
          [...document.querySelectorAll('a[href]')].filter((a) => a.getClientRects().length).map((a) => a.getAttribute('href')));
        for (const never of role.never) {
          if (links.some((h) => h === never || h.startsWith(`${never}?`))) problems.push(`${where}: a link to ${never}`);
        }
        if (path === '/home') await shot(page, `shell-${role.user}-home-${vp.name}`);
        if (path.includes('building=') && vp.name === '390') {
          await page.locator('.unit-plan').first().screenshot({ path: join(shots, 'shell-plan-unit-390.png') });
        }
      }
      // the footer names who runs the site, and the tab or menu entry of the page is marked
      assert.match(await page.textContent('.site-footer'), /主办单位/);
      await page.goto(`${baseUrl}/inbox`);
      const current = await page.locator(vp.width < 900 ? '.tabbar [aria-current=page]' : '.sidebar [aria-current=page]').textContent();
      assert.match(current, /消息/);
      await page.context().close();
    }
    assert.deepEqual(problems, []);
  });
}

test('长辈版 on a 360 px phone: every text at 18 px or more, read-aloud offered when the phone has a Chinese voice of its own, axe-core clean', async () => {
  const page = await newPage({ width: 360, height: 640 });
  await login(page, 'jumin', passwords.jumin);
  await page.waitForURL(/\/home$/);
  await page.goto(`${baseUrl}/account`);
  await page.click('#elder-toggle');
  await page.waitForURL(/\/account$/);
  // 朗读本页 shows exactly when the device has a Chinese voice of its own
  // (headless Chromium usually has none; a network voice never counts)
  const speech = await page.evaluate(() => new Promise((done) => {
    if (!('speechSynthesis' in window)) return done(false);
    const local = () => speechSynthesis.getVoices().some((v) => v.localService && /^zh/i.test(v.lang));
    setTimeout(() => done(local()), 500);
  }));
  const problems = [];
  for (const path of ['/home', '/cases/new', '/cases', '/inbox', '/account']) {
    await page.goto(`${baseUrl}${path}`);
    assert.equal(await page.getAttribute('body', 'class'), 'elder', path);
    if (await scrollsSideways(page)) problems.push(`${path}: scrolls sideways`);
    const min = await smallestText(page);
    if (min < 18) problems.push(`${path}: text at ${min}px`);
    for (const p of await axeProblems(page)) problems.push(`${path}: ${p}`);
    await page.waitForTimeout(100);
    assert.equal(await page.isVisible('#speak'), speech, `${path}: 朗读本页 shown iff a local voice`);
  }
  assert.deepEqual(problems, []);
  await page.goto(`${baseUrl}/home`);
  // three big actions: 随手拍, then 我的诉求 and 社区通知
  assert.ok(await page.isVisible('#primary-action'));
  assert.deepEqual(await page.locator('#tiles a').allTextContents(), ['我的诉求', '社区通知']);
  await shot(page, 'shell-elder-home-360');
  // back to the standard pages for the other tests
  await page.goto(`${baseUrl}/account`);
  await page.click('#elder-toggle');
  await page.context().close();
});

test('installable: the web-app manifest names the app, its start page and an icon the server has', async () => {
  const page = await newPage();
  await login(page, 'jumin', passwords.jumin);
  await page.waitForURL(/\/home$/);
  const href = await page.getAttribute('link[rel=manifest]', 'href');
  const manifest = await (await page.request.get(`${baseUrl}${href}`)).json();
  assert.equal(manifest.short_name, '邻里');
  assert.equal(manifest.start_url, '/home');
  assert.equal(manifest.display, 'standalone');
  // what Chrome asks of an installable app: PNG icons of 192 and 512 px
  for (const size of [192, 512]) {
    assert.ok(manifest.icons.some((i) => i.sizes === `${size}x${size}` && i.type === 'image/png'), `${size} px`);
  }
  for (const icon of manifest.icons) {
    const r = await page.request.get(`${baseUrl}${icon.src}`);
    assert.equal(r.status(), 200, icon.src);
    assert.equal(r.headers()['content-type'], icon.type, icon.src);
    if (icon.type === 'image/png') {
      const png = await r.body();
      // the PNG's own header says its size (IHDR width and height)
      assert.equal(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.sizes, icon.src);
    }
  }
  // the icon sprite the tabs draw from is served and holds the tab icons
  const sprite = await page.evaluate(() => document.querySelector('.tabbar use').getAttribute('href'));
  const svg = await (await page.request.get(`${baseUrl}${sprite.split('#')[0]}`)).text();
  for (const id of ['house', 'camera', 'message-circle', 'user']) assert.ok(svg.includes(`id="${id}"`), id);
  await page.context().close();
});

test('the secretary publishes a notice from the phone; a resident sees it on home, reads it, and the secretary sees the read', async () => {
  const staff = await newPage({ width: 360, height: 640 });
  await login(staff, 'shuji', passwords.shuji);
  await staff.waitForURL(/\/home$/);
  await staff.goto(`${baseUrl}/notices`);
  await staff.click('#new-notice');
  await staff.fill('input[name=title]', '周六上午楼道清理');
  await staff.fill('textarea[name=body]', '请把楼道里的杂物在周五前搬回家,周六上午统一清理。');
  await staff.click('#audience label:has-text("全体居民")');
  assert.ok(!(await scrollsSideways(staff)), 'the form fits a 360 px phone');
  await shot(staff, 'shell-notice-form-360');
  await staff.click('#notice-form button[type=submit]');
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#flash'), /已发布,发给 \d+ 位居民/);
  const url = staff.url().split('?')[0];
  assert.match(await staff.textContent('#notice-reads'), /已读 0 人/);

  const resident = await newPage({ width: 360, height: 640 });
  await login(resident, 'jumin', passwords.jumin);
  await resident.waitForURL(/\/home$/);
  assert.match(await resident.textContent('#home-notice'), /周六上午楼道清理/);
  await resident.click('#home-notice');
  await resident.waitForSelector('#notice-body');
  assert.match(await resident.textContent('#notice-body'), /统一清理/);
  assert.equal(await resident.locator('#withdraw').count(), 0, 'no staff controls for a resident');
  await shot(resident, 'shell-notice-read-360');

  await staff.goto(url);
  assert.match(await staff.textContent('#notice-reads'), /已读 1 人/);
  // withdrawing asks in a bottom sheet first
  await staff.click('#withdraw');
  await staff.waitForSelector('dialog.sheet[open]');
  assert.match(await staff.textContent('dialog.sheet .confirm-text'), /撤回“周六上午楼道清理”/);
  await staff.click('dialog.sheet button.ok');
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#flash'), /已撤回/);
  await staff.context().close();
  await resident.context().close();
});

test('the street\'s command screen fills 1920×1080 without scrolling, draws the trend and its communities, and passes axe-core', async () => {
  const page = await newPage({ width: 1920, height: 1080 });
  await login(page, 'tuanshan', passwords.tuanshan);
  await page.waitForURL(/\/home$/);
  await page.goto(`${baseUrl}/dashboard`);
  await page.click('#open-screen');
  await page.waitForURL(/\/screen\?code=/);
  await page.waitForFunction(() => document.querySelector('#trend svg') !== null, null, { timeout: 15000 });
  await page.waitForFunction(() => Number(document.getElementById('heat').dataset.grids) > 0, null, { timeout: 15000 });
  const size = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  assert.ok(size[0] <= 1920 && size[1] <= 1080, `the screen scrolls: ${size}`);
  assert.equal(await page.locator('#screen-tiles li').count(), 6);
  assert.deepEqual(await axeProblems(page), []);
  await shot(page, 'shell-screen-1920');
  await page.context().close();
});

test('随手拍 with map tiles: the phone\'s position shows as a pin, and dragging it moves the place', async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: 'zh-CN',
    geolocation: { latitude: 43.8855, longitude: 125.3302 }, permissions: ['geolocation'],
  });
  const page = await context.newPage();
  await login(page, 'jumin', passwords.jumin);
  await page.waitForURL(/\/home$/);
  await page.goto(`${baseUrl}/cases/new`);
  assert.equal(await page.evaluate(() => typeof window.L), 'undefined', 'no map library until a place is set');
  await page.click('#locate-me');
  await page.waitForSelector('#pin-map[data-ready="1"]');
  const before = await page.evaluate(() => [document.querySelector('input[name=lng]').value, document.querySelector('input[name=lat]').value]);
  assert.deepEqual(before.map(Number).map((x) => x.toFixed(4)), ['125.3302', '43.8855']);
  const box = await page.locator('#pin-map .leaflet-marker-icon.pin').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 - 40, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /图钉/.test(document.getElementById('located').textContent));
  const after = await page.evaluate(() => [Number(document.querySelector('input[name=lng]').value), Number(document.querySelector('input[name=lat]').value)]);
  assert.ok(after[0] > Number(before[0]) && after[1] > Number(before[1]), `moved east and north: ${before} → ${after}`);
  assert.ok(!(await scrollsSideways(page)));
  const text = await page.textContent('#report-form');
  assert.ok(!/经度|纬度|WGS|GCJ|坐标/.test(text), 'no coordinate on screen');
  await shot(page, 'shell-report-pin-390');
  await context.close();
});
