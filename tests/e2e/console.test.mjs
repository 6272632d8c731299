// The agents' console at /console: sign-in, the queue, answering a group
// once for every asker, keyboard shortcuts, Spanish, accessibility.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, api, ask, mine, newAgent, newBrand } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, signIn, status, watchCsp } from "./console-helpers.mjs";

let ctx;
before(async () => { ctx = await launch(); });
after(async () => ctx?.close());

const WHERE = "Where is my order? It has not arrived yet";

test("the console is served at /console and /console/, apart from the widget bundle", async () => {
  for (const path of ["/console", "/console/"]) {
    const r = await fetch(`${BASE}${path}`);
    assert.equal(r.status, 200, path);
    const html = await r.text();
    assert.match(html, /\/console\/c-[0-9a-f]{10}\.js/);
    assert.match(html, /<script type="module" src="\/console\/c-[0-9a-f]{10}\.js"><\/script>/);
    assert.match(html, /script-src 'self' 'wasm-unsafe-eval'/, "a CSP without inline scripts");
    assert.doesNotMatch(html, /\/w\/w-/, "no widget files in the console page");
  }
  const embed = await (await fetch(`${BASE}/embed.js`)).text();
  assert.doesNotMatch(embed, /\/console\//, "the customer loader knows nothing of the console");
});

test("sign in: a wrong token gets a clear error, the right one shows the agent; sign out forgets it", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const csp = watchCsp(page);
  const wasm = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
  await page.goto(`${BASE}/console?brand=${slug}`);
  await page.locator("#token").waitFor({ timeout: 15000 });
  assert.equal(await page.locator("#brand").inputValue(), slug, "brand taken from ?brand=");
  assert.ok(wasm.every((p) => p.startsWith("/console/c-")), `only console wasm: ${wasm}`);
  await axe(page, "sign-in");
  await shot(page, "console-signin.png");

  await page.locator("#token").fill("not-a-real-token");
  await page.locator("form button[type=submit]").click();
  const alert = page.locator("[role=alert]");
  await alert.waitFor({ timeout: 15000 });
  assert.match(await alert.textContent(), /not valid for this brand/);
  assert.equal(await page.locator("#token").getAttribute("aria-invalid"), "true");

  await page.locator("#token").fill(agent.token);
  await page.locator("form button[type=submit]").click();
  await page.locator(".me .name").waitFor({ timeout: 15000 });
  assert.equal(await page.locator(".me .name").textContent(), "Grace Hopper");
  assert.equal(await page.locator(".me .initials").textContent(), "GH");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("chorus.token")), agent.token);

  // A reload keeps the session (sessionStorage), without asking again.
  await page.reload();
  await page.locator(".me .name").waitFor({ timeout: 15000 });

  await page.locator("button.signout").click();
  await page.locator("#token").waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("chorus.token")), null);
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, [], "no CSP violations");
  await page.close();
});

test("three repeated questions are one row with count 3; answering once reaches all three askers", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const asks = [];
  for (const [text, name] of [[WHERE, "Ann"], [WHERE.toLowerCase() + "??", "Bo"], [WHERE + "!", undefined]]) {
    const r = await ask(slug, text, { name });
    assert.equal(r.status, 201, r.text);
    asks.push(r.json);
  }
  const gid = asks[0].group_id;
  assert.ok(asks.every((a) => a.group_id === gid), "the edge grouped the repeats");
  const other = await ask(slug, "Do you ship to Canada?");

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const csp = watchCsp(page);
  await signIn(page, slug, agent.token);
  const rows = page.locator(".rows .row");
  await rows.first().waitFor({ timeout: 15000 });
  assert.equal(await rows.count(), 2, "one row per group");
  const row = page.locator(`.row a[data-group="${gid}"]`);
  assert.equal((await row.locator(".count .n").textContent()).trim(), "3");
  assert.match(await row.locator(".q").textContent(), /Where is my order/);
  assert.match(await row.locator(".sla").textContent(), /left|overdue/);
  assert.match(await row.locator(".age").textContent(), /first asked/);
  await axe(page, "queue");
  await shot(page, "console-queue.png");

  // Text filter, then status tabs.
  await page.locator("#q-filter").fill("canada");
  await page.locator(`.row a[data-group="${other.json.group_id}"]`).waitFor();
  await page.waitForFunction(() => document.querySelectorAll(".rows .row").length === 1);
  await page.locator("#q-filter").fill("");
  await page.waitForFunction(() => document.querySelectorAll(".rows .row").length === 2);

  // A question asked while the queue is open shows up without a reload.
  const late = await ask(slug, "Can I pay with PayPal?");
  await page.locator(`.row a[data-group="${late.json.group_id}"]`).waitFor({ timeout: 20000 });

  // Keyboard: j/k move, `a` opens the group with focus in the answer box.
  await page.locator("#main h1").focus();
  await page.keyboard.press("j");
  const focused = () => page.evaluate(() => document.activeElement?.dataset?.group);
  const first = await focused();
  assert.ok(first, "j focuses a row");
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  assert.equal(await focused(), first);
  // Move to the repeated group's row and answer it with `a`.
  const order = await page.locator(".rows .row a").evaluateAll((as) => as.map((a) => a.dataset.group));
  await page.locator(`.row a[data-group="${gid}"]`).focus();
  assert.equal(await focused(), gid);
  assert.ok(order.includes(gid));
  await page.keyboard.press("a");
  await page.waitForFunction(() => document.activeElement?.id === "answer-body", null, { timeout: 15000 });
  assert.equal(await page.locator(".question").count(), 3);
  const names = await page.locator(".question .asker").allTextContents();
  assert.deepEqual(names, ["Ann", "Bo", "Anonymous"]);
  assert.match(await page.locator("#answer-help").textContent(), /It reaches 3 askers\./);
  await axe(page, "group");

  const body = "It ships within **2 days**. Track it at https://acme.example/track.";
  await page.keyboard.type(body);
  assert.equal(await page.locator(".preview .md strong").textContent(), "2 days");
  assert.equal(await page.locator(".preview .md a").getAttribute("rel"), "noopener nofollow");
  await shot(page, "console-group.png");
  await page.locator("form button[type=submit].primary").click();
  await status(page, /Answer sent to 3 askers/);
  // The view is redrawn with the answer; focus stays on the button.
  await page.locator(".answer-current").waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "answer-submit", null, { timeout: 15000 });

  for (const a of asks) {
    const m = await mine(slug, a.asker_token);
    assert.equal(m.status, 200);
    assert.equal(m.json.questions[0].status, "answered");
    assert.equal(m.json.questions[0].answer.body, body);
    assert.equal(m.json.questions[0].answer.agent.name, "Grace Hopper");
  }

  // Editing keeps the first version in the history.
  await page.locator(".answer-current").waitFor();
  await page.locator("#answer-body").fill("It ships within **1 day** now.");
  await page.locator("form button[type=submit].primary").click();
  await status(page, /Answer sent to 3 askers/);
  await page.locator(".history summary").click();
  assert.match(await page.locator(".history li").first().textContent(), /2 days/);
  await axe(page, "group after answering");

  // A newer asker joins while the group is open: offered, not forced.
  const fourth = await ask(slug, WHERE + "??");
  assert.equal(fourth.json.group_id, gid);
  await page.locator("#show-changes").waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".question").count(), 3);
  await page.locator("#show-changes").click();
  await page.waitForFunction(() => document.querySelectorAll(".question").length === 4);

  // The answered group left the open queue.
  await page.locator("a.back").click();
  await page.locator(".rows .row").first().waitFor();
  assert.equal(await page.locator(`.row a[data-group="${gid}"]`).count(), 0);
  await page.locator('.tab[data-status="answered"]').click();
  await page.locator(`.row a[data-group="${gid}"]`).waitFor({ timeout: 15000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, [], "no CSP violations");
  await page.close();
});

