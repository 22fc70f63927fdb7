// 志愿服务 in a real browser on phones: an in-service party member reports
// in and claims a post; a resident orders a service, the secretary
// dispatches it, the member accepts and finishes it, the resident rates
// it; the member checks in and out of an activity by scanning the
// organiser's QR code (decoded from the organiser's screen with jsQR, as a
// phone camera would); their hours and points move once; a certificate of
// their hours is checked by its QR code without an account; redeeming lowers
// points but not hours; and `linli check` finds the ledger balanced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import {
  bin, dataDir, baseUrl, passwords, setUp, tearDown, scrollsSideways, smallestText, newPage, shot, login,
} from './support.mjs';

before(setUp);
after(tearDown);

async function phoneRules(page, where) {
  assert.ok(!(await scrollsSideways(page)), `${where}: scrolls sideways`);
  const min = await smallestText(page);
  assert.ok(min >= 16, `${where}: text at ${min}px`);
  const text = await page.textContent('main');
  assert.doesNotMatch(text, /volunteer:|220103008003|dangyuan|jumin/, `${where}: codes or user names shown`);
}

/** What the QR code on the organiser's screen says, read from its pixels. */
async function scanQr(page, selector = '#qr svg') {
  const png = PNG.sync.read(await page.locator(selector).screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(code, 'the QR code decodes');
  return code.data;
}

/** `YYYY-MM-DDTHH:MM` in China, `minutes` from now (a datetime-local value). */
function chinaMinute(minutes) {
  return new Date(Date.now() + 8 * 3600e3 + minutes * 60e3).toISOString().slice(0, 16);
}

test('a member reports in, a resident orders, the member serves and checks in by QR; points are spent, hours kept', async () => {
  const member = await newPage({ width: 360, height: 740 });
  await login(member, 'dangyuan', passwords.dangyuan);
  await member.waitForURL(/\/home$/);
  await member.goto(`${baseUrl}/volunteer`);
  await member.fill('#join-form input[name=skills]', '家电维修');
  await member.check('#party');
  await member.fill('#join-form input[name=employer]', '宽城区人民法院机关党委');
  await phoneRules(member, 'joining');
  await member.click('#join-form button[type=submit]');
  await member.waitForSelector('#post-form');
  assert.match(await member.textContent('#flash'), /报到成功/);
  await member.click('#post-form label:has-text("关爱帮扶")');
  await member.click('#post-form button[type=submit]');
  await member.waitForSelector('#flash');
  assert.equal((await member.textContent('#post')).trim(), '关爱帮扶');
  await phoneRules(member, 'my volunteering');

  // the resident orders on their phone
  const resident = await newPage({ width: 360, height: 740 });
  await login(resident, 'jumin', passwords.jumin);
  await resident.waitForURL(/\/home$/);
  await resident.goto(`${baseUrl}/volunteer`);
  await resident.click('#order-link');
  await resident.click('#order-form label:has-text("家电维修")');
  await resident.fill('#order-form textarea[name=body]', '洗衣机不转了,想请人看看');
  await phoneRules(resident, 'ordering');
  await resident.click('#order-form button[type=submit]');
  await resident.waitForSelector('#state');
  const orderUrl = resident.url().split('?')[0];
  assert.equal((await resident.textContent('#state')).trim(), '待派单');

  // the secretary dispatches it to the member
  const staff = await newPage({ width: 390, height: 844 });
  await login(staff, 'shuji', passwords.shuji);
  await staff.waitForURL(/\/home$/);
  await staff.goto(orderUrl);
  const option = await staff.locator('#dispatch-form option', { hasText: '家电维修' }).first().getAttribute('value');
  await staff.selectOption('#dispatch-form select[name=assignee]', option);
  await staff.click('#dispatch-form button[type=submit]');
  await staff.waitForSelector('#assignee');

  // the member sees a masked name until they accept, then serves
  await member.goto(orderUrl);
  assert.match(await member.textContent('#requester'), /\*/);
  await phoneRules(member, 'an order given to me');
  await member.click('#accept-form button[type=submit]');
  await member.waitForSelector('#finish-form');
  assert.doesNotMatch(await member.textContent('#requester'), /\*/);
  await member.fill('#finish-form input[name=minutes]', '60');
  await member.fill('#finish-form textarea[name=note]', '换了排水泵皮带');
  await member.click('#finish-form button[type=submit]');
  await member.waitForSelector('#flash');
  assert.equal((await member.textContent('#state')).trim(), '待评价');

  // the resident rates it
  await resident.goto(orderUrl);
  await resident.click('#rate-form label:has-text("满意") >> nth=0');
  await resident.click('#rate-form button[type=submit]');
  await resident.waitForSelector('#rating');
  assert.equal((await resident.textContent('#rating')).trim(), '满意');
  await shot(resident, 'volunteering-order-rated');
  await member.goto(`${baseUrl}/volunteer`);
  assert.equal((await member.textContent('#hours')).trim(), '1小时');
  assert.equal((await member.textContent('#points')).trim(), '10');

  // 志愿服务记录证明: the member has one issued; anyone checks it by its QR code
  await member.click('#certificate-form button[type=submit]');
  await member.waitForSelector('#certificate');
  assert.equal((await member.textContent('#cert-total')).trim(), '1小时');
  await phoneRules(member, 'the certificate');
  await shot(member, 'volunteering-certificate');
  const verifyUrl = await scanQr(member, '#certificate .qr svg');
  const anyone = await newPage({ width: 360, height: 640 });
  await anyone.goto(verifyUrl);
  assert.equal((await anyone.textContent('#validity')).trim(), '此证明有效');
  assert.match(await anyone.textContent('#verify-name'), /\*/);

  // an activity now: the organiser shows the code, the member scans it
  await staff.goto(`${baseUrl}/activities`);
  await staff.fill('#activity-form input[name=title]', '爱心日:清扫积雪');
  await staff.fill('#activity-form input[name=place]', '1号楼前');
  await staff.fill('#activity-form input[name=starts]', chinaMinute(-10));
  await staff.fill('#activity-form input[name=ends]', chinaMinute(120));
  await staff.fill('#activity-form input[name=points]', '10');
  await staff.click('#activity-form button[type=submit]');
  await staff.waitForSelector('#organiser');
  const activityUrl = staff.url().split('?')[0];
  await staff.click('#show-in');
  await staff.waitForSelector('#qr svg');
  await shot(staff, 'volunteering-check-in-code');
  const inUrl = await scanQr(staff);
  assert.ok(inUrl.startsWith(`${baseUrl}/activities/`), inUrl);
  await member.goto(inUrl);
  await phoneRules(member, 'the scanned code');
  await member.click('#confirm-scan');
  await member.waitForSelector('#mine');
  assert.match(await member.textContent('#flash'), /签到成功/);
  assert.equal((await member.textContent('#mine')).trim(), '已签到');
  // the same code again: refused, nothing twice
  await member.goto(inUrl);
  await member.click('#confirm-scan');
  await member.waitForSelector('#flash');
  assert.match(await member.textContent('#flash'), /已经签到/);

  await staff.goto(`${activityUrl}/code?k=out`);
  await staff.waitForSelector('#qr svg');
  const outUrl = await scanQr(staff);
  await member.goto(outUrl);
  await member.click('#confirm-scan');
  await member.waitForSelector('#mine');
  // in and out within the same minute: the time within the activity is
  // nothing, so no hours and no points (the service tests move the clock)
  assert.match(await member.textContent('#flash'), /签退成功:记录服务 0分钟$/);
  await member.goto(outUrl);
  await member.click('#confirm-scan');
  await member.waitForSelector('#flash');
  assert.match(await member.textContent('#flash'), /已经签退/);
  await member.goto(`${baseUrl}/volunteer`);
  assert.equal((await member.textContent('#hours')).trim(), '1小时');
  assert.equal((await member.textContent('#points')).trim(), '10');
  await shot(member, 'volunteering-mine');

  // the shelf: staff stock soap; the member redeems it
  await staff.goto(`${baseUrl}/shelf`);
  await staff.fill('#stock-form input[name=name]', '肥皂');
  await staff.fill('#stock-form input[name=points]', '5');
  await staff.fill('#stock-form input[name=more]', '5');
  await staff.click('#stock-form button[type=submit]');
  await staff.waitForSelector('#flash');
  await member.goto(`${baseUrl}/shelf`);
  await phoneRules(member, 'the shelf');
  await member.locator('#items li', { hasText: '肥皂' }).locator('button').click();
  await member.waitForSelector('#my-points');
  assert.match(await member.textContent('#flash'), /兑换成功/);
  assert.equal((await member.textContent('#my-points')).trim(), '5');
  await member.goto(`${baseUrl}/volunteer`);
  assert.equal((await member.textContent('#hours')).trim(), '1小时', 'hours are never spent');
  assert.equal((await member.textContent('#points')).trim(), '5');

  // the ledger balances
  const out = execFileSync(bin, ['check', '--data', dataDir]).toString();
  assert.match(out, /points ledger/);
});
