// 共建单位 in a real browser on phones: a unit's account registers its unit
// and reports in; the secretary accepts it; the unit offers a resource;
// the secretary turns a resident's case into a need and the matching
// suggests that unit's resource; a joint meeting puts the need on its
// agenda and makes it a project; the unit logs progress; the secretary
// records the money and closes it; the project shows on the public board
// without an account; the evaluation sheet downloads as a real xlsx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import {
  baseUrl, passwords, setUp, tearDown, scrollsSideways, smallestText, newPage, login,
} from './support.mjs';

before(setUp);
after(tearDown);

const UNIT = '宽城区就业服务中心';

async function phoneRules(page, where) {
  assert.ok(!(await scrollsSideways(page)), `${where}: scrolls sideways`);
  const min = await smallestText(page);
  assert.ok(min >= 16, `${where}: text at ${min}px`);
  const text = await page.textContent('main');
  assert.doesNotMatch(text, /220103008003|gongjian|shuji|partner_unit/, `${where}: codes or user names shown`);
}

test('a unit reports in, a case becomes a need, a joint meeting makes it a project, the board shows it', async () => {
  const unit = await newPage({ width: 360, height: 740 });
  await login(unit, 'gongjian', passwords.gongjian);
  await unit.waitForURL(/\/home$/);
  // 共建 is one of the unit's tabs
  await unit.click('nav a[href="/partners"] >> visible=true');
  await unit.waitForURL(/\/partners$/);
  await phoneRules(unit, 'the unit\'s 共建 home');
  await unit.click('#register-link');
  await unit.fill('#register-form input[name=name]', UNIT);
  await unit.click('#register-form label:has-text("机关")');
  await unit.fill('#register-form input[name=party_org]', '宽城区就业服务中心党支部');
  await unit.fill('#register-form input[name=contact_name]', '刘主任');
  await unit.fill('#register-form input[name=contact_phone]', '0431-85557788');
  await phoneRules(unit, 'registering');
  await unit.click('#register-form button[type=submit]');
  await unit.waitForURL(/\/partners\/units\/\d+/);
  const unitUrl = unit.url().split('?')[0];
  assert.match(await unit.textContent('#flash'), /单位已登记/);
  await unit.click('#resource-form label:has-text("人力")');
  await unit.selectOption('#resource-form select[name=category]', '就业帮扶');
  await unit.fill('#resource-form input[name=title]', '就业岗位推荐');
  await unit.fill('#resource-form input[name=amount]', '每月50个岗位');
  await unit.click('#resource-form button[type=submit]');
  await unit.waitForSelector('#flash');
  assert.match(await unit.textContent('#resources'), /就业岗位推荐/);
  await phoneRules(unit, 'the unit\'s page');
  await unit.goto(`${baseUrl}/partners`);
  await unit.fill('#report-form input[name=note]', '提供就业岗位和培训');
  await unit.click('#report-form button[type=submit]');
  await unit.waitForSelector('#flash');
  assert.match(await unit.textContent('#reports'), /待社区确认/);

  // the secretary accepts it
  const staff = await newPage({ width: 390, height: 844 });
  await login(staff, 'shuji', passwords.shuji);
  await staff.waitForURL(/\/home$/);
  await staff.goto(`${baseUrl}/partners`);
  await phoneRules(staff, 'the staff 共建 home');
  const openBefore = Number(await staff.textContent('#fig-open'));
  await staff.click(`#reports li:has-text("${UNIT}") button[value="1"]`);
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#flash'), /已确认报到/);

  // a resident's case becomes a need; the matching suggests the unit's resource
  await staff.goto(`${baseUrl}/cases/1`);
  await staff.click('#to-partners');
  await staff.waitForSelector('#need-form');
  await phoneRules(staff, 'a need from a case');
  const body = await staff.inputValue('#need-form textarea[name=body]');
  assert.doesNotMatch(body, /1[3-9]\d{9}/, 'no phone number in the need');
  await staff.selectOption('#need-form select[name=category]', '就业帮扶');
  await staff.fill('#need-form input[name=title]', '失业居民再就业');
  await staff.click('#need-form button[type=submit]');
  await staff.waitForURL(/\/partners\/needs\/\d+/);
  const needTitle = '失业居民再就业';
  const suggestions = await staff.textContent('#suggestions');
  assert.match(suggestions, /就业岗位推荐/);
  assert.match(suggestions, new RegExp(UNIT));
  assert.match(suggestions, /已在本社区报到/);
  await phoneRules(staff, 'the need with its suggestions');

  // the joint meeting decides it into a project
  await staff.goto(`${baseUrl}/partners/meetings/new`);
  await staff.fill('#meeting-form input[name=title]', '大党委临时联席会议');
  await staff.fill('#meeting-form input[name=held_on]', '2026-12-20');
  await staff.fill('#meeting-form input[name=place]', '社区党群服务中心');
  await staff.check(`#meeting-form label:has-text("${needTitle}") input`);
  await phoneRules(staff, 'calling a meeting');
  await staff.click('#meeting-form button[type=submit]');
  await staff.waitForURL(/\/partners\/meetings\/\d+/);
  await staff.fill('#record-form textarea[name=attendees]', '刘主任\n社区书记');
  await staff.fill('#record-form textarea[name=minutes]', '议定由就业服务中心每月推荐岗位');
  await staff.click('#record-form button[type=submit]');
  await staff.waitForSelector('#flash');
  const item = staff.locator('.agenda-item', { hasText: needTitle });
  await item.locator('summary').click();
  const lead = await item.locator('select[name=lead_unit] option', { hasText: UNIT }).getAttribute('value');
  await item.locator('select[name=lead_unit]').selectOption(lead);
  await item.locator('input[name=owner]').fill('刘主任');
  await item.locator('input[name=due_on]').fill('2027-03-31');
  await phoneRules(staff, 'the meeting');
  await item.locator('button[type=submit]').click();
  await staff.waitForURL(/\/partners\/projects\/\d+/);
  const projectUrl = staff.url().split('?')[0];
  assert.match(await staff.textContent('#project-state'), /实施中/);

  // the unit logs progress on its phone
  await unit.goto(projectUrl);
  await unit.fill('#progress-form textarea[name=note]', '已为8位居民推荐岗位,3人上岗');
  const png = new PNG({ width: 120, height: 90 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([200, (i / 4) % 255, 80, 255], i);
  await unit.setInputFiles('#progress-form input[name=photos]', { name: '招聘会.png', mimeType: 'image/png', buffer: PNG.sync.write(png) });
  await unit.click('#progress-form button[type=submit]');
  await unit.waitForSelector('#flash');
  assert.match(await unit.textContent('#progress'), /3人上岗/);
  const shown = await unit.locator('.progress-photos img').first().evaluate((img) => img.complete && img.naturalWidth);
  assert.equal(shown, 120, 'the progress photo is shown (re-encoded, same size)');
  assert.equal(await unit.locator('#close-form').count(), 0, 'a unit cannot close a project');
  await phoneRules(unit, 'the project, for the unit');

  // the secretary records the money and closes it
  await staff.goto(projectUrl);
  await staff.click('#fundings summary:has-text("记录投入")');
  await staff.selectOption('#funding-form select[name=kind]', 'money');
  await staff.fill('#funding-form input[name=amount]', '3000');
  await staff.click('#funding-form button[type=submit]');
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#money'), /3,000\.00/);
  await staff.click('#fundings summary:has-text("项目完成")');
  await staff.fill('#close-form textarea[name=outcome]', '推荐岗位40个,12人上岗');
  await staff.click('#close-form button[type=submit]');
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#project-state'), /已完成/);
  await staff.goto(`${baseUrl}/partners`);
  assert.equal(Number(await staff.textContent('#fig-open')), openBefore, 'the need opened and was met');

  // anyone reads the public board, with no account
  const anyone = await newPage({ width: 360, height: 740 });
  await anyone.goto(`${baseUrl}/board/220103008003/partners`);
  const board = await anyone.textContent('#board-projects');
  assert.match(board, /失业居民再就业/);
  assert.match(board, new RegExp(UNIT));
  assert.match(board, /推荐岗位40个/);
  assert.ok(!(await scrollsSideways(anyone)), 'the board scrolls sideways');
  assert.ok((await smallestText(anyone)) >= 16);

  // the evaluation sheet exports as a real workbook
  await staff.goto(`${baseUrl}/partners/evaluation`);
  assert.match(await staff.textContent('main'), new RegExp(UNIT));
  await phoneRules(staff, 'the evaluation sheet');
  const [download] = await Promise.all([staff.waitForEvent('download'), staff.click('#xlsx-link')]);
  const bytes = readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip package');
  assert.ok(bytes.includes(Buffer.from('xl/worksheets/sheet1.xml')), 'with a worksheet');
  assert.match(download.suggestedFilename(), /年度考评\.xlsx$/);

  // the unit's page: its project is listed; the street reads it without the contact
  await unit.goto(unitUrl);
  assert.match(await unit.textContent('#unit-projects'), /失业居民再就业/);
  assert.match(await unit.textContent('main'), /0431-85557788/);
});
