// Answers and articles in the Markdown subset: the widget draws them with
// the console's renderer (chorus-ui), so bold, lists and safe links become
// elements, unsafe links stay text, and the console's previews are the
// widget's markup exactly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ask, newAgent, newBrand } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, openFor, widgetHtml } from "./widget-helpers.mjs";
import { signIn } from "./console-helpers.mjs";

let ctx;
before(async () => { ctx = await launch(); });
after(async () => ctx?.close());

test("an answer's bold, list and safe link are elements in the widget's feed; a javascript: link is text", { timeout: 90000 }, async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const q = await ask(slug, "How do returns work?");
  assert.equal(q.status, 201, q.text);
  const body = "**Free returns** within 30 days.\n\n- Print the label\n- Drop the parcel off\n\n"
    + "See [our policy](https://acme.example/returns) or [click me](javascript:window.__pwned=1).";
  const r = await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body });
  assert.equal(r.status, 201, r.text);

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openFor(page, slug);
  await page.locator("#chorus-tab-answered").click();
  const item = page.locator(`.qa[data-group="${q.json.group_id}"]`);
  await item.locator(".ab .md").waitFor({ timeout: 15000 });
  const md = item.locator(".ab .md");
  assert.equal(await md.locator("strong").textContent(), "Free returns");
  assert.deepEqual(await md.locator("ul > li").allTextContents(), ["Print the label", "Drop the parcel off"]);
  const links = md.locator("a");
  assert.equal(await links.count(), 1, "only the safe link is a link");
  assert.equal(await links.getAttribute("href"), "https://acme.example/returns");
  assert.equal(await links.getAttribute("rel"), "noopener nofollow");
  assert.equal(await links.getAttribute("target"), "_blank");
  assert.equal(await links.textContent(), "our policy");
  assert.equal(await md.locator("p").last().textContent(), "See our policy or click me.");
  assert.equal(await md.locator('[href^="javascript"]').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await axe(page, "feed with a Markdown answer");
  await shot(page, "widget-markdown-feed.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the console's knowledge-base preview is the widget's article view, element for element", { timeout: 120000 }, async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const body = "Returns are **free** for _30 days_.\nKeep the receipt.\n\n1. Pack it\n2. Print `RET-1`\n\n"
    + "```\nlabel --print\n```\n\n- Mail [help](mailto:help@acme.example)\n- or https://acme.example/help.";
  const made = await agent.call("POST", "/kb", { id: "returns", title: "Returns policy", body, tags: [], lang: "en" });
  assert.ok(made.status === 200 || made.status === 201, made.text);

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await signIn(page, slug, agent.token);
  await page.locator('a[href="#/kb"]').click();
  await page.locator('.article[data-article="returns"] button').first().click();
  const preview = page.locator(".preview .md");
  await preview.locator("ol").waitFor();
  const consoleHtml = await preview.evaluate((e) => e.innerHTML);

  const widget = await ctx.newPage();
  const werrors = watchErrors(widget);
  await openFor(widget, slug);
  await widget.locator(".search input").fill("returns");
  await widget.locator(".results .result").first().click();
  await widget.locator(".article .body .md ol").waitFor({ timeout: 15000 });
  const widgetMd = await widgetHtml(widget, ".article .body .md");
  assert.equal(widgetMd, consoleHtml);
  for (const part of ["<strong>free</strong>", "<em>30 days</em>", "<br>", "<ol>", "<code>RET-1</code>",
    "<pre><code>label --print</code></pre>", '<a href="mailto:help@acme.example" rel="noopener nofollow" target="_blank">help</a>']) {
    assert.ok(widgetMd.includes(part), `${part} in ${widgetMd}`);
  }
  await axe(widget, "article in the Markdown subset");
  await shot(widget, "widget-markdown-article.png");
  assert.deepEqual(errors, []);
  assert.deepEqual(werrors, []);
  await page.close();
  await widget.close();
});
