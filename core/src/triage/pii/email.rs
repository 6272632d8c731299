//! E-mail addresses.

use super::*;

pub(super) fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

pub(super) fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

pub(super) fn find_emails(text: &str, out: &mut Vec<PiiSpan>) {
    let mut last_end = 0;
    for (at, _) in text.match_indices('@') {
        if at < last_end {
            continue;
        }
        let mut start = at;
        // Bounded scans (RFC 5321 limits) keep this linear on hostile input.
        for (i, c) in text[last_end..at].char_indices().rev().take(64) {
            if is_local_char(c) {
                start = last_end + i;
            } else {
                break;
            }
        }
        while start < at && text.as_bytes()[start] == b'.' {
            start += 1;
        }
        if start == at {
            continue;
        }
        let mut end = at + 1;
        for (i, c) in text[at + 1..].char_indices().take(255) {
            if is_domain_char(c) {
                end = at + 1 + i + c.len_utf8();
            } else {
                break;
            }
        }
        while end > at + 1 && matches!(text.as_bytes()[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[at + 1..end];
        let labels: Vec<&str> = domain.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic));
        if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok {
            out.push(PiiSpan {
                kind: PiiKind::Email,
                start,
                end,
            });
            last_end = end;
        }
    }
}
