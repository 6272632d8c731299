// Everything acknowledged survives a crash: this test runs its own workerd
// (wrangler dev) on its own state folder, kills it with SIGKILL, starts it
// again on the same folder and reads everything back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../lib.mjs";

const TOKEN = "restart-admin-token";

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function start(port, state, log) {
  const out = openSync(log, "a");
  const child = spawn(process.execPath, [
    join(REPO, "tests/node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port),
    "--persist-to", state, "--show-interactive-dev-session=false", "--log-level", "warn",
    "--var", `CHORUS_ADMIN_TOKEN:${TOKEN}`,
  ], {
    cwd: join(REPO, "edge"), detached: true, stdio: ["ignore", out, out],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_LOG_PATH: join(tmpdir(), "chorus-wrangler-logs") },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/embed.js`);
      if (r.ok) return { base, child };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(-child.pid, "SIGKILL");
  throw new Error(`workerd did not start; see ${log}`);
}

function kill(child) {
  return new Promise((resolve) => {
    child.once("exit", resolve);
    process.kill(-child.pid, "SIGKILL");
  });
}

test("state survives a workerd crash and restart", { timeout: 180_000 }, async () => {
  const state = mkdtempSync(join(tmpdir(), "chorus-restart-"));
  const log = join(REPO, "target/restart-workerd.log");
  const port = await freePort();
  let w = await start(port, state, log);
  const call = async (method, path, { body, headers = {} } = {}) => {
    const h = { ...headers };
    if (body !== undefined) h["content-type"] = "application/json";
    const r = await fetch(w.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : undefined };
  };
  try {
    const adminH = { authorization: `Bearer ${TOKEN}` };
    const origin = w.base;
    assert.equal((await call("POST", "/v1/admin/brands", { body: { slug: "crash", name: "Crash Co", allowed_origins: [origin] }, headers: adminH })).status, 201);
    const agent = (await call("POST", "/v1/admin/brands/crash/agents", { body: { name: "Mo Ali", role: "lead" }, headers: adminH })).json;
    const askH = (ip) => ({ origin, "cf-connecting-ip": ip });
    const a = (await call("POST", "/v1/crash/questions", { body: { text: "Can I change the colour of my order?" }, headers: askH("10.1.0.1") })).json;
    const b = (await call("POST", "/v1/crash/questions", { body: { text: "Can I change the colour of my order?" }, headers: askH("10.1.0.2") })).json;
    const c = (await call("POST", "/v1/crash/questions", { body: { text: "Do you deliver on Sundays?" }, headers: askH("10.1.0.3") })).json;
    assert.equal(b.group_id, a.group_id);
    const agentH = { authorization: `Bearer ${agent.token}` };
    const ans = await call("POST", `/v1/crash/agent/groups/${a.group_id}/answer`, { body: { body: "Yes, within 2 hours." }, headers: agentH });
    assert.equal(ans.status, 201);

    await kill(w.child);
    w = await start(port, state, log);

    const mineA = await call("GET", "/v1/crash/questions/mine", { headers: { authorization: `Asker ${a.asker_token}, ${c.asker_token}` } });
    assert.equal(mineA.status, 200);
    assert.deepEqual(mineA.json.questions.map((q) => [q.question_id, q.status]), [[c.question_id, "open"], [a.question_id, "answered"]]);
    assert.equal(mineA.json.questions[1].answer.body, "Yes, within 2 hours.");
    const feed = await call("GET", "/v1/crash/feed");
    assert.equal(feed.json.items.length, 1);
    assert.equal(feed.json.items[0].asked_count, 2);
    const groups = await call("GET", "/v1/crash/agent/groups?status=all", { headers: agentH });
    assert.equal(groups.status, 200, "the agent token still works");
    assert.equal(groups.json.groups.length, 2);
    // The duplicate index was rebuilt from SQLite: a repeat joins and gets the answer.
    const d = (await call("POST", "/v1/crash/questions", { body: { text: "Can I change the colour of my order?" }, headers: askH("10.1.0.4") })).json;
    assert.equal(d.status, "answered");
    assert.equal(d.group_id, a.group_id);
    const audit = await call("GET", "/v1/crash/agent/audit", { headers: agentH });
    assert.ok(audit.json.items.some((e) => e.action === "group.answer"));
  } finally {
    await kill(w.child);
    rmSync(state, { recursive: true, force: true });
  }
});
