// Leads' routes: settings, the team, canned replies, and webhooks delivered
// to a local receiver with an HMAC-SHA256 signature, retried after a failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac } from "node:crypto";
import { api, ask, newAgent, newBrand, errorCode } from "../lib.mjs";

test("leads change the settings; agents read them; the widget's config follows at once", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { role: "lead" });
  const agent = await newAgent(slug, { name: "Al Agent" });
  await api("GET", `/v1/${slug}/config`); // warm the cache
  const read = await agent.call("GET", "/settings");
  assert.equal(read.status, 200);
  assert.equal(read.json.response_target_minutes, 240);
  const denied = await agent.call("PUT", "/settings", { color: "#000000" });
  assert.equal(denied.status, 403);
  assert.equal(errorCode(denied), "role_not_allowed");
  const put = await lead.call("PUT", "/settings", {
    color: "#7c3aed", hours: "Mon–Sat 8–20", private_followup: "privacy@shop.example", response_target_minutes: 30,
  });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.color, "#7c3aed");
  const config = await api("GET", `/v1/${slug}/config`);
  assert.equal(config.json.color, "#7c3aed");
  assert.equal(config.json.private_followup, "privacy@shop.example");
  assert.equal(config.json.response_target_minutes, 30);
  const bad = await lead.call("PUT", "/settings", { color: "purple" });
  assert.equal(bad.status, 400);
  const badOrigin = await lead.call("PUT", "/settings", { allowed_origins: ["not a url"] });
  assert.equal(badOrigin.status, 400);
  const audit = await lead.call("GET", "/audit?action=settings");
  assert.equal(audit.json.items[0].actor, lead.agent_id);
});

test("leads manage the team and canned replies; agents cannot", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { role: "lead", name: "Lea Lead" });
  const agent = await newAgent(slug);
  assert.equal((await agent.call("GET", "/agents")).status, 403);
  const created = await lead.call("POST", "/agents", { name: "New Person", role: "agent" });
  assert.equal(created.status, 201, created.text);
  const me = await api("GET", `/v1/${slug}/agent/me`, { headers: { authorization: `Bearer ${created.json.token}` } });
  assert.equal(me.json.name, "New Person");
  const team = await lead.call("GET", "/agents");
  assert.equal(team.json.agents.length, 3);
  assert.ok(team.json.agents.every((a) => !("token" in a)));
  const removed = await lead.call("DELETE", `/agents/${created.json.agent_id}`);
  assert.equal(removed.status, 204);
  const gone = await api("GET", `/v1/${slug}/agent/me`, { headers: { authorization: `Bearer ${created.json.token}` } });
  assert.equal(gone.status, 401);
  const self = await lead.call("DELETE", `/agents/${lead.agent_id}`);
  assert.equal(self.status, 409);

  const reply = await lead.call("POST", "/canned", { title: "Shipping times", body: "Hi {name}, it ships in 2 days." });
  assert.equal(reply.status, 201, reply.text);
  assert.equal((await agent.call("POST", "/canned", { title: "x", body: "y" })).status, 403);
  const list = await agent.call("GET", "/canned");
  assert.deepEqual(list.json.replies.map((r) => r.title), ["Shipping times"]);
  const edit = await lead.call("PUT", `/canned/${reply.json.id}`, { title: "Shipping", body: "Two days." });
  assert.equal(edit.json.body, "Two days.");
  assert.equal((await lead.call("DELETE", `/canned/${reply.json.id}`)).status, 204);
  assert.equal((await lead.call("DELETE", `/canned/${reply.json.id}`)).status, 404);
});

/** A local webhook receiver; `fail` answers 500 to the first n requests. */
async function receiver({ fail = 0 } = {}) {
  const got = [];
  let failures = fail;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end("try later");
        return;
      }
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  return { url, got, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

async function waitFor(what, pred, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await pred();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("webhooks: signed deliveries for created, answered and trending groups; a failure is retried", async () => {
  const slug = await newBrand();
  const lead = await newAgent(slug, { role: "lead" });
  const ok = await receiver();
  const flaky = await receiver({ fail: 1 });
  try {
    const hook = await lead.call("POST", "/webhooks", { url: ok.url, events: ["group.created", "group.answered", "group.trending"] });
    assert.equal(hook.status, 201, hook.text);
    assert.match(hook.json.secret, /^whsec_[0-9a-f]{32}$/);
    const retry = await lead.call("POST", "/webhooks", { url: flaky.url, events: ["group.answered"] });
    assert.equal(retry.status, 201);
    const listed = await lead.call("GET", "/webhooks");
    assert.ok(listed.json.webhooks.every((w) => w.secret === undefined), "the secret is shown once");
    const bad = await lead.call("POST", "/webhooks", { url: ok.url, events: ["group.exploded"] });
    assert.equal(bad.status, 400);

    const text = "Is the trail shoe sale still on?";
    const q = await ask(slug, text);
    await ask(slug, text);
    await ask(slug, text);
    await lead.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Until Sunday." });

    await waitFor("three events", () => ok.got.length >= 3);
    const events = ok.got.map((d) => d.headers["chorus-event"]);
    assert.deepEqual([...events].sort(), ["group.answered", "group.created", "group.trending"]);
    for (const d of ok.got) {
      const [t, v1] = d.headers["chorus-signature"].split(",").map((p) => p.split("=")[1]);
      const want = createHmac("sha256", hook.json.secret).update(`${t}.${d.body}`).digest("hex");
      assert.equal(v1, want, "valid HMAC-SHA256 signature");
      assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 120);
      const body = JSON.parse(d.body);
      assert.equal(body.brand, slug);
      assert.equal(body.data.group_id, q.json.group_id);
    }
    const answered = JSON.parse(ok.got.find((d) => d.headers["chorus-event"] === "group.answered").body);
    assert.equal(answered.data.answer.body, "Until Sunday.");

    await waitFor("the retried delivery", () => flaky.got.length >= 1);
    const log = await waitFor("delivered status", async () => {
      const r = await lead.call("GET", `/webhooks/${retry.json.id}/deliveries`);
      return r.json.deliveries[0]?.status === "delivered" ? r : null;
    });
    assert.equal(log.json.deliveries[0].attempts, 2, "failed once with 500, then delivered");
  } finally {
    await ok.close();
    await flaky.close();
  }
});
