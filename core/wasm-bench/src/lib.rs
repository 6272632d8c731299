//! The native dedupe benchmark's operations as plain wasm exports, timed
//! from JavaScript (`run.mjs`): load the model, rebuild an index from rows,
//! then `decide` (ask without storing) and `suggest`.
//!
//! Single-threaded, one global state; strings are passed as (pointer,
//! length) into buffers from [`alloc`].

use std::cell::RefCell;
use std::sync::Arc;

use chorus_core::dedupe::{Embedder, QuestionIndex, Row, StoredRow};
use chorus_core::normalize::{self, Lang};

struct State {
    model: Option<Arc<Embedder>>,
    index: Option<QuestionIndex>,
    /// Stored features of the rows (as the edge keeps them), their languages.
    features: Vec<(String, Lang)>,
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State { model: None, index: None, features: Vec::new() }) };
}

/// A buffer of `len` bytes that the caller fills and passes back (leaked:
/// the benchmark allocates a handful).
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    // SAFETY: the caller passes a buffer from `alloc` of at least `len` bytes.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn text<'a>(ptr: *const u8, len: usize) -> &'a str {
    std::str::from_utf8(bytes(ptr, len)).unwrap_or("")
}

/// Loads the model (`chorus-static-256.bin`, `vocab.txt`); 1 on success.
#[unsafe(no_mangle)]
pub extern "C" fn load(
    table: *const u8,
    table_len: usize,
    vocab: *const u8,
    vocab_len: usize,
) -> i32 {
    match Embedder::from_bytes(bytes(table, table_len), text(vocab, vocab_len)) {
        Ok(m) => {
            STATE.with(|s| s.borrow_mut().model = Some(Arc::new(m)));
            1
        }
        Err(_) => 0,
    }
}

/// Rebuilds the index from the first `n` newline-separated texts (rows as
/// the native bench stores them: ~4 questions a group, a third answered);
/// returns the number of questions.
#[unsafe(no_mangle)]
pub extern "C" fn rebuild(texts: *const u8, len: usize, n: usize) -> usize {
    let all = text(texts, len);
    let lines: Vec<&str> = all.lines().take(n).collect();
    let langs: Vec<Lang> = lines.iter().map(|t| normalize::detect_lang(t)).collect();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let ix = QuestionIndex::from_rows(
            s.model.clone(),
            lines.iter().enumerate().map(|(i, t)| Row {
                question: i as u64,
                group: (i / 4) as u64,
                text: t,
                lang: langs[i],
                answered: i % 3 == 0,
            }),
        );
        let n = ix.len();
        s.index = Some(ix);
        n
    })
}

/// `decide(text, En)`: 1 when it would join a group.
#[unsafe(no_mangle)]
pub extern "C" fn decide(ptr: *const u8, len: usize) -> i32 {
    STATE.with(|s| {
        let s = s.borrow();
        let ix = s.index.as_ref().expect("rebuild first");
        i32::from(ix.decide(text(ptr, len), Lang::En).group().is_some())
    })
}

/// `suggest(text, 3)`: the number of suggestions.
#[unsafe(no_mangle)]
pub extern "C" fn suggest(ptr: *const u8, len: usize) -> i32 {
    STATE.with(|s| {
        let s = s.borrow();
        let ix = s.index.as_ref().expect("rebuild first");
        ix.suggest(text(ptr, len), 3).len() as i32
    })
}

/// Index heap bytes (beyond the model).
#[unsafe(no_mangle)]
pub extern "C" fn heap_bytes() -> usize {
    STATE.with(|s| {
        s.borrow()
            .index
            .as_ref()
            .map_or(0, QuestionIndex::heap_bytes)
    })
}

/// Computes the current index's features for its rows (untimed setup for
/// [`rebuild_stored`]); returns their total bytes.
#[unsafe(no_mangle)]
pub extern "C" fn store_features(texts: *const u8, len: usize, n: usize) -> usize {
    let all = text(texts, len);
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let ix = s.index.as_ref().expect("rebuild first");
        let feats: Vec<(String, Lang)> = all
            .lines()
            .take(n)
            .map(|t| {
                let lang = normalize::detect_lang(t);
                (ix.features(t, lang), lang)
            })
            .collect();
        s.features = feats;
        s.features.iter().map(|f| f.0.len()).sum()
    })
}

/// Rebuilds the index from the stored features, without the model
/// (attached afterwards) when `with_model` is 0; returns the number of
/// questions, or 0 when the model did not match the features.
#[unsafe(no_mangle)]
pub extern "C" fn rebuild_stored(with_model: i32) -> usize {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let model = s.model.clone().expect("load first");
        let stamp = s.index.as_ref().expect("rebuild first").stamp();
        let rows = s.features.iter().enumerate().map(|(i, (f, lang))| StoredRow {
            question: i as u64,
            group: (i / 4) as u64,
            lang: *lang,
            answered: i % 3 == 0,
            features: f,
            text: "",
        });
        let ix = if with_model != 0 {
            QuestionIndex::from_stored(Some(model), stamp, rows)
        } else {
            let mut ix = QuestionIndex::from_stored(None, stamp, rows);
            if !ix.attach_model(model) {
                return 0;
            }
            ix
        };
        let n = ix.len();
        s.index = Some(ix);
        n
    })
}
