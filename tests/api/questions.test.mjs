// Asking, grouping, answering once for everyone: the public and agent
// routes of API.md against real workerd and its SQLite Durable Objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, admin, ask, mine, newAgent, newBrand, errorCode, freshIp, BASE } from "../lib.mjs";

const WHERE = "Where is my order? It has not arrived yet";

test("a repeated question joins the group; one answer reaches every asker and later askers get it at once", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Grace Hopper" });
  const a = await ask(slug, WHERE, { name: "Ann" });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.status, "new");
  assert.match(a.json.asker_token, /^[0-9a-f]{32}$/);
  assert.match(a.json.question_id, /^q\d+$/);
  const b = await ask(slug, "where is my order?? it has not arrived yet");
  assert.equal(b.json.status, "grouped");
  assert.equal(b.json.group_id, a.json.group_id);
  assert.equal(a.json.asked_count, 1);
  assert.equal(b.json.asked_count, 2);

  const before = await mine(slug, a.json.asker_token, b.json.asker_token);
  assert.equal(before.status, 200);
  assert.deepEqual(before.json.questions.map((q) => q.status), ["open", "open"]);

  const ans = await agent.call("POST", `/groups/${a.json.group_id}/answer`, { body: "It ships within **2 days**." });
  assert.equal(ans.status, 201, ans.text);
  assert.equal(ans.json.reached, 2);
  assert.equal(ans.json.answer.agent.name, "Grace Hopper");
  assert.equal(ans.json.answer.agent.initials, "GH");

  for (const t of [a.json.asker_token, b.json.asker_token]) {
    const m = await mine(slug, t);
    assert.equal(m.json.questions.length, 1);
    assert.equal(m.json.questions[0].status, "answered");
    assert.equal(m.json.questions[0].answer.body, "It ships within **2 days**.");
  }
  const c = await ask(slug, "Where is my order? It has not arrived yet!");
  assert.equal(c.json.status, "answered");
  assert.equal(c.json.group_id, a.json.group_id);
  assert.equal(c.json.answer.body, "It ships within **2 days**.");
  assert.equal(c.json.asked_count, 3);

  const feed = await api("GET", `/v1/${slug}/feed`);
  assert.equal(feed.status, 200);
  assert.equal(feed.json.items.length, 1, "the group appears once");
  assert.equal(feed.json.items[0].asked_count, 3);
  assert.equal(feed.json.items[0].question, WHERE);
  assert.equal(feed.json.items[0].answer.agent.name, "Grace Hopper");
  assert.equal(feed.json.next_cursor, null);
});

test("questions with personal data are private: never in the feed or suggestions, visible to agents", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const secret = "ann.smith@example.com";
  const p = await ask(slug, `Can you change the email on my account to ${secret}? Where is my order?`);
  assert.equal(p.status, 201);
  assert.equal(p.json.status, "private");
  const card = await ask(slug, "I paid with 4111 1111 1111 1111 and was charged twice");
  assert.equal(card.json.status, "private");
  // Answering the private group reaches only its asker.
  const ans = await agent.call("POST", `/groups/${p.json.group_id}/answer`, { body: "Done, check your inbox." });
  assert.equal(ans.status, 201, ans.text);
  const feed = await api("GET", `/v1/${slug}/feed`);
  assert.ok(!feed.text.includes(secret) && !feed.text.includes("4111"), feed.text);
  assert.equal(feed.json.items.length, 0);
  const sug = await api("GET", `/v1/${slug}/suggest?q=${encodeURIComponent("change the email on my account")}`);
  assert.ok(!sug.text.includes(secret), sug.text);
  const list = await agent.call("GET", "/groups?status=private");
  assert.equal(list.json.groups.length, 2);
  const detail = await agent.call("GET", `/groups/${card.json.group_id}`);
  assert.deepEqual(detail.json.questions[0].personal_data, ["card"]);
  const m = await mine(slug, p.json.asker_token);
  assert.equal(m.json.questions[0].status, "private");
  assert.equal(m.json.questions[0].answer.body, "Done, check your inbox.");
  // A repeat of a private question never joins it.
  const again = await ask(slug, `Can you change the email on my account to ${secret}? Where is my order?`);
  assert.notEqual(again.json.group_id, p.json.group_id);
});

