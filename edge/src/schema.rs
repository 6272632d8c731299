//! SQLite schema of a brand's Durable Object, versioned in code.
//!
//! Each entry of [`MIGRATIONS`] runs once, in order, when the object starts;
//! the applied version is kept in `meta`. Never edit a released migration:
//! append a new one.

use worker::SqlStorage;

/// Ordered migrations; index + 1 is the schema version.
pub const MIGRATIONS: &[&str] = &[
    // v1: brand settings and the knowledge base.
    "CREATE TABLE IF NOT EXISTS brand (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        slug TEXT NOT NULL,
        name TEXT NOT NULL,
        color TEXT NOT NULL,
        languages TEXT NOT NULL,
        hours TEXT NOT NULL,
        response_target_minutes INTEGER NOT NULL,
        greeting TEXT NOT NULL,
        allowed_origins TEXT NOT NULL,
        private_followup TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS articles (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        tags TEXT NOT NULL,
        lang TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS agents (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        initials TEXT NOT NULL,
        avatar_url TEXT,
        role TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );",
    // v2: questions, groups, answers with history, split negatives,
    // idempotent retries, metric events.
    "CREATE TABLE IF NOT EXISTS groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        status TEXT NOT NULL,
        question TEXT NOT NULL,
        lang TEXT NOT NULL,
        asked_count INTEGER NOT NULL DEFAULT 0,
        first_asked_at INTEGER NOT NULL,
        last_asked_at INTEGER NOT NULL,
        answered_at INTEGER,
        helpful INTEGER NOT NULL DEFAULT 0,
        merged_into INTEGER
    );
    CREATE INDEX IF NOT EXISTS groups_by_status ON groups (status, answered_at);
    CREATE TABLE IF NOT EXISTS questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        name TEXT,
        lang TEXT NOT NULL,
        asker_hash TEXT NOT NULL,
        client TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        flags TEXT NOT NULL DEFAULT '',
        pii TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS questions_by_group ON questions (group_id);
    CREATE INDEX IF NOT EXISTS questions_by_asker ON questions (asker_hash);
    CREATE INDEX IF NOT EXISTS questions_by_client ON questions (client, created_at);
    CREATE INDEX IF NOT EXISTS questions_by_time ON questions (created_at);
    CREATE TABLE IF NOT EXISTS answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        group_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS answers_by_group ON answers (group_id, id);
    CREATE TABLE IF NOT EXISTS negatives (
        question_id INTEGER NOT NULL,
        group_id INTEGER NOT NULL,
        PRIMARY KEY (question_id, group_id)
    );
    CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        group_id INTEGER,
        value INTEGER,
        detail TEXT
    );
    CREATE INDEX IF NOT EXISTS events_by_time ON events (at, kind);",
    // v3: canned replies, webhooks and their deliveries.
    "CREATE TABLE IF NOT EXISTS canned (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id TEXT NOT NULL,
        event TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        next_at INTEGER,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at);
    CREATE INDEX IF NOT EXISTS deliveries_by_hook ON deliveries (webhook_id, id);",
    // v4: each question's duplicate-detection features (`chorus_core::dedupe`:
    // folded form, terms, WordPiece ids, sketch; stamped with the model and
    // normalisation that computed them), so a wake-up rebuilds the index
    // without recomputing them. NULL (older rows) or stale ones are
    // recomputed and written back at the next rebuild.
    "ALTER TABLE questions ADD COLUMN features TEXT;",
    // v5: when a group was last announced as trending (the rule's "once an
    // hour" then reads the group's own row instead of the hour's events on
    // every join), and questions indexed by group, status and time (the
    // rule's count of a group's askers in the last hour reads only that
    // range of the index).
    "ALTER TABLE groups ADD COLUMN trending_at INTEGER;
    UPDATE groups SET trending_at = t.at
        FROM (SELECT group_id, MAX(at) AS at FROM events WHERE kind = 'trending' GROUP BY group_id) AS t
        WHERE t.group_id = groups.id;
    DROP INDEX IF EXISTS questions_by_group;
    CREATE INDEX IF NOT EXISTS questions_by_group_time ON questions (group_id, status, created_at);",
];

#[derive(serde::Deserialize)]
struct Version {
    value: String,
}

/// Applies every migration newer than the stored version. Returns the version.
pub fn migrate(sql: &SqlStorage) -> worker::Result<usize> {
    sql.exec(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        None,
    )?;
    let rows: Vec<Version> = sql
        .exec("SELECT value FROM meta WHERE key = 'schema_version'", None)?
        .to_array()?;
    let current: usize = rows.first().and_then(|r| r.value.parse().ok()).unwrap_or(0);
    for (i, m) in MIGRATIONS.iter().enumerate().skip(current) {
        sql.exec(m, None)?;
        sql.exec(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![(i + 1).to_string().into()],
        )?;
    }
    Ok(MIGRATIONS.len())
}
