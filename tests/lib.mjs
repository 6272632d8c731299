// Shared helpers for the API and browser suites. `cargo xtask test` starts a
// real workerd and passes its address in CHORUS_BASE.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export const BASE = process.env.CHORUS_BASE ?? "http://127.0.0.1:8787";
export const ADMIN = process.env.CHORUS_ADMIN_TOKEN ?? "";
export const REPO = process.env.CHORUS_REPO ?? new URL("..", import.meta.url).pathname;
export const ARTIFACTS = process.env.CHORUS_ARTIFACTS ?? `${REPO}/target/e2e`;

/** Calls the API; returns {status, headers, json, text}. */
export async function api(method, path, { body, headers = {}, raw } = {}) {
  const h = { ...headers };
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const res = await fetch(BASE + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json, text };
}

export const admin = (method, path, body) =>
  api(method, path, { body, headers: { authorization: `Bearer ${ADMIN}` } });

/** A fresh brand with a unique slug; returns its slug. */
export async function newBrand(extra = {}) {
  const slug = `t-${randomBytes(5).toString("hex")}`;
  const r = await admin("POST", "/v1/admin/brands", {
    slug, name: `Test ${slug}`, allowed_origins: [BASE], ...extra,
  });
  if (r.status !== 201) throw new Error(`brand: ${r.status} ${r.text}`);
  return slug;
}

/** The demo knowledge base shipped in www/demo/kb.json. */
export function demoKb() {
  return JSON.parse(readFileSync(`${REPO}/www/demo/kb.json`, "utf8"));
}

/** Creates `acme` like `cargo xtask demo` does (idempotent). */
export async function ensureAcme() {
  const r = await admin("POST", "/v1/admin/brands", {
    slug: "acme", name: "Acme Outfitters", allowed_origins: [BASE], color: "#0f766e",
    languages: ["en", "es"], hours: "Mon–Fri 9:00–18:00 CET", response_target_minutes: 120,
  });
  if (r.status !== 201 && r.status !== 409) throw new Error(`acme: ${r.status} ${r.text}`);
  const kb = await admin("PUT", "/v1/admin/brands/acme/kb", { ...demoKb(), replace: true });
  if (kb.status !== 200) throw new Error(`acme kb: ${kb.status} ${kb.text}`);
}

/** Asserts API.md's error format and returns the code. */
export function errorCode(r) {
  if (!r.json || typeof r.json.error?.code !== "string" || typeof r.json.error?.message !== "string") {
    throw new Error(`not an API error body (${r.status}): ${r.text}`);
  }
  return r.json.error.code;
}

/** Serves `html` on a second loopback origin (another port); returns {url, close}. */
export async function serveHtml(html) {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

let ipCounter = 0;
/** A distinct client address per call (local workerd keeps a client-sent CF-Connecting-IP). */
export function freshIp() {
  ipCounter += 1;
  return `10.${(process.pid >> 8) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** Asks a question as a customer on the brand's site (allowed Origin, own client address). */
export function ask(slug, text, { name, lang, group_id, token, ip, idempotencyKey, origin = BASE } = {}) {
  const headers = { origin, "cf-connecting-ip": ip ?? freshIp() };
  if (token) headers.authorization = `Asker ${token}`;
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  return api("POST", `/v1/${slug}/questions`, { body: { text, name, lang, group_id }, headers });
}

/** The asker's questions (tokens from earlier asks). */
export function mine(slug, ...tokens) {
  return api("GET", `/v1/${slug}/questions/mine`, { headers: { authorization: `Asker ${tokens.join(", ")}` } });
}

/** Creates an agent; returns {agent_id, token, call(method, path, body)} where path is under /v1/{slug}/agent. */
export async function newAgent(slug, { name = "Ada Lovelace", role = "agent", ...extra } = {}) {
  const r = await admin("POST", `/v1/admin/brands/${slug}/agents`, { name, role, ...extra });
  if (r.status !== 201) throw new Error(`agent: ${r.status} ${r.text}`);
  const { agent_id, token } = r.json;
  const call = (method, path, body) =>
    api(method, `/v1/${slug}/agent${path}`, { body, headers: { authorization: `Bearer ${token}` } });
  return { agent_id, token, call };
}
