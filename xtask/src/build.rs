//! Builds the deliverables into `target/site/` (what the Worker serves) and
//! `edge/build/` (the Worker bundle).
//!
//! Widget: `cargo build --target wasm32-unknown-unknown --release
//! --features split`, then [`crate::split`] (wasm-split into the module
//! loaded on open and chunks loaded on first use, `wasm-bindgen --target
//! web`, `wasm-opt -Oz --converge`), esbuild minifies the glue JS, the chunk
//! loader and the CSS, then content-hashed names under `/w/`. `embed.js` is the only unhashed file; it is templated with the
//! hashed names and minified by esbuild. Each stage is skipped when its input
//! fingerprint has not changed, so a second `cargo xtask demo` is quick.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::steps::{StepError, run, run_quiet};
use crate::tools::Tools;

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Names of the built widget files, relative to the site root.
#[derive(Debug, Clone)]
pub struct WidgetFiles {
    /// `/w/w-<hash>.js`
    pub js: String,
    /// `/w/w-<hash>.wasm`
    pub wasm: String,
    /// `/w/w-<hash>.css`
    pub css: String,
    /// `/w/s-<hash>.js`: wasm-split's chunk loader, imported by the glue.
    pub loader: String,
    /// Chunks fetched on first use: label (`search`, `tabs`, `shared_3`)
    /// and `/w/w-<hash>.wasm`.
    pub chunks: Vec<(String, String)>,
}

pub(crate) fn io(ctx: &str) -> impl Fn(std::io::Error) -> StepError + '_ {
    move |e| StepError::new(format!("{ctx}: {e}"), "check disk space and permissions")
}

/// Site output folder served by the Worker's assets binding.
pub fn site_dir(repo: &Path) -> PathBuf {
    repo.join("target/site")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Hash of every file under `paths` (recursively), sorted by path.
pub fn fingerprint(repo: &Path, paths: &[&str]) -> String {
    let mut files = Vec::new();
    for p in paths {
        collect(&repo.join(p), &mut files);
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                let name = e.file_name();
                if name == "target"
                    || name == "build"
                    || name == "node_modules"
                    || name == "fuzz"
                    || name.to_string_lossy().starts_with('.')
                {
                    continue;
                }
                collect(&path, out);
            }
        }
    } else if p.is_file() {
        out.push(p.to_path_buf());
    }
}

/// Where the widget is compiled: its own folder, because its flags
/// ([`widget_cargo`]) differ from the console's, and alternating flags in
/// one folder would recompile Leptos at every switch.
const WIDGET_TARGET: &str = "target/widget-cargo";

/// `cargo build --release --target wasm32-unknown-unknown` of the widget
/// into `target_dir` with extra `args` (features). It passes
/// `--cfg erase_components`, Leptos' switch that type-erases every view's
/// children into `AnyView`: fewer monomorphised render functions, 4% less
/// wasm (brotli) with the same DOM and behaviour.
pub fn widget_cargo(repo: &Path, target_dir: &Path, args: &[&str]) -> Command {
    let mut c = cargo();
    c.args(["build", "--quiet", "-p", "chorus-widget", "--release"])
        .args(["--target", "wasm32-unknown-unknown"])
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1ferase_components")
        .env_remove("RUSTFLAGS")
        .current_dir(repo);
    c
}

/// An app's stylesheet: the Markdown subset's rules shared by the widget
/// and the console (`ui/markdown.css`), then the app's own (`app`), which
/// may refine them.
fn app_css(repo: &Path, app: &str) -> Result<Vec<u8>, StepError> {
    let mut css = std::fs::read(repo.join("ui/markdown.css")).map_err(io("ui/markdown.css"))?;
    css.extend(std::fs::read(repo.join(app)).map_err(io(app))?);
    Ok(css)
}

