// Knowledge-base search in the widget: ranked results with marked matches,
// typos and Spanish accents, keyboard use, the localStorage copy that makes
// reopening instant, ETag revalidation, the empty "ask" state, and the
// batch of searches that found nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, admin, ensureAcme, newBrand, serveHtml, demoKb } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";

let ctx;
before(async () => {
  await ensureAcme();
  ctx = await launch();
});
after(async () => ctx?.close());

/** Opens the demo page's widget and waits for the knowledge base. */
async function openDemo(page) {
  await page.goto(`${BASE}/`);
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  return page.locator(".search input");
}

const ids = (page) => page.locator(".results .result").evaluateAll((els) => els.map((e) => e.dataset.id));

/**
 * Types `q` key by key and waits until the first result is `id`, or (no
 * `id`) until the query has been searched: marked results or the empty
 * state. The search engine is a chunk fetched on the first query, and
 * until it is ready a query shows neither.
 */
async function search(page, q, id) {
  const input = page.locator(".search input");
  await input.fill("");
  await input.pressSequentially(q);
  if (id) await page.locator(`.results .result[data-id="${id}"]`).first().waitFor();
  await page.waitForFunction(
    ([want, id]) => {
      const root = document.querySelector("[data-chorus]").shadowRoot;
      const first = root.querySelector(".results .result");
      const searched = id
        ? first?.dataset.id === id
        : root.querySelector(".results .result mark") || root.querySelector(".search .empty");
      return root.querySelector(".search input").value === want && !!searched;
    },
    [q, id],
  );
}

test("typing shows ranked results with the matched words marked, announced to screen readers", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const input = await openDemo(page);
  assert.equal(await input.getAttribute("role"), "combobox");
  assert.equal(await input.getAttribute("aria-controls"), "chorus-results");
  assert.equal(await page.locator("#chorus-results").getAttribute("role"), "listbox");

  await search(page, "how long does shipping take", "shipping-times");
  const first = page.locator(".results .result").first();
  const marks = await first.locator("mark").allTextContents();
  assert.ok(marks.some((m) => /shipping/i.test(m)), `marks in the first result: ${marks}`);
  assert.ok((await first.locator(".rs").textContent()).length > 20, "a snippet of the body");
  const n = await page.locator(".results .result").count();
  assert.ok(n >= 1 && n <= 8);
  assert.equal(await page.locator(".sr[aria-live]").textContent(), n === 1 ? "1 result" : `${n} results`);
  assert.equal(await input.getAttribute("aria-expanded"), "true");

  // As you type: a prefix of the last word already finds the article.
  await search(page, "warra", "warranty-repairs");
  // Text from the knowledge base is text: markup in a query stays text.
  await search(page, "<b>returns</b> policy", "returns-policy");
  assert.equal(await page.locator(".results b").count(), 0);
  await search(page, "return policy", "returns-policy");
  await shot(page, "search-results.png");
  assert.deepEqual(errors, []);
  await page.close();
});

test("typos and Spanish accents find the right article, in both directions", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  await openDemo(page);
  await search(page, "devolucion", "es-devoluciones");
  assert.ok((await page.locator(".results .result").first().locator("mark").count()) > 0);
  await search(page, "devolución", "es-devoluciones");
  await search(page, "¿dónde está mi pedido?", "es-seguimiento-pedido");
  await search(page, "donde esta mi pedido", "es-seguimiento-pedido");
  await search(page, "waranty", "warranty-repairs");
  await search(page, "pasword reset", "account-password-reset");
  await search(page, "refund tiem", "refunds-timing");
  await page.close();
});

test("keyboard: arrows choose, Enter opens the article, Escape clears, a second Escape closes", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const input = await openDemo(page);
  await page.waitForFunction(() =>
    document.querySelector("[data-chorus]").shadowRoot.activeElement?.classList.contains("q"));
  await search(page, "jacket", null);
  const results = await ids(page);
  assert.ok(results.length >= 2, `two results for "jacket": ${results}`);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowUp");
  const selected = page.locator('.results .result[aria-selected="true"]');
  assert.equal(await selected.count(), 1);
  assert.equal(await selected.getAttribute("data-id"), results[1]);
  assert.equal(await input.getAttribute("aria-activedescendant"), "chorus-opt-1");
  await page.keyboard.press("Enter");
  const title = demoKb().articles.find((a) => a.id === results[1]).title;
  assert.equal(await page.locator(".article h3").textContent(), title);

  // Back to the results; Escape clears the query but keeps the panel open.
  await page.locator(".article .back").click();
  await page.waitForFunction(() =>
    document.querySelector("[data-chorus]").shadowRoot.activeElement?.classList.contains("q"));
  assert.equal(await input.inputValue(), "jacket");
  await page.keyboard.press("Escape");
  assert.equal(await input.inputValue(), "");
  assert.equal(await page.locator(".panel").isVisible(), true);
  assert.equal(await page.locator(".results .result").count(), demoKb().articles.length);
  await page.keyboard.press("Escape");
  await page.locator(".panel").waitFor({ state: "hidden" });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a query with no result offers to ask it; the Ask tab and chorus:ask get the question", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await openDemo(page);
  await page.evaluate(() => {
    window.asked = [];
    addEventListener("chorus:ask", (e) => window.asked.push(e.detail.text));
  });
  await search(page, "submarine rental", null);
  const empty = page.locator(".search .empty");
  await empty.waitFor();
  assert.equal((await empty.textContent()).trim(), "No results — ask this question");
  assert.equal(await page.locator(".results .result").count(), 0);
  assert.equal(await page.locator(".sr[aria-live]").textContent(), "No results");
  assert.equal(await page.locator(".search input").getAttribute("aria-expanded"), "false");
  await shot(page, "search-no-results.png");
  await empty.locator("button.ask").click();
  await page.locator(".askp textarea").waitFor();
  assert.equal(await page.locator("#chorus-tab-ask").getAttribute("aria-selected"), "true");
  assert.equal(await page.locator(".askp textarea").inputValue(), "submarine rental");
  assert.deepEqual(await page.evaluate(() => window.asked), ["submarine rental"]);
  await page.locator("#chorus-tab-search").click();
  assert.equal(await page.locator(".search input").inputValue(), "submarine rental");
  assert.deepEqual(errors, []);
  await page.close();
});