test("the queue stops polling while the tab is hidden and refreshes when it comes back", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  await ask(slug, "Do you ship to Canada?");
  const page = await ctx.newPage();
  const polls = [];
  page.on("request", (r) => { if (r.url().includes("/agent/groups?")) polls.push(Date.now()); });
  await signIn(page, slug, agent.token);
  await page.locator(".rows .row").first().waitFor({ timeout: 15000 });
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
  await setHidden(true);
  await page.locator(".queue .muted", { hasText: "Updates paused" }).waitFor({ timeout: 10000 });
  const before = polls.length;
  const late = await ask(slug, "Can I pay with PayPal?");
  await new Promise((r) => setTimeout(r, 7000));
  assert.equal(polls.length, before, "no polls while hidden");
  assert.equal(await page.locator(`.row a[data-group="${late.json.group_id}"]`).count(), 0);
  await setHidden(false);
  await page.locator(`.row a[data-group="${late.json.group_id}"]`).waitFor({ timeout: 5000 });
  assert.ok(polls.length > before);
  await page.close();
});

test("Spanish: every label comes from the Spanish table, and the page says lang=es", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Ana Pérez" });
  const page = await ctx.newPage();
  await signIn(page, slug, agent.token, { lang: "es" });
  assert.equal(await page.evaluate(() => document.documentElement.lang), "es");
  assert.equal(await page.locator("#main h1").textContent(), "Cola");
  assert.equal(await page.locator("button.signout").textContent(), "Cerrar sesión");
  await page.locator("nav a[href='#/metrics']").click();
  await page.locator("#main h1", { hasText: "Métricas" }).waitFor();
  await axe(page, "metrics in Spanish");
  // Switching language back in the header.
  await page.locator("#lang").selectOption("en");
  await page.locator("#main h1", { hasText: "Metrics" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.close();
});

test("a revoked or wrong stored token returns to sign-in with the error", async () => {
  const slug = await newBrand();
  const page = await ctx.newPage();
  // The stale token is stored before the console starts: set from a page
  // of the same origin that is not the console (set from the console page
  // itself, it raced the console's own start, which could read it, show
  // the error and forget it before the reload).
  await page.goto(`${BASE}/v1/openapi.json`);
  await page.evaluate((s) => { sessionStorage.setItem("chorus.brand", s); sessionStorage.setItem("chorus.token", "stale"); }, slug);
  await page.goto(`${BASE}/console/?brand=${slug}`);
  await page.locator("[role=alert]").waitFor({ timeout: 30000 });
  assert.match(await page.locator("[role=alert]").textContent(), /not valid/);
  // Unknown brand.
  await page.locator("#brand").fill("no-such-brand-x");
  await page.locator("#token").fill("whatever");
  await page.locator("form button[type=submit]").click();
  await page.locator("[role=alert]", { hasText: /no brand|not valid/ }).waitFor({ timeout: 15000 });
  const r = await api("GET", `/v1/${slug}/agent/me`);
  assert.equal(r.status, 401);
  await page.close();
});