/// Builds the widget and the static site; returns the hashed file names.
pub fn build_widget(repo: &Path, tools: &Tools) -> Result<WidgetFiles, StepError> {
    let fix = "CARGO_TARGET_DIR=target/widget-cargo RUSTFLAGS='--cfg erase_components' \
               cargo build -p chorus-widget --release --target wasm32-unknown-unknown \
               --features split";
    let target = repo.join(WIDGET_TARGET);
    run(
        &mut widget_cargo(repo, &target, crate::split::FEATURES),
        fix,
    )?;
    let raw = target.join("wasm32-unknown-unknown/release/chorus_widget.wasm");
    let raw_bytes = std::fs::read(&raw).map_err(io("reading the widget wasm"))?;
    let css = app_css(repo, "widget/style.css")?;
    let embed = std::fs::read_to_string(repo.join("www/embed.js")).map_err(io("www/embed.js"))?;
    let stamp_input = {
        // Bump when the pipeline below changes, so the site is rebuilt.
        let mut v = b"pipeline 6: wasm-split, converge (debug info stripped first), no stream exports, minified".to_vec();
        v.extend_from_slice(&raw_bytes);
        v.extend_from_slice(&css);
        v.extend_from_slice(embed.as_bytes());
        v.extend_from_slice(&std::fs::read(repo.join("www/index.html")).unwrap_or_default());
        sha256_hex(&v)
    };
    let site = site_dir(repo);
    let stamp = site.join(".stamp");
    let manifest = site.join("w/manifest.json");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_input.as_str())
        && let Some(files) = read_manifest(&manifest)
    {
        eprintln!("      widget unchanged, reusing {}", files.wasm);
        return Ok(files);
    }

    let bindgen_out = repo.join("target/widget-bindgen");
    let parts = crate::split::split(tools, &raw, &bindgen_out)?;
    let named = crate::split::name(tools, &parts, &bindgen_out)?;
    let css_src = bindgen_out.join("style.css");
    std::fs::write(&css_src, &css).map_err(io("widget stylesheet"))?;
    let css = minify(tools, &css_src, &bindgen_out.join("style.min.css"))?;

    let wdir = site.join("w");
    let _ = std::fs::remove_dir_all(&wdir);
    std::fs::create_dir_all(&wdir).map_err(io("creating target/site/w"))?;
    let css_name = format!("/w/w-{}.css", &sha256_hex(&css)[..10]);
    let mut written = named.files.clone();
    written.push((css_name.clone(), css));
    for (path, bytes) in &written {
        std::fs::write(site.join(path.trim_start_matches('/')), bytes)
            .map_err(io("writing the widget files"))?;
    }
    let path = |i: usize| named.files[i].0.clone();
    let files = WidgetFiles {
        js: path(0),
        loader: path(1),
        wasm: path(2),
        css: css_name,
        chunks: named
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), path(3 + i)))
            .collect(),
    };

    // embed.js: the only unhashed file, templated with the hashed names.
    let templated = embed
        .replace("__WIDGET_JS__", &files.js)
        .replace("__WIDGET_WASM__", &files.wasm)
        .replace("__WIDGET_CSS__", &files.css);
    let tmp = repo.join("target/widget-bindgen/embed.src.js");
    std::fs::write(&tmp, templated).map_err(io("embed.js"))?;
    run_quiet(
        Command::new(tools.esbuild())
            .arg(&tmp)
            .args([
                "--minify",
                "--target=es2018",
                "--legal-comments=none",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", site.join("embed.js").display())),
        "cargo xtask demo (reinstalls the npm tools, which bring esbuild)",
    )?;
    std::fs::copy(repo.join("www/index.html"), site.join("index.html"))
        .map_err(io("index.html"))?;
    let m = serde_json::json!({
        "js": files.js,
        "wasm": files.wasm,
        "css": files.css,
        "loader": files.loader,
        "chunks": files.chunks,
    });
    std::fs::write(&manifest, m.to_string()).map_err(io("manifest"))?;
    std::fs::write(&stamp, stamp_input).map_err(io("stamp"))?;
    Ok(files)
}

/// `wasm-bindgen --target web` of `input` into `out` as `chorus_widget.js`
/// and `chorus_widget_bg.wasm`; `extra` are more flags.
pub(crate) fn bindgen_web(
    tools: &Tools,
    input: &Path,
    out: &Path,
    extra: &[&str],
) -> Result<(), StepError> {
    run(
        Command::new(&tools.wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
            ])
            .args(extra)
            .args(["--out-name", "chorus_widget", "--out-dir"])
            .arg(out)
            .arg(input),
        "cargo xtask demo (reinstalls wasm-bindgen-cli matching Cargo.lock)",
    )
}

/// `wasm-opt -Oz --converge` (repeated while the module still shrinks) of
/// `input` into `dst` with the widget's wasm features and `extra` flags;
/// returns the optimised bytes.
pub(crate) fn wasm_opt_oz(
    tools: &Tools,
    input: &Path,
    dst: &Path,
    extra: &[&str],
) -> Result<Vec<u8>, StepError> {
    run_quiet(
        Command::new(tools.wasm_opt())
            .args(extra)
            .args(["-Oz", "--converge"])
            .args(crate::split::WASM_OPT_FEATURES)
            .arg(input)
            .arg("-o")
            .arg(dst)
            .env("PATH", tools.path_env()),
        "rm -rf ~/.cache/chorus/tools/npm-* && cargo xtask demo (reinstalls npm binaryen)",
    )?;
    std::fs::read(dst).map_err(io("optimised wasm"))
}

