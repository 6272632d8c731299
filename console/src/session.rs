//! The tab's sessionStorage: brand, token and language live only as long as
//! the tab, so closing it signs the agent out.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Reads a key prefixed with `chorus.`.
pub fn get(key: &str) -> Option<String> {
    storage()?
        .get_item(&format!("chorus.{key}"))
        .ok()?
        .filter(|v| !v.is_empty())
}

/// Writes a key.
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(&format!("chorus.{key}"), value);
    }
}

/// Removes a key.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&format!("chorus.{key}"));
    }
}
