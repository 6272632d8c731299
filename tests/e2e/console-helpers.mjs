// Helpers of the console's browser tests (not a test file itself).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { BASE } from "../lib.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page; fails with the violations listed. */
export async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    // Evaluated through DevTools: the console's CSP allows no inline scripts.
    await page.evaluate(AXE);
  }
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
    }));
  });
  assert.deepEqual(result, [], `axe violations on ${what}:\n${JSON.stringify(result, null, 2)}`);
}

/** Opens the console for `slug` and signs in with `token`; waits for the header. */
export async function signIn(page, slug, token, { lang } = {}) {
  const q = new URLSearchParams({ brand: slug });
  if (lang) q.set("lang", lang);
  await page.goto(`${BASE}/console/?${q}`);
  await page.locator("#token").fill(token);
  await page.locator("form button[type=submit]").click();
  await page.locator(".me .name").waitFor({ timeout: 30000 });
}

/** Waits until the polite status line says something matching `re`. */
export async function status(page, re) {
  await page.locator(".status-line").filter({ hasText: re }).waitFor({ timeout: 15000 });
}

/** Reads a download triggered by `action` as text. */
export async function downloadText(page, action) {
  const [dl] = await Promise.all([page.waitForEvent("download"), action()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: readFileSync(path, "utf8") };
}

/** Collects Content-Security-Policy violations reported on the console. */
export function watchCsp(page) {
  const seen = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) seen.push(m.text()); });
  return seen;
}