test("searches with no result are sent in one deduplicated batch of settled queries", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const batches = [];
  await page.route("**/v1/acme/searches/missed", async (route) => {
    const req = route.request();
    batches.push({ method: req.method(), type: req.headers()["content-type"], body: req.postDataJSON() });
    await route.fulfill({ status: 202, contentType: "application/json", body: JSON.stringify({ accepted: 1 }) });
  });
  await openDemo(page);
  // Settled (no typing for 1.5 s): counts, even though the customer then
  // finds something.
  await search(page, "  xylophone   quasar ", null);
  await page.waitForTimeout(1800);
  await search(page, "XYLOPHONE QUASAR", null);
  await page.waitForTimeout(1800);
  await search(page, "returns", "returns-policy");
  // Typed past without settling: the intermediate keystrokes never count.
  await search(page, "zeppelin parking", null);
  // Closing sends the batch at once, with the pending query.
  const sent = page.waitForRequest("**/v1/acme/searches/missed");
  await page.locator("button.close").click();
  await sent;
  // Usually one batch; a slow machine may have sent the first query on the
  // 10-second timer already.
  for (const b of batches) {
    assert.equal(b.method, "POST");
    assert.equal(b.type, "application/json");
  }
  assert.deepEqual(batches.flatMap((b) => b.body.queries), ["xylophone quasar", "zeppelin parking"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("before the edge has the endpoint, its 404 is ignored silently", { timeout: 90000 }, async () => {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.route("**/v1/acme/searches/missed", (route) =>
    route.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"not_found","message":"Not found."}}' }));
  await openDemo(page);
  await search(page, "xylophone quasar", null);
  const answered = page.waitForResponse("**/v1/acme/searches/missed");
  await page.locator("button.close").click();
  assert.equal((await answered).status(), 404);
  await page.locator("button.l").click();
  await page.locator(".search input").waitFor();
  assert.equal(await page.locator(".error").count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("reopening after a reload renders from localStorage; 304 keeps the index, a new ETag rebuilds it", { timeout: 90000 }, async () => {
  const slug = await newBrand();
  const put = (articles) => admin("PUT", `/v1/admin/brands/${slug}/kb`, { articles, replace: true });
  const kb = demoKb().articles.slice(0, 5);
  assert.equal((await put(kb)).status, 200);
  const site = await serveHtml(`<!doctype html><html><body>
    <script async src="${BASE}/embed.js" data-brand="${slug}"></script></body></html>`);
  const page = await ctx.newPage();
  try {
    await reopen(page, site, slug, put, kb);
  } finally {
    await page.close();
    await site.close();
  }
});

async function reopen(page, site, slug, put, kb) {
  const errors = watchErrors(page);
  const panel = page.locator(".panel");

  // First visit: fetched, indexed once, kept.
  await page.goto(site.url);
  await page.locator("button.l").click();
  await page.locator(".results .result").first().waitFor({ timeout: 15000 });
  const etag = await panel.getAttribute("data-kb-version");
  assert.ok(etag, "the ETag of the indexed knowledge base");
  assert.equal(await panel.getAttribute("data-kb-builds"), "1");
  const kept = await page.evaluate((k) => localStorage.getItem(k), `chorus:kb:${slug}`);
  assert.ok(kept?.startsWith(`${etag}\n{`), "ETag and body kept in localStorage");

  // Offline /kb: the reload still shows (and searches) the kept copy.
  await page.route(`**/v1/${slug}/kb`, (route) => route.abort("internetdisconnected"));
  await page.reload();
  await page.locator("button.l").click();
  await search(page, "return policy", "returns-policy");
  assert.equal(await page.locator(".error").count(), 0, "no error while a copy is shown");
  await page.unroute(`**/v1/${slug}/kb`);

  // Online again: revalidated with If-None-Match, 304, not rebuilt.
  await page.reload();
  const revalidated = page.waitForResponse(`**/v1/${slug}/kb`);
  await page.locator("button.l").click();
  const res = await revalidated;
  assert.equal(res.request().headers()["if-none-match"], etag);
  assert.equal(res.status(), 304);
  await page.locator(".results .result").first().waitFor();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  assert.equal(await panel.getAttribute("data-kb-builds"), "1", "the 304 kept the index built from the copy");
  assert.equal(await page.locator(".results .result").count(), kb.length);

  // The knowledge base changes: shown from the copy, then rebuilt once.
  const added = { id: "kayak-rental", title: "Do you rent kayaks?", body: "Yes, at the Utrecht store.", tags: [], lang: "en" };
  assert.equal((await put([...kb, added])).status, 200);
  await page.reload();
  await page.locator("button.l").click();
  await search(page, "kayak", "kayak-rental");
  assert.equal(await panel.getAttribute("data-kb-builds"), "2");
  assert.notEqual(await panel.getAttribute("data-kb-version"), etag);
  assert.deepEqual(errors, []);
}
