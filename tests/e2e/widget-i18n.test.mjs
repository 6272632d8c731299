// The widget in Spanish, driven by the keyboard only (every tab, a search,
// an article, a question), and in right-to-left layout: the words on screen
// come from the Spanish table in widget/src/i18n.rs, the root carries `lang`
// and `dir`, axe-core finds nothing on any view, a screenshot of each view
// is saved in target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { ensureAcme } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, demoWith, focusIs, tabTo, stringsTable, uiTexts } from "./widget-helpers.mjs";

let ctx;
before(async () => {
  await ensureAcme();
  ctx = await launch();
});
after(async () => ctx?.close());

const EN = stringsTable("EN");
const ES = stringsTable("ES");
/** English UI strings that differ in Spanish; none may show on a Spanish view. */
const english = Object.entries(EN)
  .filter(([k, v]) => k !== "lang" && v.trim().length >= 3 && v !== ES[k])
  .map(([, v]) => v.trim());

async function spanishOnly(page, what) {
  const texts = await uiTexts(page);
  assert.ok(texts.length > 3, `${what}: some UI text`);
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const left = english.filter((e) => texts.some((x) => new RegExp(`(?<![\\p{L}\\p{N}])${esc(e)}(?![\\p{L}\\p{N}])`, "u").test(x)));
  assert.deepEqual(left, [], `${what}: English left in ${JSON.stringify(texts)}`);
}

const root = (page) => page.locator(".chorus-root");

test("Spanish UI, keyboard only: every tab, a search, an article and a question", { timeout: 120000 }, async () => {
  assert.ok(english.length > 30, "the English table was read");
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await demoWith(page, 'data-lang="es"');
  const launcher = page.locator("button.l");
  assert.equal(await launcher.getAttribute("aria-label"), ES.open_help);

  // Tab through the page to the launcher; Enter opens the widget in the search box.
  await tabTo(page, ".l", "Tab", 80);
  await page.keyboard.press("Enter");
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  assert.equal(await root(page).getAttribute("lang"), "es");
  assert.equal(await root(page).getAttribute("dir"), "ltr");
  assert.equal(await page.evaluate(() => document.querySelector("[data-chorus]").shadowRoot.querySelector(".panel").matches(":lang(es)")), true);
  await focusIs(page, ".q");
  assert.deepEqual(await page.locator('[role="tablist"] [role="tab"]').allTextContents(),
    [ES.tab_search, ES.tab_answered, ES.tab_ask, ES.tab_mine]);
  assert.equal(await page.locator(".search input").getAttribute("placeholder"), ES.search);
  assert.equal(await page.locator(".close").getAttribute("aria-label"), ES.close);
  await spanishOnly(page, "search");
  await axe(page, "search (es)");
  await shot(page, "widget-es-search.png");

  // Search, arrows to a result, Enter opens it; Tab reaches "Volver", Enter goes back.
  await page.keyboard.type("devoluciones");
  await page.locator('.sr[role="status"]').filter({ hasText: /resultado/ }).waitFor();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.locator(".article h3").waitFor();
  assert.ok((await page.locator(".article h3").textContent()).length > 5);
  assert.equal(await page.locator(".article .back").textContent(), ES.back);
  await tabTo(page, ".back", "Tab", 10);
  await spanishOnly(page, "article");
  await axe(page, "article (es)");
  await shot(page, "widget-es-article.png");
  await page.keyboard.press("Enter");
  await page.locator(".search input").waitFor();
  await focusIs(page, ".q");

  // Shift+Tab from the box reaches the selected tab; the arrows walk the tabs.
  await tabTo(page, "#chorus-tab-search", "Shift+Tab", 5);
  await page.keyboard.press("ArrowRight");
  await page.locator(".feed").waitFor();
  await focusIs(page, "#chorus-tab-answered");
  await page.locator(".feed .qa, .feed .muted").first().waitFor({ timeout: 15000 });
  await page.waitForFunction(() => !document.querySelector("[data-chorus]").shadowRoot.querySelector(".feed").textContent.includes("Cargando"));
  await spanishOnly(page, "answered");
  await axe(page, "answered (es)");
  await shot(page, "widget-es-answered.png");

  await page.keyboard.press("ArrowRight");
  await page.locator(".askp textarea").waitFor();
  await focusIs(page, "#chorus-tab-ask");
  assert.equal(await page.locator(".askp .lbl").textContent(), ES.ask_label);
  await spanishOnly(page, "ask");
  await axe(page, "ask (es)");
  await shot(page, "widget-es-ask.png");

  // Ask a question with the keyboard: Tab to the box, type, Tab to Preguntar, Enter.
  await tabTo(page, "#chorus-ask", "Tab", 5);
  const text = `¿Puedo recoger una mochila ${randomInt(1000, 9999)} en la tienda de Utrecht el domingo ${randomInt(1000, 9999)}?`;
  await page.keyboard.type(text);
  await tabTo(page, ".send", "Tab", 10);
  await page.keyboard.press("Enter");
  const outcome = page.locator(".outcome");
  await outcome.waitFor({ timeout: 15000 });
  const status = await outcome.getAttribute("data-status");
  assert.ok(["new", "grouped"].includes(status), status);
  if (status === "new") assert.match(await outcome.textContent(), /Solemos responder en 2 horas\./);
  assert.match(await outcome.textContent(), /Mis preguntas|responderemos aquí/);
  await spanishOnly(page, "ask outcome");
  await axe(page, "ask outcome (es)");
  await shot(page, "widget-es-ask-outcome.png");

  // Back to the tablist, End → Mis preguntas lists the question.
  await tabTo(page, "#chorus-tab-ask", "Shift+Tab", 10);
  await page.keyboard.press("End");
  await focusIs(page, "#chorus-tab-mine");
  const mine = page.locator(".mq").filter({ hasText: text });
  await mine.waitFor({ timeout: 15000 });
  assert.equal(await mine.locator(".st").textContent(), ES.st_open);
  await spanishOnly(page, "my questions");
  await axe(page, "my questions (es)");
  await shot(page, "widget-es-mine.png");

  // Escape closes and gives the launcher its focus back.
  await page.keyboard.press("Escape");
  await page.locator(".panel").waitFor({ state: "hidden" });
  await focusIs(page, ".l");
  assert.deepEqual(errors, []);
  await page.close();
});

