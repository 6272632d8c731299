//! The widget's wasm split into the module loaded on open and chunks
//! fetched on first use.
//!
//! The widget is built with its `split` feature: each `#[wasm_split(name)]`
//! function (the Answered, Ask and My questions views; the search engine)
//! becomes an async call that loads chunk `name` first, and the link keeps
//! its relocations (`widget/build.rs`). Then:
//!
//! 1. the exports of wasm-streams' `IntoUnderlying*` classes (Leptos'
//!    server functions, never used) are dropped from the linked wasm, so
//!    nothing keeps their code;
//! 2. `wasm-split-cli` cuts it into `main.wasm`, the chunks and
//!    `__wasm_split.js`, the loader that fetches a chunk with
//!    `new URL("./<chunk>.wasm", import.meta.url)` and instantiates it
//!    against the main module's memory, table and exports;
//! 3. `wasm-bindgen --keep-lld-exports` on `main.wasm` (the chunks import
//!    what wasm-split exported), `wasm-opt -Oz --converge` on every module.

use std::path::Path;
use std::process::Command;

use crate::build::{bindgen_web, io, minify, wasm_opt_oz};
use crate::steps::{StepError, run_quiet};
use crate::tools::Tools;

/// Feature flags of the shipped widget build.
pub const FEATURES: &[&str] = &["--features", "split"];

/// What the split pipeline produced (not yet named by content).
pub struct Split {
    /// wasm-bindgen's glue (ES module, not minified); imports the loader as
    /// `./__wasm_split.js`.
    pub glue: String,
    /// The loader (not minified); imports the glue as `./main.js` and
    /// fetches the chunks as `./<stem>.wasm`.
    pub loader: String,
    /// The main module, optimised.
    pub main: Vec<u8>,
    /// Chunks: file stem (`split_search`, `split_tabs`, `chunk_3`: code
    /// shared by several splits) and optimised bytes, sorted by stem.
    pub chunks: Vec<(String, Vec<u8>)>,
}

/// `wasm-opt` flags for every module of the widget.
pub const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Runs steps 1–3 on the linked wasm `raw` in `out` (emptied first).
pub fn split(tools: &Tools, raw: &Path, out: &Path) -> Result<Split, StepError> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).map_err(io("creating the split folder"))?;
    let linked = std::fs::read(raw).map_err(io("reading the widget wasm"))?;
    let trimmed = drop_exports(&linked, "intounderlying").ok_or_else(|| {
        StepError::new(
            format!("{} is not a wasm module", raw.display()),
            "cargo clean --target-dir target/widget-cargo && cargo xtask demo",
        )
    })?;
    let input = out.join("linked.wasm");
    std::fs::write(&input, trimmed).map_err(io("writing the trimmed wasm"))?;
    let parts = out.join("parts");
    run_quiet(
        Command::new(&tools.wasm_split).arg(&input).arg(&parts),
        "cargo xtask demo (reinstalls wasm-split-cli); the widget must be built with \
         --features split so the wasm keeps its relocations",
    )?;
    // The chunks import the table, memory and functions that wasm-split
    // exported from the main module.
    bindgen_web(
        tools,
        &parts.join("main.wasm"),
        out,
        &["--keep-lld-exports"],
    )?;
    let main = wasm_opt(tools, &out.join("chorus_widget_bg.wasm"), out, "main")?;
    let mut chunks = Vec::new();
    for e in std::fs::read_dir(&parts)
        .map_err(io("reading the split parts"))?
        .flatten()
    {
        let p = e.path();
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.extension().is_some_and(|x| x == "wasm") && stem != "main" {
            chunks.push((stem.clone(), wasm_opt(tools, &p, out, &stem)?));
        }
    }
    chunks.sort();
    let glue = std::fs::read_to_string(out.join("chorus_widget.js"))
        .map_err(io("reading the wasm-bindgen glue"))?;
    let loader = std::fs::read_to_string(parts.join("__wasm_split.js"))
        .map_err(io("reading __wasm_split.js"))?;
    Ok(Split {
        glue,
        loader,
        main,
        chunks,
    })
}

