//! Spam and troll heuristics: links, a blocklist on folded whole words,
//! repetition, shouting and keyboard mashing. Each check is a pure function
//! returning a short audit detail when it fires.

use super::text::{Word, fold_char, words};
use std::collections::HashSet;
use std::ops::Range;

// ---------------------------------------------------------------- links

/// At most this many links in one question (a product page and a photo are
/// fine; three is a spam pattern).
pub const MAX_LINKS: usize = 2;
/// A question with an explicit link (`http(s)://`, `www.`) needs at least this
/// many other words, so a bare "check this http://…" is rejected.
pub const MIN_WORDS_WITH_EXPLICIT_LINK: usize = 3;
/// A question with a bare domain (`casino.com`) needs at least this many
/// other words.
pub const MIN_WORDS_WITH_BARE_DOMAIN: usize = 2;

/// Top-level domains recognised in bare domains (`bit.ly`, `shop.es`). Kept
/// short and free of words that end English/Spanish sentences when a space is
/// forgotten (`it.It`, `me`, `in`, `is`, `to`, `at`…).
const TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "info", "biz", "xyz", "ru", "cn", "top", "ly", "app", "shop",
    "online", "site", "club", "link", "click", "store", "live", "pro", "us", "uk", "de", "fr",
    "es", "mx", "ar", "cl", "tk", "ml", "ga", "cf", "gq", "pw", "cc", "tv", "ws", "gg", "eu",
    "cat", "icu", "vip", "win", "bid", "loan", "work", "fun", "space", "website", "tech",
];

/// URL shorteners: a customer has no reason to hide where a link goes, so
/// any link through one is rejected.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "x.co",
    "tiny.cc",
    "rb.gy",
    "t.ly",
    "s.id",
    "v.gd",
];

/// A link found in a text.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub range: Range<usize>,
    /// `http(s)://` or `www.`; otherwise a bare domain.
    pub explicit: bool,
    /// Through a URL shortener.
    pub shortener: bool,
}

/// The host of a link chunk: scheme, `user@` and path stripped, lowercase.
fn host_of(chunk: &str) -> String {
    let lower = chunk.to_ascii_lowercase();
    let rest = lower.rsplit("://").next().unwrap_or("");
    let rest = rest.split(['/', '?', '#']).next().unwrap_or("");
    let rest = rest.rsplit('@').next().unwrap_or("");
    rest.strip_prefix("www.").unwrap_or(rest).to_string()
}

