// The console's leads' views: brand settings with a live widget preview,
// webhooks (secret shown once, delivery log), the team (a new agent signs
// in with the token shown once), saved replies; and what plain agents see.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { BASE, api, ask, newAgent, newBrand } from "../lib.mjs";
import { launch, watchErrors, shot } from "./browser.mjs";
import { axe, signIn, status, watchCsp } from "./console-helpers.mjs";

let ctx;
before(async () => { ctx = await launch(); });
after(async () => ctx?.close());

/** Opens a view of the signed-in console by its hash. */
async function open(page, hash, heading) {
  await page.locator(`nav a[href="${hash}"]`).click();
  await page.locator("#main h1", { hasText: heading }).waitFor({ timeout: 15000 });
}

test("settings: a lead edits with a live preview, sees clear errors, saves, and /config follows", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { name: "Lea Lead", role: "lead" });
  await api("GET", `/v1/${slug}/config`); // warm the cache: the save must purge it
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const csp = watchCsp(page);
  await signIn(page, slug, lead.token);
  await open(page, "#/settings", "Settings");
  await page.waitForFunction(() => document.querySelector("#set-name")?.value !== "", null, { timeout: 15000 });
  assert.equal(await page.locator("#set-target").inputValue(), "240");

  // The preview follows the unsaved form, with the widget's contrast rule.
  await page.locator("#set-name").fill("Trail Shop");
  await page.locator("#set-color").fill("#facc15");
  await page.locator("#set-greeting").fill("Hi! Ask us anything.");
  await page.locator("#set-hours").fill("Mon–Sat 8–20");
  await page.locator("#set-target").fill("45");
  await page.locator("#set-followup").fill("privacy@trail.example");
  const preview = page.locator("#widget-preview");
  assert.equal(await preview.locator(".wp-title").textContent(), "Trail Shop");
  assert.match(await preview.textContent(), /Hi! Ask us anything\..*Our hours: Mon–Sat 8–20.*within 45 min.*privacy@trail\.example/s);
  const head = await preview.locator(".wp-head").evaluate((e) => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]);
  assert.deepEqual(head, ["rgb(250, 204, 21)", "rgb(0, 0, 0)"], "a light colour gets black text, as in the widget");
  await page.locator("#set-color").fill("#7c3aed");
  assert.equal(await preview.locator(".wp-head").evaluate((e) => getComputedStyle(e).color), "rgb(255, 255, 255)");
  assert.match(await page.locator(".contrast").textContent(), /Contrast of the text on the colour: \d+\.\d:1/);
  assert.match(await page.locator(".unsaved").textContent(), /Unsaved changes/);
  // Spanish as the widget's default language: the preview speaks Spanish.
  await page.locator("#set-lang-es").check();
  await page.locator("#set-default-lang").selectOption("es");
  assert.match(await preview.locator(".wp-tabs").textContent(), /Buscar.*Respondidas/);

  // Errors: a bad colour is caught before sending; a bad origin by the edge.
  await page.locator("#set-color").fill("purple");
  await page.locator("#settings-save").click();
  await page.locator("#settings-error", { hasText: "#1a2b3c" }).waitFor();
  assert.equal(await page.locator("#set-color").getAttribute("aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "set-color");
  await page.locator("#set-color").fill("#7c3aed");
  await page.locator("#set-origins").fill(`${BASE}\nhttps://trail.example/shop`);
  await page.locator("#settings-save").click();
  await page.locator("#settings-error", { hasText: "trail.example/shop" }).waitFor({ timeout: 15000 });
  assert.equal(await page.locator("#set-origins").getAttribute("aria-invalid"), "true");
  await axe(page, "settings with an error");

  await page.locator("#set-origins").fill(`${BASE}\nhttps://trail.example`);
  await page.locator("#settings-save").click();
  await status(page, /Settings saved/);
  assert.equal(await page.locator("#set-color").getAttribute("aria-invalid"), "false");
  const config = await api("GET", `/v1/${slug}/config`);
  assert.equal(config.json.name, "Trail Shop");
  assert.equal(config.json.color, "#7c3aed");
  assert.equal(config.json.hours, "Mon–Sat 8–20");
  assert.equal(config.json.response_target_minutes, 45);
  assert.equal(config.json.private_followup, "privacy@trail.example");
  assert.deepEqual(config.json.languages, ["es", "en"]);
  const settings = await lead.call("GET", "/settings");
  assert.deepEqual(settings.json.allowed_origins, [BASE, "https://trail.example"]);
  assert.equal(await page.locator(".unsaved").textContent(), "");
  await axe(page, "settings");
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "console-settings.png");
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, [], "no CSP violations");
  await page.close();
});

