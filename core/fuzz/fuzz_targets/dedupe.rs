//! Arbitrary UTF-8 through the duplicate index: every line is suggested,
//! asked (alternating languages) and, driven by the input's bytes, merged,
//! split, removed or re-joined. Must never panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use chorus_core::dedupe::{Embedder, QuestionIndex};
use chorus_core::normalize::Lang;
use libfuzzer_sys::fuzz_target;

fn model() -> Arc<Embedder> {
    static M: OnceLock<Arc<Embedder>> = OnceLock::new();
    M.get_or_init(|| {
        Arc::new(
            Embedder::from_bytes(
                include_bytes!("../../model/chorus-static-256.bin"),
                include_str!("../../model/vocab.txt"),
            )
            .expect("committed model loads"),
        )
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut ix = QuestionIndex::new(Some(model()));
    for (i, line) in text.split('\n').enumerate().take(64) {
        let q = i as u64;
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Es };
        let _ = ix.suggest(line, 3);
        let _ = ix.suggest(line, 0);
        let _ = ix.ask(q, line, lang, 1000 + q);
        let b = line.as_bytes().first().copied().unwrap_or(0);
        match b % 8 {
            0 => {
                ix.merge(&[1000, 1000 + q / 2, 1000 + q]);
            }
            1 => ix.split(&[q, q / 2], 5000 + q),
            2 => ix.remove(q / 2),
            3 => {
                ix.join(q, 1000);
            }
            4 => ix.set_answered(1000 + q / 3, true),
            5 => ix.add_negative(q, 1000),
            _ => {}
        }
    }
    let _ = ix.heap_bytes();
});
