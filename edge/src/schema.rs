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