/** A local webhook receiver. */
async function receiver() {
  const got = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => { got.push({ headers: req.headers, body }); res.writeHead(204).end(); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  return { url, got, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

test("webhooks: a lead adds one, sees its secret once, and its deliveries logged; then deletes it", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { name: "Lea Lead", role: "lead" });
  const hook = await receiver();
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  try {
    await signIn(page, slug, lead.token);
    await open(page, "#/webhooks", "Webhooks");
    await page.locator("text=No webhooks yet.").waitFor({ timeout: 15000 });
    await page.locator("#wh-url").fill(hook.url);
    await page.locator("#wh-ev-2").uncheck(); // no group.trending
    await page.locator("#wh-add").click();
    const secretBox = page.locator("#new-secret");
    await secretBox.waitFor({ timeout: 15000 });
    const secret = await secretBox.inputValue();
    assert.match(secret, /^whsec_[0-9a-f]{32}$/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "new-secret", "focus on the secret to copy");
    const row = page.locator(".hook", { hasText: hook.url });
    await row.waitFor();
    assert.match(await row.textContent(), /Group created, Group answered/);
    await axe(page, "webhooks with the new secret");
    await shot(page, "console-webhooks.png");
    const listed = await lead.call("GET", "/webhooks");
    assert.deepEqual(listed.json.webhooks[0].events, ["group.created", "group.answered"]);
    await page.locator(".once button.primary").click();
    assert.equal(await secretBox.count(), 0);
    await page.reload();
    await row.waitFor({ timeout: 15000 });
    assert.ok(!(await page.content()).includes(secret), "the secret is shown once");

    // A new question fires group.created; the log shows it delivered.
    await row.locator("button.show-deliveries").click();
    await row.locator("text=No deliveries yet.").waitFor({ timeout: 15000 });
    const q = await ask(slug, "Do the boots come in half sizes?");
    assert.equal(q.status, 201);
    const delivered = row.locator("tr.delivery[data-status=delivered]");
    await delivered.waitFor({ timeout: 30000 });
    assert.match(await delivered.textContent(), /Group created.*delivered.*1.*HTTP 204/s);
    assert.equal(hook.got.length, 1);
    const d = hook.got[0];
    const [t, v1] = d.headers["chorus-signature"].split(",").map((p) => p.split("=")[1]);
    assert.equal(v1, createHmac("sha256", secret).update(`${t}.${d.body}`).digest("hex"), "signed with the secret shown");
    assert.equal(JSON.parse(d.body).data.group_id, q.json.group_id);
    await axe(page, "webhook deliveries");
    await shot(page, "console-webhook-deliveries.png");

    // Record every announcement: the status line keeps only the latest one
    // (a background poll may announce after it), and fades after 8 s.
    await page.evaluate(() => {
      const line = document.querySelector(".status-line");
      window.__said = [line.textContent];
      new MutationObserver(() => window.__said.push(line.textContent)).observe(line, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await row.locator("button", { hasText: /^Delete$/ }).click();
    await row.locator("button.danger").click();
    await page
      .locator("text=No webhooks yet.")
      .waitFor({ timeout: 15000 })
      .catch(async (e) => {
        const shown = await page.locator("#wh-error").textContent({ timeout: 1000 }).catch(() => "no error shown");
        throw new Error(`the webhook was not removed from the list (${shown}): ${e.message}`);
      });
    await page
      .waitForFunction(() => window.__said.some((s) => /Webhook deleted/.test(s)), null, { timeout: 15000 })
      .catch(async (e) => {
        throw new Error(`"Webhook deleted" was never announced; said: ${JSON.stringify(await page.evaluate(() => window.__said))}: ${e.message}`);
      });
    assert.deepEqual((await lead.call("GET", "/webhooks")).json.webhooks, []);
    assert.deepEqual(errors, []);
  } finally {
    await hook.close();
    await page.close();
  }
});

test("team: a lead adds an agent by keyboard, who signs in with the token shown once; then removes them", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { name: "Lea Lead", role: "lead" });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await signIn(page, slug, lead.token);
  await open(page, "#/team", "Team");
  const me = page.locator(`.member[data-agent="${lead.agent_id}"]`);
  await me.waitFor({ timeout: 15000 });
  assert.match(await me.textContent(), /Lea Lead \(you\)/);
  assert.equal(await me.locator("button").count(), 0, "a lead cannot remove themselves");
  await page.locator("#agent-name").focus();
  await page.keyboard.type("Ada Lovelace");
  await page.keyboard.press("Enter");
  const tokenBox = page.locator("#new-token");
  await tokenBox.waitFor({ timeout: 15000 });
  const token = await tokenBox.inputValue();
  assert.match(token, /^chorus_agent_/);
  await status(page, /Agent added: Ada Lovelace/);
  const ada = page.locator(".member", { hasText: "Ada Lovelace" });
  await ada.waitFor();
  assert.equal(await ada.locator(".initials").textContent(), "AL");
  await axe(page, "team with the new token");
  await shot(page, "console-team.png");

  const other = await ctx.newPage();
  await signIn(other, slug, token);
  assert.equal(await other.locator(".me .name").textContent(), "Ada Lovelace");
  assert.equal(await other.locator(".me .role").textContent(), "Agent");
  await other.close();

  await page.locator(".once button.primary").click();
  await ada.locator("button.remove").click();
  await ada.locator("button.danger").click();
  await status(page, /Agent removed: Ada Lovelace/);
  await ada.waitFor({ state: "detached" });
  const gone = await api("GET", `/v1/${slug}/agent/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(gone.status, 401);
  assert.deepEqual(errors, []);
  await page.close();
});

test("saved replies: a lead writes one with {name}; an agent sees no lead controls and inserts it", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { name: "Lea Lead", role: "lead" });
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const q = (await ask(slug, "When will my order ship?", { name: "Ann" })).json;

  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await signIn(page, slug, lead.token);
  await open(page, "#/replies", "Saved replies");
  await page.locator("text=No saved replies yet.").waitFor({ timeout: 15000 });
  for (const [title, body] of [["Shiping", "Hi {name}, it ships in **2 days**."], ["Returns", "30 days."]]) {
    await page.locator("#reply-new").click();
    await page.locator("#reply-title").fill(title);
    await page.locator("#reply-body").fill(body);
    await page.locator("#reply-save").click();
    await status(page, new RegExp(`Reply saved: ${title}`));
  }
  const ship = page.locator(".reply", { hasText: "Shiping" });
  await ship.locator("button", { hasText: /^Edit$/ }).click();
  await page.locator("#reply-title").fill("Shipping");
  assert.equal(await page.locator(".editor .preview strong").textContent(), "2 days");
  await page.locator("#reply-save").click();
  await status(page, /Reply saved: Shipping/);
  const returns = page.locator(".reply", { hasText: "Returns" });
  await returns.locator("button", { hasText: /^Delete$/ }).click();
  await returns.locator("button.danger").click();
  await status(page, /Reply deleted/);
  await returns.waitFor({ state: "detached" });
  await axe(page, "saved replies (lead)");
  await shot(page, "console-replies.png");
  const list = await agent.call("GET", "/canned");
  assert.deepEqual(list.json.replies.map((r) => [r.title, r.body]), [["Shipping", "Hi {name}, it ships in **2 days**."]]);
  await page.close();

  // A plain agent: no lead views in the menu, none by address, no edit buttons.
  const ap = await ctx.newPage();
  await signIn(ap, slug, agent.token);
  for (const hash of ["#/team", "#/webhooks", "#/settings"]) {
    assert.equal(await ap.locator(`nav a[href="${hash}"]`).count(), 0, hash);
  }
  await ap.goto(ap.url().replace(/#.*$/, "") + "#/settings");
  await ap.locator("#main h1", { hasText: "Only a team lead can open this page." }).waitFor({ timeout: 15000 });
  assert.equal(await ap.locator("#set-name").count(), 0);
  await open(ap, "#/replies", "Saved replies");
  await ap.locator(".reply", { hasText: "Shipping" }).waitFor({ timeout: 15000 });
  assert.equal(await ap.locator("#reply-new, .reply button").count(), 0, "no editing controls for agents");
  await axe(ap, "saved replies (agent)");
  await ap.goto(ap.url().replace(/#.*$/, "") + `#/group/${q.group_id}`);
  await ap.locator("#canned-pick").waitFor({ timeout: 15000 });
  await ap.locator("#canned-insert").click();
  assert.equal(await ap.locator("#answer-body").inputValue(), "Hi Ann, it ships in **2 days**.");
  await ap.close();
  assert.deepEqual(errors, []);
});

test("the leads' views in Spanish", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { name: "Lea Lead", role: "lead" });
  const page = await ctx.newPage();
  await signIn(page, slug, lead.token, { lang: "es" });
  await open(page, "#/settings", "Ajustes");
  await page.locator("label[for=set-target]", { hasText: "Tiempo de respuesta prometido" }).waitFor();
  await open(page, "#/webhooks", "Webhooks");
  await page.locator("legend", { hasText: "Eventos" }).waitFor();
  assert.match(await page.locator("fieldset").textContent(), /Grupo creado.*Grupo respondido.*Grupo en tendencia/s);
  await open(page, "#/team", "Equipo");
  await page.locator("h2", { hasText: "Añadir un agente" }).waitFor();
  await open(page, "#/replies", "Respuestas guardadas");
  await axe(page, "saved replies in Spanish");
  await page.close();
});