/// `wasm-opt -Oz` of one module of the split into `out/<stem>.opt.wasm`.
fn wasm_opt(tools: &Tools, input: &Path, out: &Path, stem: &str) -> Result<Vec<u8>, StepError> {
    wasm_opt_oz(
        tools,
        input,
        &out.join(format!("{stem}.opt.wasm")),
        &["--strip-debug"],
    )
}

/// The site files of a split build: content-hashed names under `/w/`.
pub struct Named {
    /// `(site path, bytes)` of the glue, the loader, the main module and
    /// each chunk, in that order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Labels of the chunks (`search`, `tabs`, `shared_3`), same order as
    /// the last files.
    pub labels: Vec<String>,
}

/// Names every file by content and points the glue, the loader and the
/// chunks' URLs at those names; minifies both JS modules with esbuild
/// (sources written to `out`).
pub fn name(tools: &Tools, s: &Split, out: &Path) -> Result<Named, StepError> {
    let hash = |b: &[u8]| crate::build::sha256_hex(b)[..10].to_string();
    let mut loader = s.loader.clone();
    let mut chunk_files = Vec::new();
    let mut labels = Vec::new();
    for (stem, bytes) in &s.chunks {
        let file = format!("w-{}.wasm", hash(bytes));
        let from = format!("\"./{stem}.wasm\"");
        if !loader.contains(&from) {
            return Err(StepError::new(
                format!("__wasm_split.js does not load {stem}.wasm"),
                "check the wasm-split-cli version in xtask/src/tools.rs",
            ));
        }
        loader = loader.replace(&from, &format!("\"./{file}\""));
        chunk_files.push((format!("/w/{file}"), bytes.clone()));
        labels.push(label(&s.loader, stem));
    }
    // The glue and the loader import each other: both are named after one
    // hash of everything they consist of and load.
    let mut all = Vec::new();
    for b in [s.glue.as_bytes(), loader.as_bytes(), &s.main] {
        all.extend_from_slice(&crate::build::sha256_hex(b).into_bytes());
    }
    let id = hash(&all);
    let (glue_file, loader_file) = (format!("w-{id}.js"), format!("s-{id}.js"));
    let replace_once = |text: &str, from: &str, to: &str, what: &str| {
        if text.contains(from) {
            Ok(text.replace(from, to))
        } else {
            Err(StepError::new(
                format!("{what} does not contain {from}"),
                "check the wasm-split-cli and wasm-bindgen versions in xtask/src/tools.rs",
            ))
        }
    };
    // Only the import statements: the keys of the wasm's import object
    // must keep the module name compiled into the wasm.
    let glue = replace_once(
        &s.glue,
        "from \"./__wasm_split.js\"",
        &format!("from \"./{loader_file}\""),
        "the wasm-bindgen glue",
    )?;
    let loader = replace_once(
        &loader,
        "from \"./main.js\"",
        &format!("from \"./{glue_file}\""),
        "__wasm_split.js",
    )?;
    let glue_src = out.join("glue.src.js");
    let loader_src = out.join("loader.src.js");
    std::fs::write(&glue_src, glue).map_err(io("glue"))?;
    std::fs::write(&loader_src, loader).map_err(io("loader"))?;
    let glue = minify(tools, &glue_src, &out.join("glue.min.js"))?;
    let loader = minify(tools, &loader_src, &out.join("loader.min.js"))?;
    let mut files = vec![
        (format!("/w/{glue_file}"), glue),
        (format!("/w/{loader_file}"), loader),
        (format!("/w/w-{}.wasm", hash(&s.main)), s.main.clone()),
    ];
    files.extend(chunk_files);
    Ok(Named { files, labels })
}

