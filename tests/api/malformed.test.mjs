// A generated set of malformed requests across every route: none may get a
// 5xx, and every error must be in API.md's format. A panic in the Worker
// would surface here as a 5xx (it kills the isolate).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN, BASE, ask, newAgent, newBrand } from "../lib.mjs";

const ROUTES = [
  ["GET", "/v1/{b}/config", "none"],
  ["GET", "/v1/{b}/kb", "none"],
  ["GET", "/v1/{b}/feed", "none"],
  ["GET", "/v1/{b}/suggest", "none"],
  ["POST", "/v1/{b}/questions", "none"],
  ["GET", "/v1/{b}/questions/mine", "asker"],
  ["POST", "/v1/{b}/groups/{g}/helpful", "none"],
  ["POST", "/v1/{b}/deflections", "none"],
  ["POST", "/v1/{b}/searches/missed", "none"],
  ["GET", "/v1/{b}/agent/me", "agent"],
  ["GET", "/v1/{b}/agent/groups", "agent"],
  ["GET", "/v1/{b}/agent/groups/{g}", "agent"],
  ["POST", "/v1/{b}/agent/groups/{g}/answer", "agent"],
  ["PUT", "/v1/{b}/agent/groups/{g}/answer", "agent"],
  ["POST", "/v1/{b}/agent/groups/{g}/merge", "agent"],
  ["POST", "/v1/{b}/agent/groups/{g}/split", "agent"],
  ["POST", "/v1/{b}/agent/groups/{g}/promote", "agent"],
  ["POST", "/v1/{b}/agent/questions/{q}/flag", "agent"],
  ["GET", "/v1/{b}/agent/kb", "agent"],
  ["POST", "/v1/{b}/agent/kb", "agent"],
  ["PUT", "/v1/{b}/agent/kb/{a}", "agent"],
  ["DELETE", "/v1/{b}/agent/kb/nonexistent", "agent"],
  ["GET", "/v1/{b}/agent/metrics", "agent"],
  ["GET", "/v1/{b}/agent/audit", "agent"],
  ["POST", "/v1/admin/brands", "admin"],
  ["POST", "/v1/admin/brands/{b}/agents", "admin"],
  ["PUT", "/v1/admin/brands/{b}/kb", "admin"],
];

const BAD_BODIES = [
  "{", "[]", "null", "\"text\"", "123", "{\"text\":", "{\"text\": null}", "{\"text\": []}",
  "{\"body\": 5}", "{\"from\": \"g1\"}", "{\"question_ids\": [1, 2]}", "{\"flag\": 7}",
  "{\"queries\": \"x\"}", "{\"slug\": \"A B\", \"name\": 1}", "{\"text\": \"\\ud800\"}",
  "[".repeat(5000) + "]".repeat(5000), "{\"text\": \"" + "x".repeat(20000) + "\"}",
  "{\"articles\": [{\"title\": \"\", \"body\": \"\"}]}", "{\"text\": \"hi\", \"group_id\": {\"$gt\": 1}}",
];
const BAD_IDS = ["g", "g-1", "g99999999999999999999999", "%00", "q1", "g1.5", "%E2%80%AE", "..", "g%20"];
const BAD_QUERIES = [
  "limit=-1", "limit=1e9", "limit=", "cursor=%FF%FE", "cursor=1_", "status=%00", "sort=evil",
  "from=2026-99-99", "to=yesterday", "q=" + "a".repeat(2000), "q=%F0%9F", "action=%25", "actor=' OR 1=1 --",
];

test("≥ 200 malformed requests get 0 responses with status 5xx, each error in API.md's format", async () => {
  const b = await newBrand();
  const agent = await newAgent(b);
  const q = await ask(b, "Do you ship to Peru?");
  const art = await agent.call("POST", "/kb", { title: "Shipping", body: "Worldwide." });
  const fill = (p, id) => p.replace("{b}", b).replace("{g}", id ?? q.json.group_id)
    .replace("{q}", id ?? q.json.question_id).replace("{a}", art.json.id);
  const auth = (kind) => ({
    agent: `Bearer ${agent.token}`, admin: `Bearer ${ADMIN}`, asker: `Asker ${q.json.asker_token}`, none: undefined,
  })[kind];

  const reqs = [];
  for (const [method, path, kind] of ROUTES) {
    const base = { method, url: fill(path), auth: auth(kind) };
    // Missing or wrong credentials.
    if (kind !== "none") {
      reqs.push({ ...base, auth: undefined });
      reqs.push({ ...base, auth: "Bearer wrong" });
      reqs.push({ ...base, auth: "Basic " + "z".repeat(500) });
    }
    if (method !== "GET" && method !== "DELETE") {
      for (const raw of BAD_BODIES) reqs.push({ ...base, raw, type: "application/json" });
      reqs.push({ ...base, raw: "text=hi", type: "application/x-www-form-urlencoded" });
      reqs.push({ ...base, raw: new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), type: "application/json" });
      reqs.push({ ...base, raw: "{}", type: undefined });
    } else {
      for (const qs of BAD_QUERIES) reqs.push({ ...base, url: `${base.url}?${qs}` });
    }
    if (path.includes("{g}") || path.includes("{q}")) {
      const body = method === "GET" ? {} : { raw: "{}", type: "application/json" };
      for (const id of BAD_IDS) reqs.push({ ...base, url: fill(path, id), ...body });
    }
    reqs.push({ ...base, method: "PATCH" });
  }
  for (const slug of ["ZZ", "a", "x".repeat(41), "no-such-brand-here", "a%2Fb", "%2e", "a_b"]) {
    reqs.push({ method: "GET", url: `/v1/${slug}/feed` });
    reqs.push({ method: "POST", url: `/v1/${slug}/questions`, raw: "{\"text\":\"hi\"}", type: "application/json" });
  }
  assert.ok(reqs.length >= 200, `only ${reqs.length} requests`);

  let n = 0;
  const bad = [];
  for (const r of reqs) {
    n++;
    const headers = { origin: BASE, "cf-connecting-ip": `10.250.${n >> 8}.${n & 255}` };
    if (r.auth) headers.authorization = r.auth;
    if (r.type) headers["content-type"] = r.type;
    const res = await fetch(BASE + r.url, { method: r.method, headers, body: r.raw });
    const text = await res.text();
    const where = `${r.method} ${r.url.slice(0, 80)} ${String(r.raw ?? "").slice(0, 40)} → ${res.status} ${text.slice(0, 120)}`;
    if (res.status >= 500) bad.push(where);
    else if (res.status >= 400) {
      let body;
      try { body = JSON.parse(text); } catch { body = undefined; }
      if (typeof body?.error?.code !== "string" || typeof body?.error?.message !== "string") bad.push(`format: ${where}`);
    }
  }
  assert.deepEqual(bad, [], `${bad.length} of ${reqs.length} went wrong`);
});