/** Left edge of each tab, in tab order. */
const tabLefts = (page) => page.locator('[role="tablist"] [role="tab"]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left));

test("right-to-left: an RTL language mirrors the panel; the launcher keeps its side", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await demoWith(page, 'data-lang="ar"');
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  assert.equal(await root(page).getAttribute("dir"), "rtl");
  assert.equal(await root(page).getAttribute("lang"), "en", "no Arabic table: English strings, marked as English");
  const style = (sel) => page.locator(sel).first().evaluate((e) => {
    const s = getComputedStyle(e);
    return { direction: s.direction, textAlign: s.textAlign };
  });
  assert.equal((await style(".panel")).direction, "rtl");
  assert.equal((await style(".result")).direction, "rtl");
  const lefts = await tabLefts(page);
  assert.ok(lefts[0] > lefts[lefts.length - 1], `first tab right of the last: ${lefts}`);
  // Title to the right of the close button inside the head.
  const title = await page.locator(".head .title").boundingBox();
  const close = await page.locator(".head .close").boundingBox();
  assert.ok(title.x > close.x, "the close button moves to the left");
  // English text in the mirrored panel keeps its reading order: "?" ends the greeting on the right.
  const ends = await page.locator(".head .greeting").evaluate((el) => {
    const text = el.firstChild, r = document.createRange();
    const x = (i) => { r.setStart(text, i); r.setEnd(text, i + 1); return r.getBoundingClientRect().left; };
    return { text: text.data, first: x(0), last: x(text.data.length - 1) };
  });
  assert.ok(ends.text.endsWith("?") && ends.last > ends.first, `"${ends.text}" reads left to right: ${ends.first} < ${ends.last}`);
  // The launcher and the panel stay on the data-position side (right by default).
  const vw = page.viewportSize().width;
  const l = await page.locator("button.l").boundingBox();
  const p = await page.locator(".panel").boundingBox();
  assert.ok(l.x > vw / 2 && p.x > vw / 2, `launcher ${l.x} and panel ${p.x} stay right`);
  await axe(page, "search (rtl)");
  await shot(page, "widget-rtl-search.png");

  // Arrows follow the reading direction's order in the DOM; each view passes axe.
  await page.locator("#chorus-tab-answered").click();
  await page.locator(".feed").waitFor();
  await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-chorus]").shadowRoot.querySelector(".feed").textContent));
  await axe(page, "answered (rtl)");
  await page.locator("#chorus-tab-ask").click();
  await page.locator(".askp textarea").fill("How do I return a jacket?");
  assert.equal((await style(".askp textarea")).direction, "rtl");
  await axe(page, "ask (rtl)");
  await shot(page, "widget-rtl-ask.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("data-dir forces the direction: Spanish strings laid out right to left, and left-positioned", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await demoWith(page, 'data-lang="es" data-dir="rtl" data-position="left"');
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  assert.equal(await root(page).getAttribute("dir"), "rtl");
  assert.equal(await root(page).getAttribute("lang"), "es");
  const lefts = await tabLefts(page);
  assert.ok(lefts[0] > lefts[lefts.length - 1], `first tab right of the last: ${lefts}`);
  const vw = page.viewportSize().width;
  const l = await page.locator("button.l").boundingBox();
  const p = await page.locator(".panel").boundingBox();
  assert.ok(l.x < vw / 2 && p.x < vw / 2, `launcher ${l.x} and panel ${p.x} stay left`);
  await axe(page, "search (es, rtl)");
  await shot(page, "widget-rtl-es-left.png");
  assert.deepEqual(errors, []);
  await page.close();
});
