// 议事协商 in a real browser on a phone. First an owners' vote alone: the
// secretary holds an elevator vote for 1号楼2单元, the demo's resident (an
// owner there) votes on their phone and cannot vote twice, staff enter a
// paper ballot and a proxy's, and an early count is refused while the
// owners left could still change the result. Then the whole loop, 民提 to 民评: a resident
// proposes, a neighbour supports it past the threshold, staff put it on
// the agenda and record a meeting, the owners vote it through, the cost is
// shared to the 分, the matter is done and rated, and the public board and
// its A4 poster show it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  bin, dataDir, baseUrl, passwords, setUp, tearDown, scrollsSideways, smallestText, newPage, shot, login,
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

test('an owners\' vote from the phone: online, paper and proxy ballots, one each, and no early count while the rest could change it', async () => {
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

  // not counted before the deadline while the owners left could still change the result
  await staff.click('#close-vote');
  await confirm(staff);
  await staff.waitForSelector('#flash.error');
  assert.match(await staff.textContent('#flash'), /截止日期前,只有在未投票业主的选票已改变不了结果时才能提前计票/);
  assert.equal(await staff.locator('#result').count(), 0, 'still open, still no count');
  await phoneRules(staff, 'the open vote after the refused count');
  await shot(staff, 'votes-early-count-refused-360');

  // the owner still sees only that their ballot was counted — never how anyone voted
  await owner.goto(url);
  assert.match(await owner.textContent('#my-ballot'), new RegExp(`回执号 ${receipt}`));
  assert.equal(await owner.locator('#result').count(), 0);
  assert.ok(!(await owner.textContent('body')).includes('李建华'), 'no proxy name for residents');
  await staff.context().close();
  await owner.context().close();
});

/** A resident account bound (by staff, over the API) to someone of 1号楼2单元 other than the demo's own. */
async function neighbourAccount(username, password) {
  execFileSync(bin, ['user', 'add', '--username', username, '--role', 'resident', '--scope', '220103008003',
    '--display-name', '邻居', '--data', dataDir], { input: `${password}\n` });
  const token = execFileSync(bin, ['token', 'add', '--username', 'shuji', '--data', dataDir]).toString().trim().split('\n').pop();
  const auth = { authorization: `Bearer ${token}` };
  let rows = [];
  for (let after = ''; ;) {
    const r = await (await fetch(`${baseUrl}/api/v1/residents?building_id=1&limit=500${after}`, { headers: auth })).json();
    rows = rows.concat(r.rows);
    if (!r.next_after) break;
    after = `&after=${r.next_after}`;
  }
  const unit2 = rows.filter((r) => r.address.startsWith('长山花园小区 1号楼 2单元'));
  assert.ok(unit2.length > 50, `${unit2.length} people in 1号楼2单元`);
  const them = unit2[unit2.length - 1];
  const res = await fetch(`${baseUrl}/api/v1/residents/${them.id}/account`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ username }),
  });
  assert.equal(res.status, 204, await res.text());
}

