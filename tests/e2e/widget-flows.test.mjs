// The widget's question flows on the demo brand: tabs, the Answered feed,
// asking (new question, a repeat of an answered one, "this is my question
// too"), My questions with the badge once an agent answers, axe on every
// view and a screenshot of each in target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { BASE, ensureAcme, newAgent, ask } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core on the widget (its shadow root; the demo page around it is not ours). */
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run({ include: [["[data-chorus]"]] }, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target) + " :: " + n.failureSummary) }));
  });
  assert.deepEqual(result, [], `axe violations on ${what}:\n${JSON.stringify(result, null, 2)}`);
}

let ctx, agent;
before(async () => {
  await ensureAcme();
  agent = await newAgent("acme", { name: "Grace Hopper" });
  ctx = await launch();
});
after(async () => ctx?.close());

const WORDS = ["amber", "violet", "otter", "falcon", "cedar", "maple", "harbor", "canyon", "walrus", "meadow",
  "copper", "lantern", "saffron", "glacier", "pelican", "juniper", "marble", "thistle", "badger", "orchid"];
/** Unique question text per run: the acme brand is shared by tests. */
const unique = (template) => template.replace(/\$/g, () => WORDS[randomInt(WORDS.length)] + randomInt(1000, 9999));

async function openDemo(page) {
  await page.goto(`${BASE}/`);
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
}

async function events(page) {
  await page.evaluate(() => {
    window.seen = { asked: [], answered: [] };
    addEventListener("chorus:asked", (e) => window.seen.asked.push(e.detail));
    addEventListener("chorus:answered", (e) => window.seen.answered.push(e.detail));
  });
}

