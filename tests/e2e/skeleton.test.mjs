// One script tag → launcher in a Shadow DOM → widget wasm on click → articles
// from the brand's Durable Object. Also: a second origin, a hostile host page,
// and the Chorus() command queue.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ensureAcme, serveHtml, demoKb } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";

let ctx;
before(async () => {
  await ensureAcme();
  ctx = await launch();
});
after(async () => ctx?.close());

const tag = `<script async src="${BASE}/embed.js" data-brand="acme"></script>`;

test("demo page: the launcher loads the widget on click and lists the demo articles", async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const wasm = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url()); });
  await page.goto(`${BASE}/`);
  const launcher = page.locator("button.l");
  await launcher.waitFor();
  assert.equal(wasm.length, 0, "no wasm before the customer opens the widget");
  assert.equal(await page.evaluate(() => typeof window.Chorus), "function");
  await launcher.click();
  const results = page.locator(".results .result");
  await results.first().waitFor({ timeout: 15000 });
  assert.equal(wasm.length, 1, "wasm fetched once, on open");
  const titles = await results.allTextContents();
  const expected = demoKb().articles.map((a) => a.title);
  assert.equal(titles.length, expected.length);
  assert.deepEqual([...titles].sort(), [...expected].sort());
  assert.equal(await launcher.getAttribute("aria-expanded"), "true");
  await shot(page, "skeleton-demo-open.png");
  // Open an article, then close with Escape: focus returns to the launcher.
  await results.first().click();
  await page.locator(".article h3").waitFor();
  await page.keyboard.press("Escape");
  assert.equal(await page.locator(".panel").isHidden(), true);
  assert.equal(await page.evaluate(() => document.querySelector("[data-chorus]").shadowRoot.activeElement?.className), "l");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a brand page on another origin embeds the widget with the same tag", async () => {
  const site = await serveHtml(`<!doctype html><html><body><h1>Other shop</h1>${tag}</body></html>`);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(site.url);
  assert.notEqual(new URL(site.url).origin, new URL(BASE).origin);
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  assert.equal(await page.locator(".results .result").count(), demoKb().articles.length);
  assert.deepEqual(errors, []);
  await page.close();
  await site.close();
});

test("hostile host CSS neither breaks the widget nor is changed by it", async () => {
  const hostile = `<!doctype html><html><head><style>
    * { all: unset; font-size: 40px !important }
    button { display: none !important }
  </style></head><body><p id="host-p">Host paragraph</p><button id="host-b">Host button</button>${tag}</body></html>`;
  const site = await serveHtml(hostile);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(site.url);
  const hostStyle = () => page.evaluate(() => {
    const p = getComputedStyle(document.getElementById("host-p"));
    const b = getComputedStyle(document.getElementById("host-b"));
    return { pFont: p.fontSize, pFamily: p.fontFamily, pColor: p.color, bDisplay: b.display };
  });
  const before = await hostStyle();
  const launcher = page.locator("button.l");
  await launcher.waitFor();
  assert.ok(await launcher.isVisible(), "launcher visible despite button{display:none}");
  const box = await launcher.boundingBox();
  assert.ok(box.width >= 40 && box.width <= 80, `launcher keeps its size (${box.width})`);
  await launcher.click();
  const first = page.locator(".results .result").first();
  await first.waitFor({ timeout: 15000 });
  const font = await first.evaluate((el) => getComputedStyle(el).fontSize);
  assert.notEqual(font, "40px", "host font-size does not leak into the widget");
  assert.ok(parseFloat(font) < 20);
  await first.click();
  await page.locator(".article h3").waitFor();
  assert.deepEqual(await hostStyle(), before, "the widget does not change the host page");
  assert.equal(before.bDisplay, "none");
  assert.equal(before.pFont, "40px");
  await shot(page, "skeleton-hostile-css.png");
  assert.deepEqual(errors, []);
  await page.close();
  await site.close();
});

test("Chorus() calls made before the loader ran are queued and replayed", async () => {
  const site = await serveHtml(`<!doctype html><html><body>
    <script>window.Chorus = window.Chorus || function () { (Chorus.q = Chorus.q || []).push(arguments) }; Chorus("open");
      window.seen = []; addEventListener("chorus:open", () => seen.push("open"));</script>
    ${tag}</body></html>`);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(site.url);
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.seen), ["open"]);
  await page.evaluate(() => window.Chorus("close"));
  await page.locator(".panel").waitFor({ state: "hidden" });
  await page.evaluate(() => window.Chorus("search", "zzzz-no-match"));
  await page.locator(".panel").waitFor({ state: "visible" });
  assert.equal(await page.locator(".search input").inputValue(), "zzzz-no-match");
  assert.deepEqual(errors, []);
  await page.close();
  await site.close();
});

test("a broken embed (unknown brand) never throws on the host page", async () => {
  const site = await serveHtml(`<!doctype html><html><body>
    <script async src="${BASE}/embed.js" data-brand="no-such-brand"></script></body></html>`);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(site.url);
  await page.locator("button.l").click();
  await page.locator(".error").waitFor({ timeout: 15000 });
  assert.deepEqual(errors, []);
  await page.close();
  await site.close();
});
