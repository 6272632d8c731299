// The agents' console is served framing-proof, its hashed files cached for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE } from "../lib.mjs";

test("the console page cannot be framed and its hashed files are immutable", async () => {
  const page = await fetch(`${BASE}/console/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("x-frame-options"), "DENY");
  assert.match(page.headers.get("content-security-policy"), /frame-ancestors 'none'/);
  const html = await page.text();
  const files = [...html.matchAll(/\/console\/(c-[0-9a-f]{10}\.(?:js|wasm|css))/g)].map((m) => m[1]);
  assert.ok(files.length >= 2, `hashed files referenced: ${files}`);
  for (const f of files) {
    const r = await fetch(`${BASE}/console/${f}`);
    assert.equal(r.status, 200, f);
    assert.match(r.headers.get("cache-control"), /immutable/, f);
    await r.arrayBuffer();
  }
});
