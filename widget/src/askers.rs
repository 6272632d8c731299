//! The customer's asker tokens and the answers they have already seen,
//! kept in localStorage per brand.
//!
//! `chorus:askers:{brand}`: tokens separated by commas, the first one sent
//! back on every later ask (`Authorization: Asker <token>`) so that one
//! customer keeps one token. `chorus:seen:{brand}`: ids of questions whose
//! answer the customer has seen in "My questions"; an answered question not
//! in it puts the badge on the launcher. Storage may be missing or full:
//! then tokens live as long as the page.

/// The edge accepts at most this many tokens per request.
const MAX_TOKENS: usize = 50;
/// Seen ids kept (the edge lists at most 200 questions).
const MAX_SEEN: usize = 200;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &str) -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(key).ok().flatten())
        .map(|v| {
            v.split(',')
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn write(key: &str, items: &[String]) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, &items.join(","));
    }
}

/// The asker tokens for `brand`, oldest first.
pub fn tokens(brand: &str) -> Vec<String> {
    let mut t = read(&format!("chorus:askers:{brand}"));
    t.truncate(MAX_TOKENS);
    t
}

/// Keeps `token` (a new one goes last; the first stays the one reused).
pub fn add_token(brand: &str, token: &str) {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return;
    }
    let mut t = tokens(brand);
    if !t.iter().any(|x| x == token) && t.len() < MAX_TOKENS {
        t.push(token.to_string());
        write(&format!("chorus:askers:{brand}"), &t);
    }
}

/// Question ids whose answer the customer has seen.
pub fn seen(brand: &str) -> Vec<String> {
    read(&format!("chorus:seen:{brand}"))
}

/// Records `ids` as seen.
pub fn set_seen(brand: &str, ids: &[String]) {
    let ids = &ids[..ids.len().min(MAX_SEEN)];
    write(&format!("chorus:seen:{brand}"), ids);
}

/// Adds `id` to the seen answers (an answer shown at once on asking).
pub fn add_seen(brand: &str, id: &str) {
    let mut ids = seen(brand);
    if !ids.iter().any(|x| x == id) {
        ids.insert(0, id.to_string());
        set_seen(brand, &ids);
    }
}
