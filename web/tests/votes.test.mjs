// 业主表决 in a real browser on a phone: the secretary holds an elevator
// vote for 1号楼2单元, the demo's resident (an owner there) votes on their
// phone and cannot vote twice, staff enter a paper ballot and a proxy's,
// and the result shows both tallies against each threshold of art. 278.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  baseUrl, passwords, setUp, tearDown, scrollsSideways, smallestText, newPage, shot, login,
} from './support.mjs';

before(setUp);
after(tearDown);

/** Answers the bottom sheet a data-confirm form opens. */
async function confirm(page) {
  await page.waitForSelector('dialog.sheet[open]');
  await page.click('dialog.sheet button.ok');
}

/** `YYYY-MM-DD`, `days` from now in China. */
function chinaDay(days) {
  return new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
}

async function phoneRules(page, where) {
  assert.ok(!(await scrollsSideways(page)), `${where}: scrolls sideways`);
  const min = await smallestText(page);
  assert.ok(min >= 16, `${where}: text at ${min}px`);
}

test('an owners\' vote from the phone: online, paper and proxy ballots, one each, and the result with its numbers', async () => {
  const staff = await newPage({ width: 360, height: 640 });
  await login(staff, 'shuji', passwords.shuji);
  await staff.waitForURL(/\/home$/);
  await staff.goto(`${baseUrl}/votes`);
  await staff.click('#new-vote');
  const unit = await staff.locator('select[name=scope] option', { hasText: '1号楼2单元' }).first().getAttribute('value');
  await staff.selectOption('select[name=scope]', unit);
  await staff.selectOption('select[name=item]', '7');
  await staff.fill('input[name=title]', '1号楼2单元加装电梯');
  await staff.fill('input[name=closes_on]', chinaDay(14));
  await phoneRules(staff, 'the vote form');
  await staff.click('#vote-form button[type=submit]');
  await staff.waitForSelector('#open-vote');
  const url = staff.url().split('?')[0];
  await staff.click('#open-vote');
  await confirm(staff);
  await staff.waitForSelector('#enter-form');
  assert.match(await staff.textContent('#flash'), /投票已开始/);
  const total = Number((await staff.textContent('#turnout')).match(/\/ (\d+) 户/)[1]);
  assert.ok(total > 50, `${total} owners on the roll`);
  await phoneRules(staff, 'the open vote, staff');

  // the resident owns a flat there: they vote on their phone
  const owner = await newPage({ width: 360, height: 640 });
  await login(owner, 'jumin', passwords.jumin);
  await owner.waitForURL(/\/home$/);
  await owner.goto(url);
  await owner.waitForSelector('#my-ballot form');
  assert.equal(await owner.locator('#manage').count(), 0, 'no staff controls for an owner');
  await phoneRules(owner, 'the ballot');
  await owner.click('#my-ballot label:has-text("同意")');
  await shot(owner, 'votes-ballot-360');
  await owner.click('#my-ballot button[type=submit]');
  await confirm(owner);
  await owner.waitForSelector('#flash');
  assert.match(await owner.textContent('#flash'), /您的选票已计入,回执号 [0-9A-F]{8}/);
  const receipt = (await owner.textContent('#flash')).match(/[0-9A-F]{8}/)[0];
  assert.match(await owner.textContent('#my-ballot'), new RegExp(`网上投票.*${receipt}`));
  assert.equal(await owner.locator('#my-ballot form').count(), 0, 'no second ballot form');
  assert.equal(await owner.locator('#result').count(), 0, 'no count while open');

  // staff: the owner who voted online is no longer offered for paper; one paper ballot and one proxy
  await staff.goto(url);
  assert.match(await staff.textContent('#turnout'), /已参与 1 \//);
  const options = await staff.locator('#enter-form select[name=owner] option').count();
  assert.equal(options, total - 1 + 1, 'everyone but the online voter (plus the prompt)');
  const pick = async (n) => {
    const v = await staff.locator('#enter-form select[name=owner] option').nth(n).getAttribute('value');
    await staff.selectOption('#enter-form select[name=owner]', v);
  };
  await pick(1);
  await staff.click('#enter-form label:has-text("纸质票")');
  await staff.click('#enter-form fieldset:has-text("选票上的意见") label:has-text("同意")');
  await staff.fill('#enter-form input[name=proof]', 'DT-001');
  await staff.click('#enter-form button[type=submit]');
  await staff.waitForSelector('#flash');
  assert.match(await staff.textContent('#flash'), /已录入/);
  // a proxy without the proxy's name is refused, and nothing is counted
  await pick(1);
  await staff.click('#enter-form label:has-text("委托投票")');
  await staff.click('#enter-form fieldset:has-text("选票上的意见") label:has-text("反对")');
  await staff.fill('#enter-form input[name=proof]', 'WT-001');
  await staff.click('#enter-form button[type=submit]');
  await staff.waitForSelector('#flash.error');
  assert.match(await staff.textContent('#flash'), /受托人姓名/);
  assert.match(await staff.textContent('#turnout'), /已参与 2 \//);
  await pick(1);
  await staff.click('#enter-form label:has-text("委托投票")');
  await staff.click('#enter-form fieldset:has-text("选票上的意见") label:has-text("反对")');
  await staff.fill('#enter-form input[name=proof]', 'WT-001');
  await staff.fill('#enter-form input[name=proxy]', '李建华');
  await staff.click('#enter-form button[type=submit]');
  await staff.waitForSelector('#flash.notice');
  assert.match(await staff.textContent('#turnout'), /已参与 3 \//);

  // counted: 3 of the roll took part, far below two thirds — not passed, and the page says why
  await staff.click('#close-vote');
  await confirm(staff);
  await staff.waitForSelector('#result');
  const result = await staff.textContent('#result');
  assert.match(result, /未通过/);
  assert.match(result, new RegExp(`参与表决的业主人数:3 人 / ${total} 人,需三分之二以上\\(至少 ${Math.ceil(total * 2 / 3)} 人\\)`));
  assert.match(result, /同意的业主人数占参与表决的:2 人 \/ 3 人,需四分之三以上\(至少 3 人\)/);
  assert.match(await staff.textContent('#counts'), /同意\s*2 户/);
  await phoneRules(staff, 'the result');
  await shot(staff, 'votes-result-360');

  // the owner sees the result and that their ballot was counted — never how anyone voted
  await owner.goto(url);
  assert.match(await owner.textContent('#result'), new RegExp(`回执号 ${receipt}`));
  assert.ok(!(await owner.textContent('body')).includes('李建华'), 'no proxy name for residents');
  await staff.context().close();
  await owner.context().close();
});