fn is_bare_domain(s: &str) -> bool {
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let tld = labels
        .last()
        .map(|t| t.to_ascii_lowercase())
        .unwrap_or_default();
    labels_ok
        && TLDS.contains(&tld.as_str())
        && labels[..labels.len() - 1]
            .iter()
            .any(|l| l.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// Finds links: whitespace-separated chunks (surrounding punctuation trimmed)
/// that hold `http://`/`https://` (each occurrence counts), start with
/// `www.`, or are a bare domain with a TLD from the list. E-mail addresses
/// are not links.
pub(crate) fn find_links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let mut pos = 0;
    for chunk in text.split(char::is_whitespace) {
        let chunk_start = pos;
        pos += chunk.len()
            + text[pos + chunk.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        let trimmed_start = chunk.trim_start_matches(|c: char| !c.is_alphanumeric());
        let lead = chunk.len() - trimmed_start.len();
        let core = trimmed_start.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '/');
        if core.is_empty() {
            continue;
        }
        let range = chunk_start + lead..chunk_start + lead + core.len();
        let lower = core.to_ascii_lowercase();
        let schemes = lower.matches("http://").count() + lower.matches("https://").count();
        let shortener = SHORTENERS.contains(&host_of(core).as_str());
        let link = |explicit| Link {
            range: range.clone(),
            explicit,
            shortener,
        };
        if schemes > 0 {
            out.extend((0..schemes).map(|_| link(true)));
        } else if lower.starts_with("www.") {
            out.push(link(true));
        } else if !core.contains('@') && is_bare_domain(core) {
            out.push(link(false));
        }
    }
    out
}

/// The links rule: a shortened link, too many links, or a link with hardly
/// any question around it.
pub(crate) fn check_links(links: &[Link], other_words: usize) -> Option<String> {
    if links.iter().any(|l| l.shortener) {
        return Some("a shortened link".to_string());
    }
    if links.len() > MAX_LINKS {
        return Some(format!("{} links (at most {MAX_LINKS})", links.len()));
    }
    let explicit = links.iter().any(|l| l.explicit);
    if explicit && other_words < MIN_WORDS_WITH_EXPLICIT_LINK {
        return Some(format!("a link with only {other_words} other words"));
    }
    if !links.is_empty() && other_words < MIN_WORDS_WITH_BARE_DOMAIN {
        return Some(format!("a domain with only {other_words} other words"));
    }
    None
}

// ---------------------------------------------------------------- blocklist

/// Built-in blocklist, English and Spanish, folded (lowercase, no accents;
/// `ñ` kept). Abuse a brand never wants in its public feed, and spam phrases.
/// Matched on whole words, so `Scunthorpe` or `class` are never hit.
pub const BUILTIN_BLOCKLIST: &[&str] = &[
    // English abuse
    "fuck",
    "fucking",
    "fucked",
    "fucker",
    "fuckers",
    "motherfucker",
    "fck",
    "fuk",
    "shit",
    "bullshit",
    "shitty",
    "bitch",
    "bitches",
    "asshole",
    "assholes",
    "cunt",
    "cunts",
    "dickhead",
    "retard",
    "retarded",
    "wanker",
    "twat",
    "slut",
    "whore",
    "scumbag",
    "stfu",
    "kys",
    "kill yourself",
    // Spanish abuse
    "puta",
    "putas",
    "puto",
    "putos",
    "mierda",
    "gilipollas",
    "cabron",
    "cabrones",
    "pendejo",
    "pendejos",
    "coño",
    "imbecil",
    "imbeciles",
    "subnormal",
    "maricon",
    "capullo",
    "malparido",
    "hijueputa",
    "verga",
    "culero",
    "chinga",
    "chingada",
    "mamon",
    "hijo de puta",
    "me cago en",
    // Spam (English)
    "buy followers",
    "buy likes",
    "free followers",
    "cheap followers",
    "casino",
    "casinos",
    "crypto giveaway",
    "bitcoin giveaway",
    "free bitcoin",
    "free crypto",
    "viagra",
    "cialis",
    "porn",
    "porno",
    "xxx",
    "onlyfans",
    "make money fast",
    "earn money online",
    "click here",
    "forex signals",
    "binary options",
    "sugar daddy",
    "seo services",
    "backlinks",
    "payday loan",
    "work from home and earn",
    "double your bitcoin",
    "hot singles",
    "singles in your area",
    "check my profile",
    "visit my profile",
    "free iphone",
    "iphone giveaway",
    "you have won",
    "claim your prize",
    // Spam (Spanish)
    "compra seguidores",
    "comprar seguidores",
    "seguidores gratis",
    "gana dinero",
    "ganar dinero rapido",
    "dinero facil",
    "dinero rapido",
    "sorteo cripto",
    "criptomonedas gratis",
    "bitcoin gratis",
    "haz clic aqui",
    "prestamo rapido",
    "apuestas online",
    "has ganado",
    "reclama tu premio",
    "mira mi perfil",
    "iphone gratis",
];

/// Leetspeak digits as letters, applied only inside words that also have a
/// letter (`c4sino`, `sh1t`), never to plain numbers.
fn unleet(word: &str) -> Option<String> {
    let has_letter = word.chars().any(char::is_alphabetic);
    let has_digit = word.chars().any(|c| c.is_ascii_digit());
    (has_letter && has_digit).then(|| {
        word.chars()
            .map(|c| match c {
                '0' => 'o',
                '1' => 'i',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '7' => 't',
                '8' => 'b',
                other => other,
            })
            .collect()
    })
}

/// Runs of three or more identical letters squeezed to one and to two
/// (`fuuuuck` → `fuck`, `caaasino` → `casino`; `puttta` → `puta`/`putta`).
fn squeeze(word: &str) -> Option<[String; 2]> {
    let chars: Vec<char> = word.chars().collect();
    let has_run = chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]);
    if !has_run {
        return None;
    }
    let mut one = String::new();
    let mut two = String::new();
    let mut run = 0;
    let mut prev = None;
    for &c in &chars {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        if run == 1 {
            one.push(c);
        }
        if run <= 2 {
            two.push(c);
        }
    }
    Some([one, two])
}

