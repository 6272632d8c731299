//! One change to worker-build's bundle (`edge/build/index.js`): the brand
//! object's class is declared a `DurableObject` subclass.
//!
//! The Worker calls the object's `ask` over Workers RPC
//! (`edge/src/rpc.rs`), and the runtime serves RPC only on classes that
//! derive from `DurableObject` (from `cloudflare:workers`). worker-build
//! 0.8.7 declares that for its emscripten output only; this appends the
//! same two `Object.setPrototypeOf` calls for ours. The class keeps its own
//! constructor, as in worker-build's emscripten shim.

use std::path::Path;

use crate::build::io;
use crate::steps::StepError;

/// The Durable Object class the Worker exports.
const CLASS: &str = "BrandObject";
/// Marks a bundle already changed.
const MARK: &str = "__chorusDurableObject";

/// Applies [`declare_durable_object`] to the bundle at `index_js`.
pub fn patch(index_js: &Path) -> Result<(), StepError> {
    let js = std::fs::read_to_string(index_js).map_err(io("reading edge/build/index.js"))?;
    let out = declare_durable_object(&js, CLASS).ok_or_else(|| {
        StepError::new(
            format!(
                "edge/build/index.js does not export {CLASS} as worker-build 0.8.7 does \
                 (`export{{… as {CLASS}…}}`)"
            ),
            "check xtask/src/worker_js.rs against the worker-build version in xtask/src/tools.rs",
        )
    })?;
    if out != js {
        std::fs::write(index_js, out).map_err(io("writing edge/build/index.js"))?;
    }
    Ok(())
}

/// `js` with `class` (as named in its final `export{…}` clause) deriving
/// from `DurableObject`; unchanged if already done; `None` when the bundle
/// does not export `class` that way.
pub fn declare_durable_object(js: &str, class: &str) -> Option<String> {
    if js.contains(MARK) {
        return Some(js.to_string());
    }
    let clause = &js[js.rfind("export{")?..];
    let clause = &clause[..clause.find('}')?];
    let local = clause["export{".len()..].split(',').find_map(|item| {
        let (local, exported) = item.split_once(" as ")?;
        (exported.trim() == class).then(|| local.trim())
    })?;
    if local.is_empty()
        || !local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    Some(format!(
        "{js}\nimport{{DurableObject as {MARK}}}from\"cloudflare:workers\";\
         Object.setPrototypeOf({local}.prototype,{MARK}.prototype);\
         Object.setPrototypeOf({local},{MARK});\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exported_class_derives_from_durable_object_once() {
        let js = "var I=class{};var Wt=new Proxy(I,P);export{Wt as BrandObject,St as Other,kt as default};";
        let out = declare_durable_object(js, "BrandObject").unwrap();
        assert!(out.starts_with(js));
        assert!(
            out.contains("Object.setPrototypeOf(Wt.prototype,__chorusDurableObject.prototype)")
        );
        assert!(out.contains("Object.setPrototypeOf(Wt,__chorusDurableObject)"));
        assert_eq!(declare_durable_object(&out, "BrandObject").unwrap(), out);
    }

    #[test]
    fn a_bundle_without_the_class_is_refused() {
        assert_eq!(
            declare_durable_object("export{a as BrandObjectX};", "BrandObject"),
            None
        );
        assert_eq!(
            declare_durable_object("export default 1;", "BrandObject"),
            None
        );
        assert_eq!(
            declare_durable_object("export{x.y as BrandObject};", "BrandObject"),
            None
        );
    }
}
