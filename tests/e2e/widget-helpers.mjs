// Helpers of the widget's language, direction and theme tests (not a test
// file itself): the demo page with extra script-tag attributes, keyboard
// focus inside the shadow root, axe-core on the widget, contrast ratios.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { BASE, REPO } from "../lib.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core on the widget (its shadow root; the demo page around it is not ours). */
export async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run({ include: [["[data-chorus]"]] }, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target) + " :: " + n.failureSummary) }));
  });
  assert.deepEqual(result, [], `axe violations on ${what}:\n${JSON.stringify(result, null, 2)}`);
}

/** Loads the demo page with `attrs` (e.g. `data-lang="es"`) added to its script tag. */
export async function demoWith(page, attrs) {
  await page.route(`${BASE}/`, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('data-brand="acme"', `data-brand="acme" ${attrs}`);
    await route.fulfill({ response, body });
  });
  await page.goto(`${BASE}/`);
  await page.locator("button.l").waitFor();
}

/** Class, id or tag of the focused element inside the widget's shadow root ("" when focus is elsewhere). */
export const focused = (page) => page.evaluate(() => {
  const a = document.querySelector("[data-chorus]").shadowRoot.activeElement;
  return a ? (a.id ? `#${a.id}` : a.className ? `.${a.className.split(" ").join(".")}` : a.tagName.toLowerCase()) : "";
});

/** Waits (≤ 2 s) until the focused widget element is `want`: focus moves in an animation frame. */
export async function focusIs(page, want) {
  for (let i = 0; i < 40 && (await focused(page)) !== want; i++) await page.waitForTimeout(50);
  assert.equal(await focused(page), want);
}

/** Presses `key` until the focused widget element matches `want`; fails after `max` presses. */
export async function tabTo(page, want, key = "Tab", max = 60) {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === want) return;
    await page.keyboard.press(key);
  }
  assert.equal(await focused(page), want, `${key} never reached ${want}`);
}

/** `key: "value"` pairs of one table (`EN`, `ES`) in widget/src/i18n.rs. */
export function stringsTable(name) {
  const src = readFileSync(`${REPO}/widget/src/i18n.rs`, "utf8");
  const block = src.split(`pub const ${name}: Strings = Strings {`)[1].split("\n};")[0];
  return Object.fromEntries([...block.matchAll(/^\s+(\w+): "((?:[^"\\]|\\.)*)",$/gm)].map((m) => [m[1], m[2]]));
}

/**
 * The widget's own words on screen: text nodes, aria-labels and
 * placeholders in the panel, leaving out brand and customer content
 * (brand name and greeting, questions, answers, article titles and bodies).
 */
export const uiTexts = (page) => page.evaluate(() => {
  const root = document.querySelector("[data-chorus]").shadowRoot;
  const content = ".title, .greeting, .qq, .ab, .rt, .rs, .article h3, .article .body, .asked, .who, .art";
  const out = [];
  const walk = document.createTreeWalker(root.querySelector(".panel"), NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n = walk.currentNode; n; n = walk.nextNode()) {
    if (n.nodeType === 3) {
      if (!n.parentElement.closest(content) && n.data.trim()) out.push(n.data.trim());
    } else {
      for (const a of ["aria-label", "placeholder", "title"]) if (n.getAttribute(a) && !n.matches(".panel")) out.push(n.getAttribute(a));
    }
  }
  return out;
});

/** WCAG contrast ratio of two CSS `rgb(…)` colours. */
export function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Loads the demo page with the widget of brand `slug` instead of acme and opens it. */
export async function openFor(page, slug) {
  await page.route(`${BASE}/`, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('data-brand="acme"', `data-brand="${slug}"`);
    await route.fulfill({ response, body });
  });
  await page.goto(`${BASE}/`);
  await page.locator("button.l").click();
  await page.locator(".search input").waitFor({ timeout: 15000 });
}

/** innerHTML of the first element matching `selector` inside the widget's shadow root. */
export const widgetHtml = (page, selector) => page.evaluate((s) =>
  document.querySelector("[data-chorus]").shadowRoot.querySelector(s)?.innerHTML, selector);