test("tabs: a tablist reachable by keyboard; arrows move between Search, Answered, Ask and My questions", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openDemo(page);
  const tabs = page.locator('[role="tablist"] [role="tab"]');
  assert.deepEqual(await tabs.allTextContents(), ["Search", "Answered", "Ask", "My questions"]);
  assert.equal(await page.locator("#chorus-tab-search").getAttribute("aria-selected"), "true");
  await axe(page, "search tab");
  await shot(page, "widget-search.png");
  await page.locator("#chorus-tab-search").focus();
  await page.keyboard.press("ArrowRight");
  await page.locator(".feed").waitFor();
  assert.equal(await page.locator("#chorus-tab-answered").getAttribute("aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.querySelector("[data-chorus]").shadowRoot.activeElement?.id), "chorus-tab-answered");
  await page.keyboard.press("End");
  await page.locator(".mine").waitFor();
  assert.equal(await page.locator("#chorus-tab-mine").getAttribute("tabindex"), "0");
  await page.keyboard.press("ArrowLeft");
  await page.locator(".askp textarea").waitFor();
  assert.equal(await page.locator('#chorus-tabpanel').getAttribute("aria-labelledby"), "chorus-tab-ask");
  await page.keyboard.press("Home");
  await page.locator(".search input").waitFor();

  // Focus is trapped in the open dialog both ways, and Escape returns it to the launcher.
  const where = () => page.evaluate(() => {
    const root = document.querySelector("[data-chorus]").shadowRoot;
    const a = root.activeElement;
    return a ? (a.closest(".panel") ? "panel" : a.matches("button.l") ? "launcher" : a.tagName) : "outside";
  });
  for (const key of ["Tab", "Shift+Tab"]) {
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(key);
      assert.equal(await where(), "panel", `${key} #${i + 1} stays in the widget`);
    }
  }
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  assert.equal(await where(), "launcher");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a new question asked in the widget; an agent answers; the badge and My questions show it", { timeout: 120000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openDemo(page);
  await events(page);
  await page.locator("#chorus-tab-ask").click();
  const box = page.locator(".askp textarea");
  await box.waitFor();
  const text = unique("Can I bring a $ kayak to the $ store workshop?");
  await box.fill(text);
  await axe(page, "ask tab with a draft");
  await page.locator(".askp button.send").click();
  const outcome = page.locator(".outcome");
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-status"), "new");
  const said = await outcome.textContent();
  assert.match(said, /We usually answer within 2 hours\./);
  assert.match(said, /Our hours: Mon–Fri 9:00–18:00 CET/);
  await shot(page, "widget-ask-new.png");
  const asked = await page.evaluate(() => window.seen.asked);
  assert.equal(asked.length, 1);
  assert.equal(asked[0].text, text);
  assert.equal(asked[0].status, "new");
  const token = await page.evaluate(() => localStorage.getItem("chorus:askers:acme"));
  assert.match(token, /^[A-Za-z0-9]{16,}$/);

  // My questions lists it, waiting.
  await page.locator("#chorus-tab-mine").click();
  const mine = page.locator(`.mq[data-question="${asked[0].question_id}"]`);
  await mine.waitFor();
  assert.equal(await mine.getAttribute("data-status"), "open");
  await axe(page, "my questions (waiting)");

  // An agent answers through the API while the customer reads the feed.
  await page.locator("#chorus-tab-answered").click();
  const body = `Yes, bring it along.\n\nThe ${text.split(" ")[4]} workshop has room for kayaks.`;
  const r = await agent.call("POST", `/groups/${asked[0].group_id}/answer`, { body });
  assert.equal(r.status, 201, r.text);
  const badge = page.locator("#chorus-tab-mine .badge");
  await badge.waitFor({ timeout: 40000 });
  assert.equal(await page.locator("button.l").getAttribute("data-badge"), "1");
  assert.match(await page.locator("button.l").getAttribute("aria-label"), /new answers/);
  assert.equal((await page.evaluate(() => window.seen.answered)).map((d) => d.question_id).join(), asked[0].question_id);
  await shot(page, "widget-badge.png");

  await page.locator("#chorus-tab-mine").click();
  await mine.locator(".ans").waitFor();
  assert.equal(await mine.getAttribute("data-status"), "answered");
  assert.deepEqual(await mine.locator(".ab p").allTextContents(), body.split("\n\n"));
  assert.equal(await mine.locator(".who").textContent(), "Grace Hopper");
  assert.equal(await mine.locator(".av").textContent(), "GH");
  assert.equal(await badge.count(), 0, "seen: the badge is gone");
  assert.equal(await page.locator("button.l").getAttribute("data-badge"), null);
  await axe(page, "my questions (answered)");
  await shot(page, "widget-mine.png");

  // "Did this solve it?" → Yes counts as helpful in the brand's metrics.
  await mine.locator(".solved button.yes").click();
  await mine.locator(".solved [role=status]").waitFor();
  let helpful = 0;
  for (let i = 0; i < 50 && helpful === 0; i++) {
    helpful = (await agent.call("GET", `/groups/${asked[0].group_id}`)).json.group.helpful;
    if (helpful === 0) await page.waitForTimeout(100);
  }
  assert.equal(helpful, 1, "the click reached the edge");
  await axe(page, "my questions (rated)");

  // After a reload the answer is remembered as seen: no badge.
  await page.reload();
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  await page.waitForTimeout(1000);
  assert.equal(await page.locator("#chorus-tab-mine .badge").count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a repeat of an answered question shows the answer at once; the feed shows the group once with its count", { timeout: 120000 }, async () => {
  const text = unique("Do you ship $ tents to the $ islands?");
  const first = await ask("acme", text);
  assert.equal(first.status, 201, first.text);
  const g = first.json.group_id;
  const body = "Yes: island orders ship in 5–7 days.\n\n<b>Not bold</b> — answers are text.";
  assert.equal((await agent.call("POST", `/groups/${g}/answer`, { body })).status, 201);
  const second = await ask("acme", text);
  assert.equal(second.json.status, "answered");

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openDemo(page);
  await events(page);
  await page.locator("#chorus-tab-ask").click();
  await page.locator(".askp textarea").pressSequentially(text.slice(0, 30));
  await page.locator(".askp textarea").fill(text);
  // The suggestion: the answered group; reading it counts a deflection.
  const sg = page.locator(`.sg[data-group="${g}"]`);
  await sg.waitFor({ timeout: 15000 });
  const deflected = page.waitForRequest((r) => r.url().endsWith("/v1/acme/deflections") && r.method() === "POST");
  await sg.locator("button.show").click();
  assert.deepEqual((await deflected).postDataJSON(), { group_id: g });
  await sg.locator(".ans").waitFor();
  assert.equal(await sg.locator("b").count(), 0, "agent markup stays text");
  await axe(page, "ask tab with suggestions");
  await shot(page, "widget-ask-suggestions.png");

  await page.locator(".askp button.send").click();
  const outcome = page.locator(".outcome");
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-status"), "answered");
  assert.match(await outcome.textContent(), /Others asked this too/);
  assert.deepEqual(await outcome.locator(".ab p").allTextContents(), body.split("\n\n"));
  await axe(page, "ask outcome (answered)");
  await shot(page, "widget-ask-answered.png");

  // The feed: this group once, asked by 3 people.
  await page.locator("#chorus-tab-answered").click();
  const item = page.locator(`.qa[data-group="${g}"]`);
  await item.waitFor({ timeout: 15000 });
  const more = page.locator(".feed button.more");
  if (await more.count()) {
    const before = await page.locator(".feed .qa").count();
    await more.click();
    await page.waitForFunction((n) => document.querySelector("[data-chorus]").shadowRoot.querySelectorAll(".feed .qa").length > n, before);
  }
  assert.equal(await page.locator(`.qa[data-group="${g}"]`).count(), 1);
  assert.equal(await item.locator(".qq").textContent(), text);
  assert.equal(await item.locator(".cnt").textContent(), "Asked by 3 people");
  assert.equal(await item.locator(".who").textContent(), "Grace Hopper");
  assert.match(await item.locator(".when").textContent(), /just now|min ago/);
  const groups = await page.locator(".feed .qa").evaluateAll((els) => els.map((e) => e.dataset.group));
  assert.equal(new Set(groups).size, groups.length, "each group once");
  await axe(page, "answered feed");
  await shot(page, "widget-feed.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test('"this is my question too" joins a suggested open group; Chorus("ask") fills the box', { timeout: 120000 }, async () => {
  const text = unique("Can I pay for a $ backpack with $ vouchers?");
  const first = await ask("acme", text);
  assert.equal(first.status, 201, first.text);
  const g = first.json.group_id;
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openDemo(page);
  await events(page);
  await page.evaluate((t) => window.Chorus("ask", t), text);
  assert.equal(await page.locator("#chorus-tab-ask").getAttribute("aria-selected"), "true");
  assert.equal(await page.locator(".askp textarea").inputValue(), text);
  const sg = page.locator(`.sg[data-group="${g}"]`);
  await sg.waitFor({ timeout: 15000 });
  assert.match(await sg.locator(".cnt").textContent(), /Waiting for an answer/);
  await sg.locator("button.too").click();
  const outcome = page.locator(".outcome");
  await outcome.waitFor();
  assert.equal(await outcome.getAttribute("data-status"), "grouped");
  await page.waitForFunction(() =>
    /1 other person asked this; we'll answer here\./.test(document.querySelector("[data-chorus]").shadowRoot.querySelector(".outcome").textContent));
  const asked = await page.evaluate(() => window.seen.asked);
  assert.equal(asked[0].group_id, g);
  await axe(page, "ask outcome (grouped)");
  await shot(page, "widget-ask-grouped.png");
  assert.deepEqual(errors, []);
  await page.close();
});