test("spam is rejected, kept for agents under 'flagged', and never published", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const r = await ask(slug, "BUY CHEAP PILLS http://spam.example http://spam.example/2 http://spam.example/3");
  assert.equal(r.status, 201);
  assert.equal(r.json.status, "rejected");
  const flagged = await agent.call("GET", "/groups?status=flagged");
  assert.equal(flagged.json.groups.length, 1);
  const open = await agent.call("GET", "/groups?status=open");
  assert.equal(open.json.groups.length, 0);
});

test("writes need one of the brand's origins", async () => {
  const slug = await newBrand();
  const foreign = await ask(slug, "Do you ship to Canada?", { origin: "https://evil.example" });
  assert.equal(foreign.status, 403);
  assert.equal(errorCode(foreign), "origin_not_allowed");
  const none = await api("POST", `/v1/${slug}/questions`, { body: { text: "Do you ship to Canada?" } });
  assert.equal(none.status, 403);
  assert.equal(errorCode(none), "origin_not_allowed");
  const agent = await newAgent(slug);
  const groups = await agent.call("GET", "/groups?status=all");
  assert.equal(groups.json.groups.length, 0, "nothing was stored");
});

test("an agent token of one brand is refused by another brand", async () => {
  const a = await newBrand();
  const b = await newBrand();
  const agentA = await newAgent(a);
  const r = await api("GET", `/v1/${b}/agent/groups`, { headers: { authorization: `Bearer ${agentA.token}` } });
  assert.equal(r.status, 401);
  assert.equal(errorCode(r), "unauthorized");
  const none = await api("GET", `/v1/${a}/agent/groups`);
  assert.equal(none.status, 401);
  const me = await agentA.call("GET", "/me");
  assert.equal(me.status, 200);
  assert.equal(me.json.brand, a);
  assert.equal(me.json.role, "agent");
});

test("a retried ask with the same Idempotency-Key is stored once and answered the same", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const ip = freshIp();
  const first = await ask(slug, "Can I pay with PayPal?", { idempotencyKey: "retry-123", ip });
  const again = await ask(slug, "Can I pay with PayPal?", { idempotencyKey: "retry-123", ip });
  assert.equal(first.status, 201);
  assert.equal(again.status, 201);
  assert.deepEqual(again.json, first.json);
  assert.equal(again.headers.get("idempotent-replay"), "true");
  const g = await agent.call("GET", `/groups/${first.json.group_id}`);
  assert.equal(g.json.questions.length, 1);
  const bad = await ask(slug, "Can I pay with PayPal?", { idempotencyKey: "x".repeat(101) });
  assert.equal(bad.status, 400);
  assert.equal(errorCode(bad), "invalid_idempotency_key");
});

test("100 concurrent identical asks end in one group of 100", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const text = "Do you have the trail shoes in size 44?";
  const all = await Promise.all(Array.from({ length: 100 }, () => ask(slug, text)));
  assert.deepEqual([...new Set(all.map((r) => r.status))], [201]);
  const groups = new Set(all.map((r) => r.json.group_id));
  assert.equal(groups.size, 1);
  assert.equal(all.filter((r) => r.json.status === "new").length, 1);
  const g = await agent.call("GET", `/groups/${[...groups][0]}`);
  assert.equal(g.json.group.asked_count, 100);
  assert.equal(g.json.questions.length, 100);
  assert.equal(new Set(all.map((r) => r.json.question_id)).size, 100);
});

