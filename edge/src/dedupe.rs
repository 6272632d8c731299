//! The brand's duplicate index (from `chorus_core::dedupe`), kept in the
//! object's memory and rebuilt from SQLite when the object wakes.
//!
//! The embedding table (≈ 8 MB) is not compiled into the Worker: it is a
//! static asset (`/model/…`, copied by `cargo xtask`), fetched through the
//! `ASSETS` binding on first use. That keeps the Worker small enough for the
//! free plan's upload limit and the global scope free of work.

use std::sync::Arc;

use chorus_core::dedupe::{Embedder, QuestionIndex, StoredRow, feature_stamp};
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

/// Rows for a rebuild from stored features, parsed from the chunks
/// [`BrandObject::read_feature_chunks`] read: each row is
/// `id group answered lang features` (the features last: they may hold
/// spaces, never a newline).
fn parse_feature_rows(chunks: &[String]) -> Vec<StoredRow<'_>> {
    let mut rows = Vec::new();
    for c in chunks {
        for line in c.split('\n') {
            let mut f = line.splitn(5, ' ');
            let (Some(q), Some(g), Some(a), Some(l)) = (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let (Ok(q), Ok(g)) = (q.parse::<u64>(), g.parse::<u64>()) else {
                continue;
            };
            rows.push(StoredRow {
                question: q,
                group: g,
                lang: lang_of(l),
                answered: a == "1",
                features: f.next().unwrap_or(""),
                text: "",
            });
        }
    }
    rows
}

