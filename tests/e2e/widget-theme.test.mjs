// The widget's colours: dark mode (prefers-color-scheme) on every view, and
// brand colours at both ends (very light, very dark) with the text colour
// picked automatically; axe-core (colour contrast included) finds nothing,
// and the contrast is computed here too from getComputedStyle.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ensureAcme, serveHtml } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, demoWith, contrast } from "./widget-helpers.mjs";

let ctx;
before(async () => {
  await ensureAcme();
  ctx = await launch();
});
after(async () => ctx?.close());

const colors = (loc) => loc.evaluate((e) => {
  const s = getComputedStyle(e);
  return { fg: s.color, bg: s.backgroundColor };
});

/** Relative luminance of a CSS `rgb(…)` colour (0 black … 1 white). */
const luminance = (c) => contrast(c, "rgb(0, 0, 0)") * 0.05 - 0.05;

async function open(page, attrs) {
  await demoWith(page, attrs);
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
}

test("dark mode: a dark panel and 0 axe violations on every view", { timeout: 120000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.emulateMedia({ colorScheme: "dark" });
  await open(page, "");
  const panel = await colors(page.locator(".panel"));
  assert.ok(luminance(panel.bg) < 0.05, `dark background: ${panel.bg}`);
  assert.ok(luminance(panel.fg) > 0.7, `light text: ${panel.fg}`);
  assert.ok(contrast(panel.fg, panel.bg) >= 7, "body text contrast");
  await axe(page, "search (dark)");
  await shot(page, "widget-dark-search.png");

  await page.locator(".search input").fill("refund");
  await page.locator(".results .result").first().waitFor();
  await axe(page, "search results (dark)");
  await page.locator(".results .result").first().click();
  await page.locator(".article h3").waitFor();
  await axe(page, "article (dark)");
  await shot(page, "widget-dark-article.png");

  await page.locator("#chorus-tab-answered").click();
  await page.locator(".feed").waitFor();
  await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-chorus]").shadowRoot.querySelector(".feed").textContent));
  await axe(page, "answered (dark)");
  await shot(page, "widget-dark-answered.png");

  await page.locator("#chorus-tab-ask").click();
  await page.locator(".askp textarea").fill("How long does a refund take?");
  await page.locator(".sgs").waitFor({ timeout: 15000 });
  await axe(page, "ask with suggestions (dark)");
  await shot(page, "widget-dark-ask.png");

  await page.locator("#chorus-tab-mine").click();
  await page.locator(".mine").waitFor();
  await axe(page, "my questions (dark)");
  await shot(page, "widget-dark-mine.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("dark mode: an error message stays readable", { timeout: 60000 }, async () => {
  const site = await serveHtml(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1></main>
    <script async src="${BASE}/embed.js" data-brand="no-such-brand"></script></body></html>`);
  const page = await ctx.newPage();
  try {
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(site.url);
    await page.locator("button.l").click();
    const error = page.locator(".error");
    await error.waitFor({ timeout: 15000 });
    const c = await colors(error);
    const panel = await colors(page.locator(".panel"));
    assert.ok(contrast(c.fg, panel.bg) >= 4.5, `${c.fg} on ${panel.bg}`);
    await axe(page, "error (dark)");
    assert.equal(await page.locator(".head .title").textContent(), "Help", "a title before the brand's name is known");
    await shot(page, "widget-dark-error.png");
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
    await site.close();
  }
});

for (const [color, scheme] of [["#ffee00", "light"], ["#111111", "light"], ["#ffee00", "dark"], ["#111111", "dark"]]) {
  test(`brand colour ${color} (${scheme}): launcher, header and buttons get readable text`, { timeout: 90000 }, async () => {
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: scheme });
    await open(page, `data-color="${color}"`);
    await page.locator("#chorus-tab-ask").click();
    await page.locator(".askp textarea").fill("Can I return boots I wore outside?");
    await page.locator(".askp .send:not([disabled])").waitFor();
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    for (const sel of ["button.l", ".head", ".head .title", ".askp .send"]) {
      const c = await colors(page.locator(sel));
      const bg = sel === ".head .title" ? (await colors(page.locator(".head"))).bg : c.bg;
      assert.equal(bg, `rgb(${r}, ${g}, ${b})`, `${sel} is drawn in the brand colour`);
      const ratio = contrast(c.fg, bg);
      assert.ok(ratio >= 4.5, `${sel}: ${c.fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
    await axe(page, `ask (${color}, ${scheme})`);
    await shot(page, `widget-color-${color.slice(1)}-${scheme}.png`);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
