// The walking skeleton's routes against real workerd: brands, config,
// knowledge base with ETag, error format, CORS, admin auth, static assets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, admin, newBrand, errorCode, BASE } from "../lib.mjs";

test("a new brand's config is served from its Durable Object", async () => {
  const slug = await newBrand({ color: "#112233", languages: ["es", "en"], response_target_minutes: 45 });
  const r = await api("GET", `/v1/${slug}/config`);
  assert.equal(r.status, 200);
  assert.equal(r.json.brand, slug);
  assert.equal(r.json.color, "#112233");
  assert.deepEqual(r.json.languages, ["es", "en"]);
  assert.equal(r.json.response_target_minutes, 45);
  assert.equal(typeof r.json.greeting, "string");
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
});

test("creating the same brand twice is a 409 conflict", async () => {
  const slug = await newBrand();
  const r = await admin("POST", "/v1/admin/brands", { slug, name: "Again", allowed_origins: [] });
  assert.equal(r.status, 409);
  assert.equal(errorCode(r), "brand_exists");
});

test("imported articles are listed by /kb with an ETag that changes with the content", async () => {
  const slug = await newBrand();
  const empty = await api("GET", `/v1/${slug}/kb`);
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json.articles, []);
  const imp = await admin("PUT", `/v1/admin/brands/${slug}/kb`, {
    articles: [
      { id: "returns", title: "Returns", body: "Within **30 days**.", tags: ["returns"], lang: "en" },
      { id: "devoluciones", title: "Devoluciones", body: "Tienes 30 días.", tags: [], lang: "es" },
    ],
  });
  assert.equal(imp.status, 200, imp.text);
  const kb = await api("GET", `/v1/${slug}/kb`);
  assert.equal(kb.status, 200);
  assert.deepEqual(kb.json.articles.map((a) => a.id).sort(), ["devoluciones", "returns"]);
  const es = kb.json.articles.find((a) => a.id === "devoluciones");
  assert.equal(es.lang, "es");
  assert.ok(es.updated_at > 0);
  const etag = kb.headers.get("etag");
  assert.ok(etag, "kb has an ETag");
  const again = await api("GET", `/v1/${slug}/kb`, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  await admin("PUT", `/v1/admin/brands/${slug}/kb`, { articles: [{ id: "x", title: "X", body: "Y" }] });
  const changed = await api("GET", `/v1/${slug}/kb`, { headers: { "if-none-match": etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), etag);
  assert.equal(changed.json.articles.length, 3);
});

test("an unknown brand is a 404 in the API's error format", async () => {
  const r = await api("GET", "/v1/no-such-brand-xyz/config");
  assert.equal(r.status, 404);
  assert.equal(errorCode(r), "unknown_brand");
  const bad = await api("GET", "/v1/NOT_A_SLUG/config");
  assert.equal(bad.status, 404);
  errorCode(bad);
});

test("admin routes refuse a missing or wrong token", async () => {
  const none = await api("POST", "/v1/admin/brands", { body: { slug: "zz-none", name: "x", allowed_origins: [] } });
  assert.equal(none.status, 401);
  assert.equal(errorCode(none), "unauthorized");
  const wrong = await api("POST", "/v1/admin/brands", {
    body: { slug: "zz-wrong", name: "x", allowed_origins: [] },
    headers: { authorization: "Bearer nope" },
  });
  assert.equal(wrong.status, 401);
  const created = await api("GET", "/v1/zz-wrong/config");
  assert.equal(created.status, 404, "nothing was created by the refused call");
});

test("bad admin input gets clear 4xx errors, never a 5xx", async () => {
  const cases = [
    [{ slug: "A", name: "x", allowed_origins: [] }, 400, "invalid_slug"],
    [{ slug: "ok-slug-1", name: "", allowed_origins: [] }, 400, "invalid_field"],
    [{ slug: "ok-slug-2", name: "x", allowed_origins: ["not a url"] }, 400, "invalid_origin"],
    [{ slug: "ok-slug-3", name: "x", allowed_origins: [], color: "red" }, 400, "invalid_color"],
    [{ slug: "ok-slug-4", name: "x", allowed_origins: [], languages: ["fr"] }, 400, "invalid_language"],
    [{ slug: "ok-slug-5", name: "x", allowed_origins: [], response_target_minutes: 0 }, 400, "invalid_response_target"],
    [{ name: "x" }, 400, "invalid_slug"],
  ];
  for (const [body, status, code] of cases) {
    const r = await admin("POST", "/v1/admin/brands", body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(errorCode(r), code);
  }
  const notJson = await api("POST", "/v1/admin/brands", {
    raw: "slug=x", headers: { authorization: `Bearer ${process.env.CHORUS_ADMIN_TOKEN}`, "content-type": "text/plain" },
  });
  assert.equal(notJson.status, 415);
  errorCode(notJson);
  const broken = await api("POST", "/v1/admin/brands", {
    raw: "{\"slug\":", headers: { authorization: `Bearer ${process.env.CHORUS_ADMIN_TOKEN}`, "content-type": "application/json" },
  });
  assert.equal(broken.status, 400);
  assert.equal(errorCode(broken), "invalid_json");
});

test("CORS preflight is answered for the API", async () => {
  const res = await fetch(`${BASE}/v1/acme/questions`, {
    method: "OPTIONS",
    headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(res.status, 204);
  assert.match(res.headers.get("access-control-allow-methods"), /POST/);
  assert.match(res.headers.get("access-control-allow-headers"), /content-type/);
});

test("embed.js and the hashed widget files are served cross-origin with the right caching", async () => {
  const embed = await fetch(`${BASE}/embed.js`);
  assert.equal(embed.status, 200);
  assert.equal(embed.headers.get("access-control-allow-origin"), "*");
  assert.match(embed.headers.get("cache-control"), /max-age=300/);
  const src = await embed.text();
  const files = [...src.matchAll(/\/w\/w-[0-9a-f]{10}\.(js|wasm|css)/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(files.map((f) => f.split(".").pop()))].sort(), ["css", "js", "wasm"]);
  for (const f of new Set(files)) {
    const r = await fetch(BASE + f);
    assert.equal(r.status, 200, f);
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    assert.match(r.headers.get("cache-control"), /immutable/);
    if (f.endsWith(".wasm")) assert.equal(r.headers.get("content-type"), "application/wasm");
  }
  const home = await fetch(`${BASE}/`);
  assert.equal(home.status, 200);
  const html = await home.text();
  assert.equal((html.match(/<script/g) ?? []).length, 1, "the demo page has exactly one script tag");
  assert.match(html, /<script async src="\/embed.js" data-brand="acme"><\/script>/);
});
