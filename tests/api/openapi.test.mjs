// The OpenAPI document lists every v1 route, and every route it lists
// answers (no 404 "no such route", no 405, no 5xx) with sensible input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { api, admin, ask, newAgent, newBrand, REPO, BASE } from "../lib.mjs";

test("/v1/openapi.json is the document in edge/api and is valid JSON", async () => {
  const r = await api("GET", "/v1/openapi.json");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /application\/json/);
  assert.equal(r.json.openapi, "3.1.0");
  assert.deepEqual(r.json, JSON.parse(readFileSync(`${REPO}/edge/api/openapi.json`, "utf8")));
});

test("every route in the OpenAPI document answers", async () => {
  const doc = (await api("GET", "/v1/openapi.json")).json;
  const slug = await newBrand();
  const agent = await newAgent(slug, { role: "lead" });
  const extra = await newAgent(slug, { name: "Temp Agent" });
  const q = await ask(slug, "Do you ship to Iceland?");
  const other = await ask(slug, "Can I pay by bank transfer?");
  const third = await ask(slug, "Is there a warranty on zips?");
  await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Yes." });
  const art = await agent.call("POST", "/kb", { title: "Shipping", body: "Worldwide." });
  const reply = await agent.call("POST", "/canned", { title: "Hi", body: "Hello {name}" });
  const hook = await agent.call("POST", "/webhooks", { url: "http://127.0.0.1:9/hook", events: ["group.created"] });
  const ids = {
    brand: slug, group_id: q.json.group_id, question_id: third.json.question_id, article_id: art.json.id,
    agent_id: extra.agent_id, reply_id: reply.json.id, webhook_id: hook.json.id,
  };
  const bodies = {
    "POST /v1/{brand}/questions": { text: "Do you ship to Greenland?" },
    "POST /v1/{brand}/deflections": { group_id: q.json.group_id },
    "POST /v1/{brand}/searches/missed": { queries: ["warranty"] },
    "POST /v1/{brand}/agent/groups/{group_id}/answer": { body: "Twice?" },
    "PUT /v1/{brand}/agent/groups/{group_id}/answer": { body: "Yes, in 5 days." },
    "POST /v1/{brand}/agent/groups/{group_id}/merge": { from: [other.json.group_id] },
    "POST /v1/{brand}/agent/groups/{group_id}/split": { question_ids: [q.json.question_id] },
    "POST /v1/{brand}/agent/groups/{group_id}/promote": {},
    "POST /v1/{brand}/agent/questions/{question_id}/flag": { flag: "clear" },
    "POST /v1/{brand}/agent/kb": { title: "Returns", body: "30 days." },
    "PUT /v1/{brand}/agent/kb/{article_id}": { title: "Shipping", body: "Worldwide, 5 days." },
    "POST /v1/admin/brands": { slug: `o-${Date.now().toString(36)}`, name: "OpenAPI", allowed_origins: [] },
    "POST /v1/admin/brands/{brand}/agents": { name: "Bo", role: "lead" },
    "PUT /v1/admin/brands/{brand}/kb": { articles: [] },
    "PUT /v1/admin/brands/{brand}/questions": { questions: [{ text: "Imported question?", group: "a" }] },
    "PUT /v1/{brand}/agent/settings": { hours: "24/7" },
    "POST /v1/{brand}/agent/agents": { name: "Cy", role: "agent" },
    "POST /v1/{brand}/agent/canned": { title: "Bye", body: "Bye {name}" },
    "PUT /v1/{brand}/agent/canned/{reply_id}": { title: "Hi", body: "Hi {name}" },
    "POST /v1/{brand}/agent/webhooks": { url: "http://127.0.0.1:9/other", events: ["group.answered"] },
  };
  let checked = 0;
  // Deletions last, so the other routes still find their objects.
  const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => [method.toUpperCase(), path]));
  ops.sort((a, b) => (a[0] === "DELETE") - (b[0] === "DELETE"));
  for (const [method, path] of ops) {
    const op = doc.paths[path][method.toLowerCase()];
    const url = path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(ids[k]));
    const query = path.endsWith("/suggest") ? "?q=ship" : "";
    const headers = { origin: BASE, "cf-connecting-ip": `10.9.0.${checked + 1}` };
    const sec = Object.keys((op.security ?? [])[0] ?? {})[0];
    if (sec === "agentToken") headers.authorization = `Bearer ${agent.token}`;
    if (sec === "adminToken") headers.authorization = `Bearer ${process.env.CHORUS_ADMIN_TOKEN}`;
    if (sec === "askerToken") headers.authorization = `Asker ${q.json.asker_token}`;
    const body = bodies[`${method} ${path}`];
    const r = await api(method, url + query, { body, headers });
    const where = `${method} ${path} → ${r.status} ${r.text.slice(0, 200)}`;
    assert.ok(r.status < 500, where);
    assert.notEqual(r.status, 405, where);
    assert.ok(!(r.status === 404 && r.json?.error?.code === "not_found"), where);
    const documented = Object.keys(op.responses).filter((s) => s !== "default");
    assert.ok(documented.includes(String(r.status)) || r.status === 409, where);
    checked++;
  }
  assert.ok(checked >= 37, `only ${checked} operations`);
});