/// `wasm-bindgen --target web`, `wasm-opt -Oz --converge` and esbuild (the
/// glue JS) of a built widget wasm into `out` (emptied first); returns the
/// minified glue JS and the optimised wasm.
pub fn bindgen_and_optimise(
    tools: &Tools,
    raw: &Path,
    out: &Path,
) -> Result<(Vec<u8>, Vec<u8>), StepError> {
    let _ = std::fs::remove_dir_all(out);
    bindgen_web(tools, raw, out, &[])?;
    // wasm-streams (pulled in by Leptos' server functions, which the widget
    // never calls) exports `IntoUnderlying*` classes for JS; dropping their
    // exports lets -Oz drop their code.
    let wasm = wasm_opt_oz(
        tools,
        &out.join("chorus_widget_bg.wasm"),
        &out.join("chorus_widget_opt.wasm"),
        &[
            "--remove-exports",
            "--pass-arg=remove-exports@*intounderlying*",
        ],
    )?;
    // The glue is minified in place, so pages importing `chorus_widget.js`
    // (the bench) load what the widget ships.
    let glue = out.join("chorus_widget.js");
    let src = out.join("chorus_widget.src.js");
    std::fs::rename(&glue, &src).map_err(io("bindgen js"))?;
    let js = minify(tools, &src, &glue)?;
    Ok((js, wasm))
}

