//! Delivered sizes (raw, gzip, brotli) of everything a browser or Cloudflare
//! receives, written to `target/bench/sizes.json`.

use std::io::Write;
use std::path::Path;

use crate::build::{WidgetFiles, site_dir};
use crate::steps::StepError;

/// gzip -9 size.
pub fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = e.write_all(bytes);
    e.finish().map(|v| v.len()).unwrap_or(0)
}

/// brotli quality 11 size (what Cloudflare serves to browsers that accept br).
pub fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out.len()
}

fn add(
    map: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    bytes: &[u8],
) -> (usize, usize) {
    let (g, b) = (gzip_len(bytes), brotli_len(bytes));
    map.insert(format!("{key}_bytes"), bytes.len().into());
    map.insert(format!("{key}_gzip_bytes"), g.into());
    map.insert(format!("{key}_brotli_bytes"), b.into());
    (g, b)
}

/// Measures and writes `target/bench/sizes.json`; prints a table.
pub fn write(repo: &Path, files: &WidgetFiles) -> Result<(), StepError> {
    let site = site_dir(repo);
    let read = |rel: &str| {
        std::fs::read(site.join(rel.trim_start_matches('/'))).map_err(|e| {
            StepError::new(format!("{rel}: {e}"), "cargo xtask demo (builds the site)")
        })
    };
    let mut m = serde_json::Map::new();
    let embed = read("/embed.js")?;
    add(&mut m, "embed_js", &embed);
    // On open the browser fetches the glue, the chunk loader it imports,
    // the main wasm and the CSS; the chunks wait for first use.
    let (_, jb) = add(&mut m, "widget_js", &read(&files.js)?);
    let (_, lb) = add(&mut m, "widget_loader_js", &read(&files.loader)?);
    let (_, wb) = add(&mut m, "widget_wasm", &read(&files.wasm)?);
    let (_, cb) = add(&mut m, "widget_css", &read(&files.css)?);
    m.insert(
        "widget_on_open_brotli_bytes".into(),
        (jb + lb + wb + cb).into(),
    );
    let mut later = 0;
    for (label, path) in &files.chunks {
        later += add(&mut m, &format!("widget_chunk_{label}"), &read(path)?).1;
    }
    m.insert("widget_chunks_brotli_bytes".into(), later.into());
    // worker-build writes the wasm and its glue to edge/build/, the shim to
    // edge/build/worker/.
    let mut worker = Vec::new();
    for rel in ["index_bg.wasm", "index.js", "worker/shim.mjs"] {
        worker.extend(std::fs::read(repo.join("edge/build").join(rel)).unwrap_or_default());
    }
    add(
        &mut m,
        "worker_wasm",
        &std::fs::read(repo.join("edge/build/index_bg.wasm")).unwrap_or_default(),
    );
    add(&mut m, "worker_bundle", &worker);
    let out = repo.join("target/bench");
    std::fs::create_dir_all(&out)
        .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    let json = serde_json::Value::Object(m);
    std::fs::write(
        out.join("sizes.json"),
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    if let serde_json::Value::Object(m) = &json {
        for (k, v) in m {
            eprintln!("      {k:<32} {v}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_sizes_are_smaller_for_repetitive_input() {
        let data = b"chorus ".repeat(1000);
        assert!(gzip_len(&data) < data.len() / 10);
        assert!(brotli_len(&data) < data.len() / 10);
        assert!(brotli_len(&data) > 0);
    }
}