/// The forms a word is matched under: itself, un-leeted, squeezed.
fn variants(word: &str) -> Vec<String> {
    let mut v = vec![word.to_string()];
    if let Some(u) = unleet(word) {
        v.push(u);
    }
    for base in v.clone() {
        if let Some([one, two]) = squeeze(&base) {
            v.push(one);
            v.push(two);
        }
    }
    v
}

/// Folds a blocklist entry into its words.
fn entry_words(entry: &str) -> Vec<String> {
    words(entry).into_iter().map(|w| w.folded).collect()
}

/// The first blocklist entry (built-in, then the brand's `extra`) found as a
/// sequence of whole folded words in `ws`.
pub(crate) fn check_blocklist(ws: &[Word], extra: &[String]) -> Option<String> {
    let forms: Vec<Vec<String>> = ws.iter().map(|w| variants(&w.folded)).collect();
    // Every form present, to skip entries whose first word is absent.
    let present: HashSet<&str> = forms.iter().flatten().map(String::as_str).collect();
    let hit = |entry: &[&str]| {
        !entry.is_empty()
            && entry.len() <= forms.len()
            && present.contains(entry[0])
            && forms.windows(entry.len()).any(|win| {
                win.iter()
                    .zip(entry)
                    .all(|(forms, want)| forms.iter().any(|f| f == want))
            })
    };
    // Built-in entries are stored folded, one space between words.
    for e in BUILTIN_BLOCKLIST {
        let entry: Vec<&str> = e.split(' ').collect();
        if hit(&entry) {
            return Some(format!("blocked term \"{e}\""));
        }
    }
    for e in extra {
        let owned = entry_words(e);
        let entry: Vec<&str> = owned.iter().map(String::as_str).collect();
        if hit(&entry) {
            return Some(format!("blocked term \"{}\"", entry.join(" ")));
        }
    }
    None
}

// ---------------------------------------------------------------- repetition

/// The same letter this many times in a row is repetition (`holaaaaaaaa`).
pub const MAX_LETTER_RUN: usize = 7;
/// The same symbol this many times in a row is repetition (`!!!!!!!!!!`).
pub const MAX_SYMBOL_RUN: usize = 9;
/// The same word this many times in a row is repetition (`buy buy buy buy`).
pub const MAX_SAME_WORD_RUN: usize = 3;

/// Repeated characters, repeated words, a text that is one phrase over and
/// over, or one word dominating a long text. Digits are never counted
/// (`1000000000`).
pub(crate) fn check_repetition(text: &str, ws: &[Word]) -> Option<String> {
    let mut prev: Option<char> = None;
    let mut run = 0;
    for c in text.chars() {
        let c = fold_char(c);
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        let limit = if c.is_alphabetic() {
            MAX_LETTER_RUN
        } else if c.is_whitespace() || c.is_numeric() {
            usize::MAX
        } else {
            MAX_SYMBOL_RUN
        };
        if run > limit {
            return Some(format!("'{c}' repeated {run} times"));
        }
    }
    let folded: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
    let mut same = 1;
    for pair in folded.windows(2) {
        same = if pair[0] == pair[1] { same + 1 } else { 1 };
        if same > MAX_SAME_WORD_RUN {
            return Some(format!("\"{}\" repeated {same} times", pair[0]));
        }
    }
    // The whole text is one phrase (of up to 20 words) said three times or more.
    let n = folded.len();
    for p in 1..=20.min(n / 3) {
        if (p..n).all(|i| folded[i] == folded[i - p]) {
            return Some(format!("a {p}-word phrase repeated {} times", n / p));
        }
    }
    // One word (of 3+ letters) is more than 40% of a text of 10+ words.
    if n >= 10 {
        let mut sorted = folded.clone();
        sorted.sort_unstable();
        for run in sorted.chunk_by(|a, b| a == b) {
            let (w, count) = (run[0], run.len());
            if w.chars().count() >= 3 && count * 10 > n * 4 {
                return Some(format!("\"{w}\" is {count} of {n} words"));
            }
        }
    }
    None
}

