//! The last knowledge base seen, kept in localStorage so that reopening the
//! widget (on this page or after a reload) renders at once, before the
//! network answers.
//!
//! One item per brand, `chorus:kb:{brand}`, holding `ETag` + newline + the
//! `/kb` body exactly as received: one write, so the ETag and the body can
//! never disagree. Storage may be missing, full or forbidden (private
//! modes, sandboxed frames); every failure just means "no cache".

fn key(brand: &str) -> String {
    format!("chorus:kb:{brand}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The cached `(etag, body)` for `brand`.
pub fn load(brand: &str) -> Option<(String, String)> {
    let item = storage()?.get_item(&key(brand)).ok().flatten()?;
    let (etag, body) = item.split_once('\n')?;
    (!etag.is_empty()).then(|| (etag.to_string(), body.to_string()))
}

/// Keeps `(etag, body)` for `brand`; drops the old entry when it does not fit.
pub fn save(brand: &str, etag: &str, body: &str) {
    let Some(s) = storage() else { return };
    if etag.contains('\n') || s.set_item(&key(brand), &format!("{etag}\n{body}")).is_err() {
        let _ = s.remove_item(&key(brand));
    }
}