/// A response's whole body, read by JavaScript in one `arrayBuffer()` and
/// copied into wasm once. `Response::bytes` and `text` read the body as a
/// stream, one chunk (4 KB from a local disk service) per round trip
/// between wasm and JavaScript: about 1,900 of them for the 7.9 MB table,
/// which took 0.5 s where `arrayBuffer()` takes 5–60 ms.
async fn whole_body(resp: worker::Response) -> worker::Result<Vec<u8>> {
    let sys: worker::web_sys::Response = resp.into();
    let buf = worker::wasm_bindgen_futures::JsFuture::from(sys.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
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
    ///
    /// The wake-up path: the model's fetch is started first; the rows and
    /// their stored features are read and the index rebuilt without the
    /// model (no question is re-normalised or re-embedded); then the model
    /// is awaited and attached. When features are missing or were computed
    /// with another model or normalisation (a new migration, a new model),
    /// the index is rebuilt from the text with the model instead and the
    /// fresh features are written back.
    pub async fn ensure_index(&self) -> ApiResult<()> {
        if self.index.borrow().is_some() {
            return Ok(());
        }
        let t0 = now_ms();
        let cached = self.model.borrow().is_some() || SHARED_MODEL.with(|s| s.borrow().is_some());
        // Start the model's fetch now (a Rust future runs only when polled):
        // it can progress while the rows are read and indexed.
        let model_load = self.load_model();
        let mut model_load = std::pin::pin!(model_load);
        let mut ready = None;
        {
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            if let std::task::Poll::Ready(m) = model_load.as_mut().poll(&mut cx) {
                ready = Some(m);
            }
        }
        let mut timing = Vec::new();
        let mut index = None;
        if let Some(stamp) = self.stored_stamp()? {
            let t1 = now_ms();
            let chunks = self.read_feature_chunks()?;
            let t_sql = now_ms();
            let mut rows = parse_feature_rows(&chunks);
            // The index wants creation order; the chunks come in it (see
            // `read_feature_chunks`), so this is one pass over the ids.
            if !rows.is_sorted_by_key(|r| r.question) {
                rows.sort_by_key(|r| r.question);
            }
            let t2 = now_ms();
            timing.push(format!("rows;dur={}", t2 - t1));
            worker::console_log!(
                "stored features read: {} bytes by SQL in {} ms, parsed in {} ms",
                chunks.iter().map(String::len).sum::<usize>(),
                t_sql - t1,
                t2 - t_sql
            );
            let current = rows
                .iter()
                .all(|r| chorus_core::dedupe::features_current(r.features, stamp, r.lang));
            if current {
                let ix = QuestionIndex::from_stored(None, stamp, rows.iter().copied());
                let t3 = now_ms();
                timing.push(format!("index;dur={}", t3 - t2));
                worker::console_log!(
                    "index rebuilt from stored features: {} questions, rows read in {} ms, indexed in {} ms",
                    ix.len(),
                    t2 - t1,
                    t3 - t2
                );
                index = Some(ix);
            }
        }
        let t_model = now_ms();
        let model = match ready {
            Some(m) => m,
            None => model_load.await,
        };
        if self.index.borrow().is_some() {
            return Ok(());
        }
        if !cached {
            // From the fetch's start (overlapping the rebuild) to the model
            // being ready, and how long the rebuilt index waited for it.
            timing.push(format!("model;dur={}", now_ms() - t0));
        }
        timing.push(format!("modelwait;dur={}", now_ms() - t_model));
        let index = match (index, model) {
            (Some(mut ix), Some(m)) => if ix.attach_model(m.clone()) {
                Some(ix)
            } else {
                worker::console_log!("stored features are stale: rebuilding from the text");
                None
            }
            .map_or_else(|| self.rebuild_from_text(Some(m), &mut timing), Ok)?,
            (_, model) => self.rebuild_from_text(model, &mut timing)?,
        };
        self.replay_negatives(&mut { index }, t0, timing)
    }

    /// Applies the stored split constraints and installs the index.
    fn replay_negatives(
        &self,
        index: &mut QuestionIndex,
        t0: i64,
        mut timing: Vec<String>,
    ) -> ApiResult<()> {
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
        let total = now_ms() - t0;
        worker::console_log!(
            "duplicate index ready: {} questions in {} ms",
            index.len(),
            total
        );
        timing.insert(0, format!("wake;dur={total}"));
        *self.wake.borrow_mut() = Some(timing.join(", "));
        *self.index.borrow_mut() = Some(std::mem::replace(index, QuestionIndex::new(None)));
        Ok(())
    }

    /// The stamp of the features stored with the questions (`meta`).
    fn stored_stamp(&self) -> ApiResult<Option<u32>> {
        #[derive(Deserialize)]
        struct Meta {
            value: String,
        }
        let rows: Vec<Meta> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = 'features_stamp'", None)?
            .to_array()?;
        Ok(rows
            .first()
            .and_then(|r| u32::from_str_radix(&r.value, 16).ok()))
    }

    /// Records the stamp of the features now stored with the questions.
    pub(crate) fn set_stored_stamp(&self, stamp: u32) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES ('features_stamp', ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![format!("{stamp:08x}").into()],
        )?;
        Ok(())
    }

    /// Every indexed question's id, group, answered flag, language and
    /// stored features, read as one string per 20,000 rows (a value per
    /// row would cost several calls between wasm and JavaScript each).
    ///
    /// `CROSS JOIN` keeps `questions` the outer loop: each chunk walks the
    /// primary key from `after` and stops at 20,000 rows, looking each
    /// group up by its key. With a plain `JOIN` SQLite drove the join from
    /// `groups_by_status`, fetched every remaining question through
    /// `questions_by_group` and sorted them all for each chunk (100k
    /// stored questions: 3× the SQLite CPU time of this plan).
    /// `group_concat` has no `ORDER BY` of its own: it concatenates in the
    /// subquery's order, the primary key's, and sorting each chunk's 20,000
    /// strings again cost 200 ms of the 460 ms this read took for 100k
    /// rows in workerd (the caller checks the order).
    fn read_feature_chunks(&self) -> ApiResult<Vec<String>> {
        let mut chunks = Vec::new();
        let mut after = 0i64;
        loop {
            let mut got = None;
            for row in self
                .sql
                .exec(
                    "SELECT group_concat(r, char(10)), max(id), count(*) FROM (
                       SELECT q.id AS id, q.id || ' ' || q.group_id || ' ' || (g.answered_at IS NOT NULL)
                         || ' ' || q.lang || ' ' || coalesce(q.features, '') AS r
                       FROM questions q CROSS JOIN groups g ON g.id = q.group_id
                       WHERE q.status = 'open' AND g.status IN ('open', 'answered') AND q.id > ?
                       ORDER BY q.id LIMIT 20000)",
                    vec![after.into()],
                )?
                .raw()
            {
                let row = row?;
                let n = match row.get(2) {
                    Some(SqlStorageValue::Integer(n)) => *n,
                    _ => 0,
                };
                if n == 0 {
                    break;
                }
                if let (Some(SqlStorageValue::String(s)), Some(SqlStorageValue::Integer(last))) =
                    (row.first(), row.get(1))
                {
                    got = Some((s.clone(), *last, n));
                }
            }
            let Some((s, last, n)) = got else { break };
            chunks.push(s);
            after = last;
            if n < 20_000 {
                break;
            }
        }
        Ok(chunks)
    }

    /// The index rebuilt from each question's text (computing its features
    /// with `model`); the features that were missing or stale are written
    /// back so the next wake-up can skip this.
    fn rebuild_from_text(
        &self,
        model: Option<Arc<Embedder>>,
        timing: &mut Vec<String>,
    ) -> ApiResult<QuestionIndex> {
        let t0 = now_ms();
        // Raw rows (arrays, not objects): this reads every stored question,
        // and per-field deserialisation of 100k objects is slow.
        let mut rows: Vec<(u64, u64, String, Lang, bool, Option<String>)> = Vec::new();
        for row in self
            .sql
            .exec(
                "SELECT q.id, q.group_id, q.text, q.lang, (g.answered_at IS NOT NULL), q.features
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
            let features = match row.get(5) {
                Some(SqlStorageValue::String(s)) => Some(s.clone()),
                _ => None,
            };
            rows.push((
                int(0) as u64,
                int(1) as u64,
                text,
                lang,
                int(4) != 0,
                features,
            ));
        }
        let t1 = now_ms();
        let stamp = feature_stamp(model.as_deref());
        let has_model = model.is_some();
        let index = QuestionIndex::from_stored(
            model,
            stamp,
            rows.iter()
                .map(|(q, g, text, lang, answered, f)| StoredRow {
                    question: *q,
                    group: *g,
                    lang: *lang,
                    answered: *answered,
                    features: f.as_deref().unwrap_or(""),
                    text,
                }),
        );
        let t2 = now_ms();
        // Backfill (only with the model: lexical-only features would be
        // stale as soon as it loads).
        let mut written = 0usize;
        if has_model {
            for (q, _, text, lang, _, f) in &rows {
                let current = f
                    .as_deref()
                    .is_some_and(|f| chorus_core::dedupe::features_current(f, stamp, *lang));
                if !current {
                    self.sql.exec(
                        "UPDATE questions SET features = ? WHERE id = ?",
                        vec![index.features(text, *lang).into(), (*q as i64).into()],
                    )?;
                    written += 1;
                }
            }
            self.set_stored_stamp(stamp)?;
        }
        let t3 = now_ms();
        worker::console_log!(
            "index rebuilt from the text: {} rows read in {} ms, indexed in {} ms, {} features written in {} ms",
            rows.len(),
            t1 - t0,
            t2 - t1,
            written,
            t3 - t2
        );
        timing.push(format!(
            "textrows;dur={}, textindex;dur={}, backfill;dur={}",
            t1 - t0,
            t2 - t1,
            t3 - t2
        ));
        Ok(index)
    }

    /// The model for this object (fetched once per isolate); `None` when
    /// it cannot be loaded (matching is then lexical only).
    pub(crate) async fn load_model(&self) -> Option<Arc<Embedder>> {
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
            let table = whole_body(assets.fetch(MODEL_URL, None).await?).await?;
            let vocab = whole_body(assets.fetch(VOCAB_URL, None).await?).await?;
            let vocab = String::from_utf8(vocab)
                .map_err(|e| worker::Error::RustError(format!("{VOCAB_URL}: {e}")))?;
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

    /// Runs `f` on the index (which [`ensure_index`](Self::ensure_index) built).
    pub fn with_index<T>(&self, f: impl FnOnce(&mut QuestionIndex) -> T) -> Option<T> {
        self.index.borrow_mut().as_mut().map(f)
    }
}
