//! The brand's duplicate index (from `chorus_core::dedupe`), kept in the
//! object's memory and rebuilt from SQLite when the object wakes.
//!
//! The embedding table (≈ 8 MB) is not compiled into the Worker: it is a
//! static asset (`/model/…`, copied by `cargo xtask`), fetched through the
//! `ASSETS` binding on first use. That keeps the Worker small enough for the
//! free plan's upload limit and the global scope free of work.

use std::sync::Arc;

use chorus_core::dedupe::{Embedder, QuestionIndex, Row};
use chorus_core::normalize::Lang;
use serde::Deserialize;
use worker::SqlStorageValue;

use crate::brand::BrandObject;
use crate::error::ApiResult;
use crate::util::now_ms;

/// Where `cargo xtask` puts the embedding table and its vocabulary.
pub const MODEL_URL: &str = "https://assets.local/model/chorus-static-256.bin";
/// WordPiece vocabulary of the table.
pub const VOCAB_URL: &str = "https://assets.local/model/vocab.txt";

/// `en` / `es` → [`Lang`] (anything else is English).
pub fn lang_of(code: &str) -> Lang {
    if code == "es" { Lang::Es } else { Lang::En }
}

thread_local! {
    /// The table, once per isolate (wasm has one thread).
    static SHARED_MODEL: std::cell::RefCell<Option<Arc<Embedder>>> = const { std::cell::RefCell::new(None) };
}

#[derive(Deserialize)]
struct NegativeRow {
    question_id: i64,
    group_id: i64,
}

impl BrandObject {
    /// Loads the model and rebuilds the index if this object has none yet.
    /// Awaits only before touching shared state, so the caller's following
    /// synchronous section sees a complete index.
    pub async fn ensure_index(&self) -> ApiResult<()> {
        if self.index.borrow().is_some() {
            return Ok(());
        }
        let loading = now_ms();
        let model = self.load_model().await;
        if self.index.borrow().is_some() {
            return Ok(());
        }
        let started = now_ms();
        let index = self.rebuild_index(model)?;
        let done = now_ms();
        worker::console_log!(
            "duplicate index rebuilt: {} questions in {} ms",
            index.len(),
            done - started
        );
        self.wake.set(Some((started - loading, done - started)));
        *self.index.borrow_mut() = Some(index);
        Ok(())
    }

    async fn load_model(&self) -> Option<Arc<Embedder>> {
        if let Some(m) = self.model.borrow().as_ref() {
            return Some(m.clone());
        }
        // Objects of one isolate share the table (it is read-only).
        if let Some(m) = SHARED_MODEL.with(|s| s.borrow().clone()) {
            *self.model.borrow_mut() = Some(m.clone());
            return Some(m);
        }
        let started = now_ms();
        let loaded = async {
            let assets = self.env.assets("ASSETS")?;
            let table = assets.fetch(MODEL_URL, None).await?.bytes().await?;
            let vocab = assets.fetch(VOCAB_URL, None).await?.text().await?;
            let fetched = now_ms();
            let m = Embedder::from_bytes(&table, &vocab).map_err(|e| worker::Error::RustError(e.0));
            worker::console_log!(
                "embedding model: fetched {} bytes in {} ms, parsed in {} ms",
                table.len(),
                fetched - started,
                now_ms() - fetched
            );
            m
        }
        .await;
        match loaded {
            Ok(m) => {
                worker::console_log!("embedding model loaded in {} ms", now_ms() - started);
                let m = Arc::new(m);
                SHARED_MODEL.with(|s| *s.borrow_mut() = Some(m.clone()));
                *self.model.borrow_mut() = Some(m.clone());
                Some(m)
            }
            Err(e) => {
                // Lexical matching still works; say so loudly.
                worker::console_error!("embedding model unavailable, matching lexically: {e}");
                None
            }
        }
    }

    fn rebuild_index(&self, model: Option<Arc<Embedder>>) -> ApiResult<QuestionIndex> {
        let t0 = now_ms();
        // Raw rows (arrays, not objects): the wake-up reads every stored
        // question, and per-field deserialisation of 100k objects is slow.
        let mut rows: Vec<(u64, u64, String, Lang, bool)> = Vec::new();
        for row in self
            .sql
            .exec(
                "SELECT q.id, q.group_id, q.text, q.lang, (g.answered_at IS NOT NULL)
                 FROM questions q JOIN groups g ON g.id = q.group_id
                 WHERE q.status = 'open' AND g.status IN ('open', 'answered')
                 ORDER BY q.id",
                None,
            )?
            .raw()
        {
            let row = row?;
            let int = |i: usize| match row.get(i) {
                Some(SqlStorageValue::Integer(n)) => *n,
                Some(SqlStorageValue::Float(f)) => *f as i64,
                Some(SqlStorageValue::Boolean(b)) => *b as i64,
                _ => 0,
            };
            let text = match row.get(2) {
                Some(SqlStorageValue::String(s)) => s.clone(),
                _ => continue,
            };
            let lang = match row.get(3) {
                Some(SqlStorageValue::String(s)) => lang_of(s),
                _ => Lang::En,
            };
            rows.push((int(0) as u64, int(1) as u64, text, lang, int(4) != 0));
        }
        let t1 = now_ms();
        let mut index = QuestionIndex::from_rows(
            model,
            rows.iter().map(|(q, g, text, lang, answered)| Row {
                question: *q,
                group: *g,
                text,
                lang: *lang,
                answered: *answered,
            }),
        );
        worker::console_log!(
            "index rebuild: {} rows read in {} ms, indexed in {} ms",
            rows.len(),
            t1 - t0,
            now_ms() - t1
        );
        let negatives: Vec<NegativeRow> = self
            .sql
            .exec("SELECT question_id, group_id FROM negatives", None)?
            .to_array()?;
        for n in negatives {
            index.add_negative(n.question_id as u64, n.group_id as u64);
        }
        // Retries older than a day are no longer honoured.
        self.sql.exec(
            "DELETE FROM idempotency WHERE at < ?",
            vec![(now_ms() - 86_400_000).into()],
        )?;
        Ok(index)
    }

    /// Runs `f` on the index (which [`ensure_index`](Self::ensure_index) built).
    pub fn with_index<T>(&self, f: impl FnOnce(&mut QuestionIndex) -> T) -> Option<T> {
        self.index.borrow_mut().as_mut().map(f)
    }
}