test("bad questions get API.md errors and store nothing", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const h = { origin: BASE, "cf-connecting-ip": freshIp() };
  const cases = [
    [{ text: "   " }, 400, "question_empty"],
    [{ text: "x".repeat(1001) }, 400, "question_too_long"],
    [{ text: "Hi there", lang: "fr" }, 400, "invalid_language"],
    [{ text: "Hi there", group_id: "nope" }, 404, "unknown_group"],
    [{ text: "Hi there", group_id: "g999999" }, 404, "unknown_group"],
    [{ nottext: 1 }, 400, "invalid_json"],
    [{ text: 42 }, 400, "invalid_json"],
  ];
  for (const [body, status, code] of cases) {
    const r = await api("POST", `/v1/${slug}/questions`, { body, headers: h });
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 60)} → ${r.text}`);
    assert.equal(errorCode(r), code);
  }
  const big = await api("POST", `/v1/${slug}/questions`, { raw: JSON.stringify({ text: "a".repeat(17000) }), headers: { ...h, "content-type": "application/json" } });
  assert.equal(big.status, 413);
  const notJson = await api("POST", `/v1/${slug}/questions`, { raw: "text=hi", headers: { ...h, "content-type": "application/x-www-form-urlencoded" } });
  assert.equal(notJson.status, 415);
  const broken = await api("POST", `/v1/${slug}/questions`, { raw: "{\"text\": ", headers: { ...h, "content-type": "application/json" } });
  assert.equal(broken.status, 400);
  assert.equal(errorCode(broken), "invalid_json");
  const exact = await ask(slug, "x".repeat(1000));
  assert.equal(exact.status, 201, "1000 characters is allowed");
  const all = await agent.call("GET", "/groups?status=all");
  assert.equal(all.json.groups.length, 1, "only the valid question was stored");
});

test("a customer who confirms a suggested group joins it", async () => {
  const slug = await newBrand();
  const a = await ask(slug, "How long does shipping to Germany take?");
  const other = await ask(slug, "delivery time Berlin??", { group_id: a.json.group_id });
  assert.equal(other.status, 201);
  assert.equal(other.json.group_id, a.json.group_id);
  assert.equal(other.json.status, "grouped");
});

test("merge and split keep every asker, and both land in the audit log", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug, { name: "Lin Wei" });
  const a = await ask(slug, "Can I return shoes I have worn outside?");
  const b = await ask(slug, "What is your refund policy for used items?");
  const c = await ask(slug, "Do you sell gift cards?");
  assert.notEqual(a.json.group_id, b.json.group_id);
  const merged = await agent.call("POST", `/groups/${a.json.group_id}/merge`, { from: [b.json.group_id, c.json.group_id] });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.json.group.asked_count, 3);
  // The merged group's old id still resolves to the target.
  const old = await agent.call("GET", `/groups/${b.json.group_id}`);
  assert.equal(old.json.group.group_id, a.json.group_id);

  const split = await agent.call("POST", `/groups/${a.json.group_id}/split`, { question_ids: [c.json.question_id] });
  assert.equal(split.status, 201, split.text);
  assert.equal(split.json.group.asked_count, 1);
  assert.equal(split.json.questions[0].question_id, c.json.question_id);
  const rest = await agent.call("GET", `/groups/${a.json.group_id}`);
  assert.equal(rest.json.group.asked_count, 2);

  // Everyone still sees their question.
  const m = await mine(slug, a.json.asker_token, b.json.asker_token, c.json.asker_token);
  assert.equal(m.json.questions.length, 3);
  assert.equal(m.json.questions.find((q) => q.question_id === c.json.question_id).group_id, split.json.group.group_id);

  const audit = await agent.call("GET", "/audit?action=group");
  const actions = audit.json.items.map((e) => e.action);
  assert.ok(actions.includes("group.merge") && actions.includes("group.split"), actions.join());
  assert.ok(audit.json.items.every((e) => e.actor === agent.agent_id && e.at > 0));

  const bad = await agent.call("POST", `/groups/${a.json.group_id}/split`, { question_ids: [a.json.question_id, b.json.question_id] });
  assert.equal(bad.status, 409);
  assert.equal(errorCode(bad), "split_all");
  const self = await agent.call("POST", `/groups/${a.json.group_id}/merge`, { from: [a.json.group_id] });
  assert.equal(self.status, 400);
});

test("a question split out is not pulled back into its old group by the next repeat", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const text = "Is the blue rain jacket waterproof?";
  const a = await ask(slug, text);
  const b = await ask(slug, text);
  assert.equal(a.json.group_id, b.json.group_id);
  const split = await agent.call("POST", `/groups/${a.json.group_id}/split`, { question_ids: [b.json.question_id] });
  assert.equal(split.status, 201);
  const c = await ask(slug, text);
  assert.notEqual(c.json.group_id, undefined);
  // It may join the new group or the old one (same text), but the stored
  // split must survive: both groups still exist with their members.
  const old = await agent.call("GET", `/groups/${a.json.group_id}`);
  const fresh = await agent.call("GET", `/groups/${split.json.group.group_id}`);
  assert.ok(old.json.questions.some((q) => q.question_id === a.json.question_id));
  assert.ok(fresh.json.questions.some((q) => q.question_id === b.json.question_id));
});

test("flagging moves a question out of public view; clearing brings it back", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const text = "Do you ship to Norway?";
  const a = await ask(slug, text);
  const b = await ask(slug, text);
  await agent.call("POST", `/groups/${a.json.group_id}/answer`, { body: "Yes, in 3–5 days." });
  const f = await agent.call("POST", `/questions/${b.json.question_id}/flag`, { flag: "troll" });
  assert.equal(f.status, 200, f.text);
  assert.deepEqual(f.json.flags, ["troll"]);
  assert.equal(f.json.status, "rejected");
  const feed = await api("GET", `/v1/${slug}/feed`);
  assert.equal(feed.json.items[0].asked_count, 1);
  const p = await agent.call("POST", `/questions/${a.json.question_id}/flag`, { flag: "private" });
  assert.equal(p.json.status, "private");
  const feed2 = await api("GET", `/v1/${slug}/feed`);
  assert.equal(feed2.json.items.length, 0, "a private question's answer leaves the feed");
  const c = await agent.call("POST", `/questions/${a.json.question_id}/flag`, { flag: "clear" });
  assert.equal(c.json.status, "answered");
  const feed3 = await api("GET", `/v1/${slug}/feed`);
  assert.equal(feed3.json.items.length, 1);
  const bad = await agent.call("POST", `/questions/${a.json.question_id}/flag`, { flag: "evil" });
  assert.equal(bad.status, 400);
  const missing = await agent.call("POST", "/questions/q99999/flag", { flag: "spam" });
  assert.equal(missing.status, 404);
});

test("the feed pages by cursor, answers 304 to its ETag, is cached, and changes as soon as an agent answers", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const texts = ["Do you sell gift cards?", "Can I change my delivery address?", "Is there a student discount?"];
  for (const t of texts) {
    const q = await ask(slug, t);
    const r = await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: `About: ${t}` });
    assert.equal(r.status, 201);
  }
  const p1 = await api("GET", `/v1/${slug}/feed?limit=2`);
  assert.equal(p1.json.items.length, 2);
  assert.equal(p1.json.items[0].question, texts[2], "newest answer first");
  assert.ok(p1.json.next_cursor);
  const p2 = await api("GET", `/v1/${slug}/feed?limit=2&cursor=${encodeURIComponent(p1.json.next_cursor)}`);
  assert.deepEqual(p2.json.items.map((i) => i.question), [texts[0]]);
  assert.equal(p2.json.next_cursor, null);

  const first = await api("GET", `/v1/${slug}/feed`);
  const second = await api("GET", `/v1/${slug}/feed`);
  assert.match(second.headers.get("x-chorus-cache") ?? "", /^hit/, "the second read is a cache hit");
  assert.deepEqual(second.json, first.json);
  const etag = second.headers.get("etag");
  const nm = await api("GET", `/v1/${slug}/feed`, { headers: { "if-none-match": etag } });
  assert.equal(nm.status, 304);

  const q = await ask(slug, "Do you offer gift wrapping?");
  await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Yes." });
  const after = await api("GET", `/v1/${slug}/feed`, { headers: { "if-none-match": etag } });
  assert.equal(after.status, 200, "the answer purged the cached feed");
  assert.equal(after.json.items.length, 4);

  // A new, unrelated question is not in the feed: the cached feed stays.
  await api("GET", `/v1/${slug}/feed`);
  await ask(slug, "What are your opening hours on public holidays?");
  const kept = await api("GET", `/v1/${slug}/feed`);
  assert.match(kept.headers.get("x-chorus-cache") ?? "", /^hit/, "a new question does not purge the feed");
  assert.deepEqual(kept.json, after.json);
  // A repeat joining an answered group changes its count: shown at once.
  const again = await ask(slug, "Do you offer gift wrapping?");
  assert.equal(again.json.status, "answered");
  // How the object tells the Worker what changed stays between them.
  assert.equal(again.headers.get("x-chorus-changed"), null, "the internal header is stripped");
  assert.equal(again.headers.get("access-control-allow-origin"), "*");
  const counted = await api("GET", `/v1/${slug}/feed`);
  assert.equal(counted.headers.get("x-chorus-cache"), "miss", "the join purged the feed");
  assert.equal(counted.json.items[0].asked_count, 2);

  for (const bad of ["limit=0", "limit=51", "limit=x", "cursor=garbage"]) {
    const r = await api("GET", `/v1/${slug}/feed?${bad}`);
    assert.equal(r.status, 400, bad);
  }
});

test("suggestions while typing: answered groups and articles", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  await admin("PUT", `/v1/admin/brands/${slug}/kb`, {
    articles: [{ id: "returns", title: "Returns and refunds", body: "Return within 30 days for a refund.", tags: ["returns"] }],
  });
  const q = await ask(slug, "How do I return a jacket that does not fit?");
  await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Use the return label in the box." });
  const s = await api("GET", `/v1/${slug}/suggest?q=${encodeURIComponent("how do i return a jacket")}`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.groups[0].group_id, q.json.group_id);
  assert.equal(s.json.groups[0].answered, true);
  assert.equal(s.json.groups[0].answer.body, "Use the return label in the box.");
  assert.equal(s.json.articles[0].id, "returns");
  const empty = await api("GET", `/v1/${slug}/suggest?q=`);
  assert.equal(empty.status, 400);
  assert.equal(errorCode(empty), "invalid_query");
});

test("helpful clicks count once per customer and feed the metrics with missed searches", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const q = await ask(slug, "Can I pick up my order in store?");
  const h = { origin: BASE, "cf-connecting-ip": freshIp() };
  const early = await api("POST", `/v1/${slug}/groups/${q.json.group_id}/helpful`, { headers: h });
  assert.equal(early.status, 409);
  await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Yes, in every store." });
  const one = await api("POST", `/v1/${slug}/groups/${q.json.group_id}/helpful`, { headers: h });
  const two = await api("POST", `/v1/${slug}/groups/${q.json.group_id}/helpful`, { headers: h });
  assert.equal(one.json.helpful, 1);
  assert.equal(two.json.helpful, 1);
  const missed = await api("POST", `/v1/${slug}/searches/missed`, { body: { queries: ["Warranty  length", "warranty length", "lost parcel"] }, headers: h });
  assert.equal(missed.status, 202, missed.text);
  assert.equal(missed.json.accepted, 2);
  const badMissed = await api("POST", `/v1/${slug}/searches/missed`, { body: { queries: [] }, headers: h });
  assert.equal(badMissed.status, 400);
  const defl = await api("POST", `/v1/${slug}/deflections`, { body: { group_id: q.json.group_id }, headers: h });
  assert.equal(defl.status, 202);

  const dup = await ask(slug, "Can I pick up my order in store?");
  assert.equal(dup.json.status, "answered");
  const m = await agent.call("GET", "/metrics");
  assert.equal(m.status, 200, m.text);
  const today = m.json.days.at(-1);
  assert.equal(today.date, new Date().toISOString().slice(0, 10));
  assert.equal(today.opened, 2);
  assert.equal(today.answered, 1);
  assert.equal(today.duplicates_joined, 1);
  assert.equal(today.helpful, 1);
  assert.equal(today.deflections, 2);
  assert.equal(today.missed_searches, 2);
  assert.equal(today.askers_per_answer, 1);
  assert.equal(today.first_response_p50_ms !== null, true);
  assert.deepEqual(m.json.gaps.map((g) => g.query).sort(), ["lost parcel", "warranty length"]);
  const bad = await agent.call("GET", "/metrics?from=2026-02-30");
  assert.equal(bad.status, 400);
  assert.equal(errorCode(bad), "invalid_date");
});

test("agents manage the knowledge base and promote an answer to an article", async () => {
  const slug = await newBrand();
  const agent = await newAgent(slug);
  const created = await agent.call("POST", "/kb", { id: "sizes", title: "Size guide", body: "Shoes run small.", tags: ["sizes"] });
  assert.equal(created.status, 201, created.text);
  const dupe = await agent.call("POST", "/kb", { id: "sizes", title: "Again", body: "x" });
  assert.equal(dupe.status, 409);
  const put = await agent.call("PUT", "/kb/sizes", { title: "Size guide", body: "Shoes run half a size small." });
  assert.equal(put.status, 200);
  assert.equal(put.json.body, "Shoes run half a size small.");
  const missing = await agent.call("PUT", "/kb/nope", { title: "T", body: "B" });
  assert.equal(missing.status, 404);
  const kb = await api("GET", `/v1/${slug}/kb`);
  assert.equal(kb.json.articles[0].body, "Shoes run half a size small.", "the public kb sees the edit at once");

  const q = await ask(slug, "Do the trail shoes run small?");
  const early = await agent.call("POST", `/groups/${q.json.group_id}/promote`, {});
  assert.equal(early.status, 409);
  await agent.call("POST", `/groups/${q.json.group_id}/answer`, { body: "Yes, take half a size up." });
  const promoted = await agent.call("POST", `/groups/${q.json.group_id}/promote`, { tags: ["shoes"] });
  assert.equal(promoted.status, 201, promoted.text);
  assert.equal(promoted.json.title, "Do the trail shoes run small?");
  assert.equal(promoted.json.body, "Yes, take half a size up.");
  const del = await agent.call("DELETE", "/kb/sizes");
  assert.equal(del.status, 204);
  const kb2 = await api("GET", `/v1/${slug}/kb`);
  assert.deepEqual(kb2.json.articles.map((a) => a.title), ["Do the trail shoes run small?"]);
  const audit = await agent.call("GET", "/audit?action=kb");
  assert.deepEqual(audit.json.items.map((e) => e.action), ["kb.delete", "kb.create", "kb.update", "kb.create"]);
});

test("answers keep their history; the queue sorts and filters", async () => {
  const slug = await newBrand({ response_target_minutes: 60 });
  const agent = await newAgent(slug);
  const big = await ask(slug, "Why was I charged a customs fee?");
  await ask(slug, "Why was I charged a customs fee?");
  await ask(slug, "Why was I charged a customs fee?");
  const small = await ask(slug, "Do you have a shop in Madrid?");
  const q = await agent.call("GET", "/groups");
  assert.deepEqual(q.json.groups.map((g) => g.group_id), [big.json.group_id, small.json.group_id]);
  const g = q.json.groups[0];
  assert.equal(g.asked_count, 3);
  assert.equal(g.trending, true, "3 askers in the first hour");
  assert.equal(g.sla_due_at, g.first_asked_at + 60 * 60_000);
  assert.equal(q.json.groups[1].trending, false);
  const text = await agent.call("GET", "/groups?q=madrid");
  assert.deepEqual(text.json.groups.map((x) => x.group_id), [small.json.group_id]);
  const newest = await agent.call("GET", "/groups?sort=newest&limit=1");
  assert.equal(newest.json.groups[0].group_id, small.json.group_id);
  assert.equal(newest.json.next_cursor, "1");

  const edit0 = await agent.call("PUT", `/groups/${big.json.group_id}/answer`, { body: "x" });
  assert.equal(edit0.status, 409);
  await agent.call("POST", `/groups/${big.json.group_id}/answer`, { body: "First version." });
  const again = await agent.call("POST", `/groups/${big.json.group_id}/answer`, { body: "Twice" });
  assert.equal(again.status, 409);
  const edit = await agent.call("PUT", `/groups/${big.json.group_id}/answer`, { body: "Second version." });
  assert.equal(edit.status, 200);
  const d = await agent.call("GET", `/groups/${big.json.group_id}`);
  assert.equal(d.json.answer.body, "Second version.");
  assert.deepEqual(d.json.history.map((h) => h.body), ["First version."]);
  assert.equal(d.json.group.sla_due_at, null);
  const answered = await agent.call("GET", "/groups?status=answered");
  assert.equal(answered.json.groups.length, 1);
  for (const bad of ["status=nope", "sort=nope", "limit=0", "cursor=x"]) {
    const r = await agent.call("GET", `/groups?${bad}`);
    assert.equal(r.status, 400, bad);
  }
  const empty = await agent.call("POST", `/groups/${small.json.group_id}/answer`, { body: "  " });
  assert.equal(empty.status, 400);
});

test("a client over the write limit gets 429 with Retry-After", async () => {
  const slug = await newBrand();
  const ip = freshIp();
  let limited;
  for (let i = 0; i < 40 && !limited; i++) {
    const r = await api("POST", `/v1/${slug}/searches/missed`, { body: { queries: [`q${i}`] }, headers: { origin: BASE, "cf-connecting-ip": ip } });
    if (r.status === 429) limited = r;
    else assert.equal(r.status, 202);
  }
  assert.ok(limited, "40 writes in a minute from one client are limited");
  assert.equal(errorCode(limited), "rate_limited");
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  const other = await ask(slug, "Still works for others?");
  assert.equal(other.status, 201);
});
