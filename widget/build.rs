//! With the `split` feature, the linked wasm keeps its relocations
//! (`--emit-relocs`): `wasm-split-cli` needs them to cut the module into the
//! main module and the chunks of the `#[wasm_split]` functions.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if split && wasm {
        println!("cargo:rustc-link-arg-cdylib=--emit-relocs");
    }
}