/// `esbuild --minify` of `src` (JS module or CSS, by extension) into `out`;
/// returns the minified bytes.
pub(crate) fn minify(tools: &Tools, src: &Path, out: &Path) -> Result<Vec<u8>, StepError> {
    run_quiet(
        Command::new(tools.esbuild())
            .arg(src)
            .args([
                "--minify",
                "--target=es2020",
                "--legal-comments=none",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", out.display())),
        "cargo xtask demo (reinstalls the npm tools, which bring esbuild)",
    )?;
    std::fs::read(out).map_err(io("minified file"))
}

fn read_manifest(p: &Path) -> Option<WidgetFiles> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
    Some(WidgetFiles {
        js: v["js"].as_str()?.to_string(),
        wasm: v["wasm"].as_str()?.to_string(),
        css: v["css"].as_str()?.to_string(),
        loader: v["loader"].as_str()?.to_string(),
        chunks: serde_json::from_value(v["chunks"].clone()).ok()?,
    })
}

/// Builds the agents' console into `target/site/console/`: content-hashed
/// `c-<hash>.{js,wasm,css}`, a hashed boot module, and an `index.html` that
/// loads them (served at `/console/`). Same pipeline as the widget; never
/// part of its bundle.
pub fn build_console(repo: &Path, tools: &Tools) -> Result<(), StepError> {
    run(
        cargo()
            .args([
                "build",
                "--quiet",
                "-p",
                "chorus-console",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .current_dir(repo),
        "cargo build -p chorus-console --release --target wasm32-unknown-unknown",
    )?;
    let raw = repo.join("target/wasm32-unknown-unknown/release/chorus_console.wasm");
    let raw_bytes = std::fs::read(&raw).map_err(io("reading the console wasm"))?;
    let css = app_css(repo, "console/style.css")?;
    let page = std::fs::read_to_string(repo.join("console/index.html"))
        .map_err(io("console/index.html"))?;
    let stamp_input = {
        let mut v = raw_bytes;
        v.extend_from_slice(&css);
        v.extend_from_slice(page.as_bytes());
        sha256_hex(&v)
    };
    let out = site_dir(repo).join("console");
    let stamp = repo.join("target/.console-stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_input.as_str())
        && out.join("index.html").exists()
    {
        eprintln!("      console unchanged, reusing target/site/console");
        return Ok(());
    }
    // Per process: several checkouts' builds may share the target folder.
    let bindgen_out = repo.join(format!("target/console-bindgen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&bindgen_out);
    run(
        Command::new(&tools.wasm_bindgen)
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--remove-name-section",
                "--remove-producers-section",
                "--out-name",
                "chorus_console",
                "--out-dir",
            ])
            .arg(&bindgen_out)
            .arg(&raw),
        "cargo xtask demo (reinstalls wasm-bindgen-cli matching Cargo.lock)",
    )?;
    let bg = bindgen_out.join("chorus_console_bg.wasm");
    let opt = bindgen_out.join("chorus_console_opt.wasm");
    run_quiet(
        Command::new(tools.wasm_opt())
            .arg("-Oz")
            .args(crate::split::WASM_OPT_FEATURES)
            .arg(&bg)
            .arg("-o")
            .arg(&opt)
            .env("PATH", tools.path_env()),
        "rm -rf ~/.cache/chorus/tools/npm-* && cargo xtask demo (reinstalls npm binaryen)",
    )?;
    let wasm = std::fs::read(&opt).map_err(io("optimised console wasm"))?;
    let js = std::fs::read(bindgen_out.join("chorus_console.js")).map_err(io("console js"))?;
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(io("creating target/site/console"))?;
    let name = |bytes: &[u8], ext: &str| format!("c-{}.{ext}", &sha256_hex(bytes)[..10]);
    let (js_name, wasm_name, css_name) = (name(&js, "js"), name(&wasm, "wasm"), name(&css, "css"));
    for (file, bytes) in [(&js_name, &js), (&wasm_name, &wasm), (&css_name, &css)] {
        std::fs::write(out.join(file), bytes).map_err(io("writing the console files"))?;
    }
    // A file, not an inline script, so the page's CSP can be `script-src 'self'`.
    let boot = format!(
        "import init from \"/console/{js_name}\";\ninit({{ module_or_path: \"/console/{wasm_name}\" }});\n"
    );
    let boot_name = name(boot.as_bytes(), "js");
    std::fs::write(out.join(&boot_name), &boot).map_err(io("writing the console boot"))?;
    let html = page
        .replace("__CONSOLE_BOOT__", &format!("/console/{boot_name}"))
        .replace("__CONSOLE_JS__", &format!("/console/{js_name}"))
        .replace("__CONSOLE_CSS__", &format!("/console/{css_name}"));
    std::fs::write(out.join("index.html"), html).map_err(io("console index.html"))?;
    std::fs::write(&stamp, stamp_input).map_err(io("console stamp"))?;
    let _ = std::fs::remove_dir_all(&bindgen_out);
    Ok(())
}

/// Builds the Worker with worker-build (release), pointing it at our cached
/// wasm-bindgen, wasm-opt and esbuild so it never downloads anything.
pub fn build_worker(repo: &Path, tools: &Tools) -> Result<(), StepError> {
    copy_model(repo)?;
    let fp = fingerprint(repo, &["edge", "core", "Cargo.lock", "Cargo.toml"]);
    let edge = repo.join("edge");
    let stamp = repo.join("target/.edge-stamp");
    if edge.join("build/worker/shim.mjs").exists()
        && std::fs::read_to_string(&stamp).ok() == Some(fp.clone())
    {
        eprintln!("      worker unchanged, reusing edge/build");
        return crate::worker_js::patch(&edge.join("build/index.js"));
    }
    run(
        Command::new(&tools.worker_build)
            .arg("--release")
            .current_dir(&edge)
            .env("PATH", tools.path_env())
            .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
            .env("WASM_OPT_BIN", tools.wasm_opt())
            .env("ESBUILD_BIN", tools.esbuild())
            .env("CARGO_TARGET_DIR", repo.join("target")),
        "cd edge && worker-build --release (see the error above)",
    )?;
    crate::worker_js::patch(&edge.join("build/index.js"))?;
    std::fs::create_dir_all(repo.join("target")).map_err(io("target"))?;
    std::fs::write(&stamp, fp).map_err(io("edge stamp"))?;
    Ok(())
}

/// The duplicate detector's embedding table is a static asset the brand
/// object fetches on first use (`edge/src/dedupe.rs`), not part of the
/// Worker's wasm.
fn copy_model(repo: &Path) -> Result<(), StepError> {
    let dir = repo.join("target/site/model");
    std::fs::create_dir_all(&dir).map_err(io("target/site/model"))?;
    for f in ["chorus-static-256.bin", "vocab.txt"] {
        let from = repo.join("core/model").join(f);
        let to = dir.join(f);
        let same = std::fs::metadata(&to)
            .ok()
            .zip(std::fs::metadata(&from).ok())
            .is_some_and(|(a, b)| a.len() == b.len() && a.modified().ok() >= b.modified().ok());
        if !same {
            std::fs::copy(&from, &to).map_err(io("copying the embedding model"))?;
        }
    }
    Ok(())
}
