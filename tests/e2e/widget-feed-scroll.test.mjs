// The Answered feed pages by cursor on its own: when the end of the list
// scrolls into view inside the widget's tab panel, the next page loads (one
// request at a time), and nothing more is asked after the last page. The
// "Load more" button stays for keyboards and assistive technology.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ask, newAgent, newBrand } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, openFor } from "./widget-helpers.mjs";

let ctx;
before(async () => { ctx = await launch(); });
after(async () => ctx?.close());

// Thirteen unrelated questions: thirteen groups, more than the widget's page of 10.
const QUESTIONS = [
  "Do you ship to Canada?", "How do I reset my password?", "Can I pay with PayPal?",
  "Where is my order confirmation email?", "Do tents come with a warranty?",
  "What sizes do the hiking boots come in?", "Can I change my delivery address after ordering?",
  "Is there a student discount?", "How do I clean a down sleeping bag?",
  "Do you have a physical store in Berlin?", "Are your backpacks waterproof?",
  "Can I gift wrap an order?", "Why was my card declined?",
];

const count = (page) => page.evaluate(() =>
  document.querySelector("[data-chorus]").shadowRoot.querySelectorAll(".feed .qa").length);

test("the Answered feed loads its second page when the end of the list scrolls into view, without a click", { timeout: 120000 }, async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const groups = [];
  for (const text of QUESTIONS) {
    const q = await ask(slug, text);
    assert.equal(q.status, 201, q.text);
    groups.push(q.json.group_id);
  }
  assert.equal(new Set(groups).size, QUESTIONS.length, "one group per question");
  for (const [i, g] of groups.entries()) {
    const r = await agent.call("POST", `/groups/${g}/answer`, { body: `Answer number ${i + 1}.\n\nWith a second paragraph.` });
    assert.equal(r.status, 201, r.text);
  }

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const feedCalls = [];
  page.on("request", (r) => { if (r.url().includes(`/v1/${slug}/feed`)) feedCalls.push(r.url()); });
  await openFor(page, slug);
  await page.locator("#chorus-tab-answered").click();
  await page.waitForFunction(() =>
    document.querySelector("[data-chorus]").shadowRoot.querySelectorAll(".feed .qa").length >= 10, null, { timeout: 15000 });
  await page.waitForTimeout(600);
  assert.equal(await count(page), 10, "the end of the list is out of view: one page");
  assert.equal(feedCalls.length, 1);
  assert.equal(await page.locator(".feed button.more").count(), 1, "Load more stays for keyboards");
  await axe(page, "feed with more pages");

  // Scroll the tab panel (the scroll container in the shadow root) to its end.
  await page.evaluate(() => {
    const tp = document.querySelector("[data-chorus]").shadowRoot.querySelector(".tp");
    tp.scrollTop = tp.scrollHeight;
  });
  await page.waitForFunction((n) =>
    document.querySelector("[data-chorus]").shadowRoot.querySelectorAll(".feed .qa").length === n, QUESTIONS.length, { timeout: 15000 });
  await page.waitForTimeout(800);
  assert.equal(feedCalls.length, 2, `one request per page: ${feedCalls.join(" ")}`);
  assert.match(feedCalls[1], /[?&]cursor=/);
  const shown = await page.locator(".feed .qa").evaluateAll((els) => els.map((e) => e.dataset.group));
  assert.deepEqual([...shown].sort(), [...groups].sort(), "every group once");
  assert.equal(await page.locator(".feed button.more").count(), 0, "the last page: no Load more");
  assert.equal(await page.locator(".feed .end").count(), 0, "the last page: no sentinel");
  await axe(page, "feed, every page");
  await shot(page, "widget-feed-scrolled.png");
  assert.deepEqual(errors, []);
  await page.close();
});