/// A chunk's label: `search` for `split_search`; for `chunk_4`, code that
/// several splits share, `shared_` and their names from the loader's
/// comment (`/* article, tabs */` above `const __chunk_4`).
fn label(loader: &str, stem: &str) -> String {
    if let Some(split) = stem.strip_prefix("split_") {
        return split.to_string();
    }
    let decl = format!("\nconst __{stem} ");
    let users = loader.find(&decl).and_then(|at| {
        let before = loader[..at].trim_end();
        let inner = before.strip_suffix("*/")?;
        let open = inner.rfind("/*")?;
        Some(inner[open + 2..].trim().replace(", ", "_"))
    });
    match users {
        Some(u) if !u.is_empty() => format!("shared_{u}"),
        _ => stem.replace("chunk_", "shared_"),
    }
}

fn leb(b: &[u8], i: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let x = *b.get(*i)?;
        *i += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn put_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let x = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(x);
            return;
        }
        out.push(x | 0x80);
    }
}

/// `wasm` without the exports whose name contains `pat` (ASCII, any case).
/// Only the export section changes, so the relocations (which point into
/// the code and data sections) stay valid. `None` if `wasm` is malformed.
pub fn drop_exports(wasm: &[u8], pat: &str) -> Option<Vec<u8>> {
    if wasm.get(..4)? != b"\0asm" {
        return None;
    }
    let pat = pat.to_ascii_lowercase();
    let mut out = wasm.get(..8)?.to_vec();
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let len = leb(wasm, &mut i)? as usize;
        let body = wasm.get(i..i.checked_add(len)?)?;
        i += len;
        if id != 7 {
            out.push(id);
            put_leb(&mut out, len as u64);
            out.extend_from_slice(body);
            continue;
        }
        let mut j = 0;
        let count = leb(body, &mut j)?;
        let mut kept = Vec::new();
        let mut n = 0u64;
        for _ in 0..count {
            let start = j;
            let name_len = leb(body, &mut j)? as usize;
            let name = body.get(j..j.checked_add(name_len)?)?;
            j += name_len + 1; // name, kind
            leb(body, &mut j)?; // index
            if !String::from_utf8_lossy(name)
                .to_ascii_lowercase()
                .contains(&pat)
            {
                kept.extend_from_slice(body.get(start..j)?);
                n += 1;
            }
        }
        let mut section = Vec::new();
        put_leb(&mut section, n);
        section.extend_from_slice(&kept);
        out.push(7);
        put_leb(&mut out, section.len() as u64);
        out.extend_from_slice(&section);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one type, one function and three exports of it.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type () -> ()
        m.extend_from_slice(&[3, 2, 1, 0]); // one function of type 0
        let mut exports = Vec::new();
        put_leb(&mut exports, names.len() as u64);
        for n in names {
            put_leb(&mut exports, n.len() as u64);
            exports.extend_from_slice(n.as_bytes());
            exports.extend_from_slice(&[0, 0]); // func 0
        }
        m.push(7);
        put_leb(&mut m, exports.len() as u64);
        m.extend_from_slice(&exports);
        m.extend_from_slice(&[10, 4, 1, 2, 0, 0x0b]); // body: end
        m
    }

    #[test]
    fn chunks_are_labelled_by_their_splits() {
        let loader = "x\n/* article, tabs */\nconst __chunk_5 = makeLoad(\n";
        assert_eq!(label(loader, "split_search"), "search");
        assert_eq!(label(loader, "chunk_5"), "shared_article_tabs");
        assert_eq!(label(loader, "chunk_9"), "shared_9");
    }

    #[test]
    fn drops_only_matching_exports() {
        let m = module(&[
            "mount",
            "intounderlyingsink_write",
            "IntoUnderlyingSource_pull",
        ]);
        assert_eq!(drop_exports(&m, "IntoUnderlying"), Some(module(&["mount"])));
        assert_eq!(drop_exports(&m, "nothing"), Some(m.clone()));
        assert_eq!(drop_exports(b"nope", "x"), None);
        assert_eq!(drop_exports(&m[..m.len() - 3], "x"), None);
    }
}
