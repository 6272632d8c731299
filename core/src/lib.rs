//! chorus-core: the pure logic shared by the edge, the widget and the console.
//!
//! No I/O, no clocks, no unseeded randomness: everything here is deterministic
//! and tested natively with `cargo test`.

pub mod api;
pub mod dedupe;
pub mod markdown;
pub mod normalize;
pub mod search;
pub mod triage;
