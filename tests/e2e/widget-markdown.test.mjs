// Answers and articles in the Markdown subset: the widget draws them with
// the console's renderer (chorus-ui), so bold, lists and safe links become
// elements, unsafe links stay text, and the console's previews are the
// widget's markup exactly. Links to articles: the console's answer box
// inserts them with its picker, the widget opens the article.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ask, newAgent, newBrand } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, focusIs, openFor, widgetHtml } from "./widget-helpers.mjs";
import { axe as consoleAxe, signIn, status } from "./console-helpers.mjs";

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
  await item.locator(".ab .md strong").waitFor({ timeout: 15000 });
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

test("an agent links an article from the answer box's picker; in the widget the link opens the article; an unknown id is text", { timeout: 120000 }, async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  for (const a of [{ id: "returns", title: "Returns policy", body: "Free returns for **30 days**." },
    { id: "sizes", title: "Size guide", body: "EU and US sizes side by side." }]) {
    const r = await agent.call("POST", "/kb", { ...a, tags: [], lang: "en" });
    assert.ok(r.status === 200 || r.status === 201, r.text);
  }
  const q = await ask(slug, "Can I send back shoes that do not fit?");
  assert.equal(q.status, 201, q.text);
  const g = q.json.group_id;

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await signIn(page, slug, agent.token);
  await page.locator(`.row a[data-group="${g}"]`).click();
  const box = page.locator("#answer-body");
  await box.waitFor({ timeout: 15000 });
  const before = "Yes. See ";
  await box.fill(`${before} for how. [Old page](article:gone)`);
  await box.evaluate((el, at) => { el.focus(); el.setSelectionRange(at, at); }, before.length);

  await page.locator(".link-article summary").click();
  await page.locator("#article-filter").fill("RETURN");
  await page.waitForFunction(() => document.querySelectorAll(".article-picks button").length === 1);
  const pick = page.locator(".article-picks button");
  assert.equal(await pick.textContent(), "Returns policy");
  await consoleAxe(page, "answer box with the article picker");
  await pick.click();
  const want = `${before}[Returns policy](article:returns) for how. [Old page](article:gone)`;
  assert.equal(await box.inputValue(), want);
  await status(page, /Link to .Returns policy. inserted/);
  await page.waitForFunction(() => document.activeElement?.id === "answer-body");
  assert.equal(await box.evaluate((el) => el.selectionStart), `${before}[Returns policy](article:returns)`.length);
  const preview = page.locator(".preview .md");
  await preview.locator('button.md-article[data-article="returns"]').waitFor();
  assert.equal(await preview.locator("button.md-article").count(), 1, "the unknown id is text");
  assert.match(await preview.textContent(), /for how\. Old page$/);
  const consoleHtml = await preview.evaluate((e) => e.innerHTML);
  await page.locator("#answer-submit").click();
  await status(page, /Answer sent/);

  const widget = await ctx.newPage();
  const werrors = watchErrors(widget);
  await openFor(widget, slug);
  await widget.locator("#chorus-tab-answered").click();
  const item = widget.locator(`.qa[data-group="${g}"]`);
  const link = item.locator('button.md-article[data-article="returns"]');
  await link.waitFor({ timeout: 15000 });
  assert.equal(await link.textContent(), "Returns policy");
  assert.equal(await item.locator('[data-article="gone"]').count(), 0);
  assert.equal(await widgetHtml(widget, `.qa[data-group="${g}"] .ab .md`), consoleHtml, "the console's preview is the widget's answer");
  await axe(widget, "feed with a link to an article");
  // By keyboard: the link is a button, Enter opens the article in Search.
  await link.focus();
  await widget.keyboard.press("Enter");
  await widget.locator(".article h3").waitFor();
  assert.equal(await widget.locator(".article h3").textContent(), "Returns policy");
  assert.equal(await widget.locator(".article .body .md strong").textContent(), "30 days");
  assert.equal(await widget.locator("#chorus-tab-search").getAttribute("aria-selected"), "true");
  await focusIs(widget, ".back");
  await axe(widget, "article opened from an answer");
  await shot(widget, "widget-article-link.png");
  assert.deepEqual(errors, []);
  assert.deepEqual(werrors, []);
  await page.close();
  await widget.close();
});