test('from proposal to rating: propose, support, agenda, meeting, owners\' vote, cost shares, done, rated, on the public board', async () => {
  await neighbourAccount('linju', 'Bixiao-Men-2026-ok');
  const staff = await newPage({ width: 390, height: 844 });
  await login(staff, 'shuji', passwords.shuji);
  await staff.waitForURL(/\/home$/);
  // one neighbour's support is enough here
  await staff.goto(`${baseUrl}/proposals`);
  await staff.fill('#rules-form input[name=threshold]', '1');
  await staff.fill('#rules-form input[name=quorum]', '20');
  await staff.click('#rules-form button[type=submit]');
  await staff.waitForSelector('#flash.notice');

  // 民提: the resident proposes for their unit
  const owner = await newPage({ width: 360, height: 640 });
  await login(owner, 'jumin', passwords.jumin);
  await owner.waitForURL(/\/home$/);
  await owner.goto(`${baseUrl}/proposals`);
  await owner.click('#new-proposal');
  await owner.click('#proposal-form label:has-text("一个单元")');
  await owner.fill('input[name=title]', '2单元也装电梯');
  await owner.fill('textarea[name=body]', '单元里老人多,上下楼难,1单元装了效果很好。');
  await phoneRules(owner, 'the proposal form');
  await owner.click('#proposal-form button[type=submit]');
  await owner.waitForSelector('#state');
  assert.match(await owner.textContent('#state'), /征集附议/);
  assert.equal(await owner.locator('#support').count(), 0, 'not for one\'s own');
  const proposal = owner.url().split('?')[0];

  // 附议: a neighbour supports it past the threshold
  const neighbour = await newPage({ width: 360, height: 640 });
  await login(neighbour, 'linju', 'Bixiao-Men-2026-ok');
  await neighbour.waitForURL(/\/home$/);
  await neighbour.goto(proposal);
  await neighbour.click('#support');
  await neighbour.waitForSelector('#flash');
  assert.match(await neighbour.textContent('#flash'), /已附议,现在 1 人附议/);
  assert.match(await neighbour.textContent('#state'), /待社区答复/);
  // 民议: the neighbour says why; everyone in scope reads it
  await neighbour.fill('#comment-form textarea[name=body]', '我家在 18 楼,非常需要。');
  await neighbour.click('#comment-form button[type=submit]');
  await neighbour.waitForSelector('#flash.notice');
  await owner.goto(proposal);
  assert.match(await owner.textContent('#discussion'), /我家在 18 楼,非常需要。/);
  assert.doesNotMatch(await owner.textContent('#discussion'), /隐藏/, 'no moderation for residents');

  // 民议: staff put it on the agenda and record a meeting
  await staff.goto(proposal);
  await staff.fill('#agenda-form textarea[name=answer]', '列入本月议程。');
  await staff.click('#to-agenda');
  await staff.waitForSelector('#meeting-form');
  await staff.selectOption('#meeting-form select[name=kind]', 'council');
  await staff.fill('#meeting-form input[name=place]', '社区党群服务中心');
  await staff.click('#meeting-form button[type=submit]');
  await staff.waitForSelector('#record-form');
  await staff.fill('#record-form textarea[name=attendees]', '王秀兰\n李建华\n张德明');
  await staff.fill('#record-form textarea[name=minutes]', '一楼住户同意,条件是不挡窗户;费用按楼层分摊。');
  await staff.fill('#record-form textarea[name=decisions]', '交本单元业主表决。');
  await staff.click('#record-form button[type=submit]');
  await staff.waitForSelector('#minutes');
  assert.match(await staff.textContent('main'), /3 人参加/);
  await phoneRules(staff, 'the meeting');

  // 民决: the owners of the unit vote; enough of them to pass
  await staff.goto(proposal);
  await staff.click('#to-vote');
  const unit = await staff.locator('select[name=scope] option', { hasText: '1号楼2单元' }).first().getAttribute('value');
  await staff.selectOption('select[name=scope]', unit);
  await staff.selectOption('select[name=item]', '7');
  await staff.fill('input[name=title]', '2单元加装电梯');
  await staff.fill('input[name=closes_on]', chinaDay(10));
  await staff.click('#vote-form button[type=submit]');
  await staff.click('#open-vote');
  await confirm(staff);
  await staff.waitForSelector('#enter-form');
  const vote = staff.url().split('?')[0];
  await owner.goto(vote);
  await owner.click('#my-ballot label:has-text("同意")');
  await owner.click('#my-ballot button[type=submit]');
  await confirm(owner);
  await owner.waitForSelector('#flash.notice');
  const total = Number((await staff.textContent('#turnout')).match(/\/ (\d+) 户/)[1]);
  // every other owner's paper ballot, so it may be counted now
  for (let n = 1; n < total; n++) {
    await staff.goto(vote);
    const v = await staff.locator('#enter-form select[name=owner] option').nth(1).getAttribute('value');
    await staff.selectOption('#enter-form select[name=owner]', v);
    await staff.click('#enter-form fieldset:has-text("选票上的意见") label:has-text("同意")');
    await staff.fill('#enter-form input[name=proof]', `DT-${n}`);
    await staff.click('#enter-form button[type=submit]');
    await staff.waitForSelector('#flash.notice');
  }
  await staff.click('#close-vote');
  await confirm(staff);
  await staff.waitForSelector('#result');
  assert.match(await staff.textContent('#result'), /通过/);
  assert.doesNotMatch(await staff.textContent('#result'), /未通过/);

  // 民筹: shared by floor, to the fen
  const table = Array.from({ length: 23 }, (_, i) => `${i + 1}:${i === 0 ? 0 : 10 + i}`).join(', ');
  await staff.fill('#cost-form input[name=owners_total]', '250000.01');
  await staff.fill('#cost-form textarea[name=table]', table);
  await staff.fill('#cost-form textarea[name=funding]', '政府补贴:200000');
  await staff.click('#cost-form button[type=submit]');
  await staff.waitForSelector('#costs');
  assert.match(await staff.textContent('#funding'), /450,000\.01 元/);
  const shares = await staff.locator('#shares li span:first-child').allTextContents();
  const fen = shares.map((t) => Math.round(Number(t.match(/([\d,]+\.\d{2}) 元/)[1].replace(/,/g, '')) * 100));
  assert.equal(fen.reduce((a, b) => a + b, 0), 25000001, 'the shares sum to the owners\' part to the fen');
  await shot(staff, 'votes-costs-390');
  await owner.goto(vote);
  assert.match(await owner.textContent('#my-share'), /您应分摊:1号楼2单元\d+ [\d,]+\.\d{2} 元/);

  // 民办 民评: the matter is done; the resident rates it
  await staff.goto(proposal);
  assert.match(await staff.textContent('#state'), /已决定实施/);
  await staff.click('#to-done');
  await confirm(staff);
  await staff.waitForSelector('#rating');
  await owner.goto(proposal);
  await owner.click('#rate-form label:has-text("很满意")');
  await owner.click('#rate-form button[type=submit]');
  await owner.waitForSelector('#flash');
  assert.match(await owner.textContent('#rating'), /5\.0 分\(满分 5 分\),1 人评价/);

  // 公开栏: anyone sees it, with nobody's name; the poster prints on A4
  const visitor = await newPage({ width: 360, height: 640 });
  await visitor.goto(`${baseUrl}/board/220103008003`);
  const board = await visitor.textContent('main');
  assert.match(board, /2单元也装电梯/);
  assert.match(board, /已办结/);
  assert.match(board, /评价 5\.0 分\(1 人\)/);
  assert.match(board, /2单元加装电梯/);
  assert.match(board, /已缴 0 \/ \d+ 户/);
  assert.ok(!board.includes('王秀兰') && !/\*\*/.test(board), 'no names on the public board');
  await phoneRules(visitor, 'the public board');
  await visitor.goto(`${baseUrl}/board/220103008003/poster`);
  await visitor.emulateMedia({ media: 'print' });
  assert.ok(await visitor.locator('#poster svg').isVisible(), 'the QR code prints');
  assert.ok(!(await visitor.locator('.topbar').isVisible()), 'no page chrome on paper');
  await shot(visitor, 'votes-poster');
  for (const p of [staff, owner, neighbour, visitor]) await p.context().close();
});