// ---------------------------------------------------------------- shouting

/// Shouting needs at least this many cased letters: short all-caps questions
/// (`WHERE IS MY ORDER?`, `DHL OR UPS?`) are fine.
pub const SHOUTING_MIN_LETTERS: usize = 40;
/// Share of uppercase among cased letters, in percent, that counts as shouting.
pub const SHOUTING_UPPER_PERCENT: usize = 90;

/// Long text written (almost) all in capitals.
pub(crate) fn check_shouting(ws: &[Word]) -> Option<String> {
    let letters: usize = ws.iter().map(|w| w.letters).sum();
    let upper: usize = ws.iter().map(|w| w.upper).sum();
    (letters >= SHOUTING_MIN_LETTERS && upper * 100 >= letters * SHOUTING_UPPER_PERCENT)
        .then(|| format!("{upper} of {letters} letters in capitals"))
}

// ---------------------------------------------------------------- gibberish

/// Keyboard-row sequences that no English or Spanish word contains
/// (`erty` is left out: `property`).
const KEYBOARD_RUNS: &[&str] = &[
    "qwer", "rtyu", "tyui", "yuio", "uiop", "asdf", "sdfg", "dfgh", "fghj", "ghjk", "hjkl", "jklñ",
    "zxcv", "xcvb", "cvbn", "vbnm",
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Whether one folded, letters-only word looks mashed: a keyboard-row run;
/// unless it is `Titlecase`: no vowel at all (5+ letters), under 20% vowels
/// (10+ letters), six consonants in a row, or a 3-letter
/// chunk repeated three times or more (`asdasdasd`; `jajaja` is spared).
fn is_mashed(word: &str, titlecase: bool) -> bool {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if KEYBOARD_RUNS.iter().any(|k| word.contains(k)) {
        return true;
    }
    if titlecase {
        // Proper nouns may be Welsh, Polish, brand names (`Crwth`, `Szczecin`).
        return false;
    }
    if n >= 5 && !chars.iter().any(|&c| is_vowel(c)) {
        return true;
    }
    // Long words need some vowels (`ajsdhkajsdh`: 2 in 11).
    let vowels = chars.iter().filter(|&&c| is_vowel(c)).count();
    if n >= 10 && vowels * 5 < n {
        return true;
    }
    let mut consonants = 0;
    for &c in &chars {
        consonants = if is_vowel(c) { 0 } else { consonants + 1 };
        if consonants >= 6 {
            return true;
        }
    }
    n >= 9 && (3..n).all(|i| chars[i] == chars[i - 3])
}

/// Gibberish among the considered words: words of 4+ Latin letters (other
/// scripts have other vowels and are never judged), skipping short all-caps
/// acronyms (`HDMI`, `HTTPS`). Fires when at least
/// half of them look mashed, or when they have fewer than 20% vowels over
/// 15+ letters.
pub(crate) fn check_gibberish(ws: &[Word]) -> Option<String> {
    let considered: Vec<&Word> = ws
        .iter()
        .filter(|w| w.letters >= 4 && w.folded.chars().all(|c| c.is_ascii_lowercase() || c == 'ñ'))
        .filter(|w| !(w.upper == w.letters && w.letters <= 5))
        .collect();
    if considered.is_empty() {
        return None;
    }
    let mashed: Vec<&str> = considered
        .iter()
        .filter(|w| is_mashed(&w.folded, w.first_upper && w.upper == 1))
        .map(|w| w.folded.as_str())
        .collect();
    if !mashed.is_empty() && mashed.len() * 2 >= considered.len() {
        return Some(format!(
            "{} of {} words look mashed",
            mashed.len(),
            considered.len()
        ));
    }
    let letters: usize = considered.iter().map(|w| w.folded.chars().count()).sum();
    let vowels: usize = considered
        .iter()
        .map(|w| w.folded.chars().filter(|&c| is_vowel(c)).count())
        .sum();
    if letters >= 15 && vowels * 5 < letters {
        return Some(format!("{vowels} vowels in {letters} letters"));
    }
    None
}

#[cfg(test)]
#[path = "spam_tests.rs"]
mod tests;
