//! `cargo xtask eval search`: knowledge-base search quality on real FAQ data.
//!
//! Indexes the articles, runs every query and reports MRR@5 and recall@5 for
//! the queries as written, for typo'd copies (seeded edits) and for copies
//! cut in the middle of their last word (the widget searches while the
//! customer types). The last line is the plain figure, in a fixed format
//! that scripts read: `mrr@5=0.xxx recall@5=0.xxx n=N`.
//!
//! Files: articles `id TAB title TAB body`, queries `query TAB id`.
//! `--set name=value` overrides one ranking parameter (for tuning runs).

use std::path::{Path, PathBuf};

use crate::rng::SplitMix;
use chorus_core::api::Article;
use chorus_core::normalize;
use chorus_core::search::{Ranking, SearchIndex, SearchOptions};

/// Results cut-off of the metrics.
const K: usize = 5;

/// Entry point called by `cargo xtask`; `args` are the arguments after the subcommand.
pub fn run(args: &[String], repo: &Path) -> Result<(), String> {
    let mut articles: Option<PathBuf> = None;
    let mut queries: Option<PathBuf> = None;
    let mut ranking = Ranking::default();
    let mut show_misses = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--articles" => articles = it.next().map(|p| repo.join(p)),
            "--queries" => queries = it.next().map(|p| repo.join(p)),
            "--set" => {
                let kv = it.next().ok_or("--set needs name=value")?;
                set_param(&mut ranking, kv)?;
            }
            "--misses" => show_misses = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let usage = "usage: cargo xtask eval search --articles FILE --queries FILE [--set name=value]";
    let articles = read_articles(&articles.ok_or(usage)?)?;
    let queries = read_queries(&queries.ok_or(usage)?)?;
    if queries.is_empty() {
        return Err("no queries".into());
    }
    let mut langs = [0usize; 2];
    for a in &articles {
        langs[usize::from(a.lang == "es")] += 1;
    }
    let index = SearchIndex::with_ranking(&articles, ranking);
    println!(
        "articles={} (en {}, es {}) terms={} queries={}",
        articles.len(),
        langs[0],
        langs[1],
        index.term_count(),
        queries.len()
    );

    let typing = SearchOptions {
        limit: K,
        ..SearchOptions::default()
    };
    let submitted = SearchOptions {
        as_you_type: false,
        ..typing
    };
    let mut rng = SplitMix(42);
    let typo: Vec<(String, String)> = queries
        .iter()
        .map(|(q, id)| (typo_query(q, &mut rng), id.clone()))
        .collect();
    let mut rng = SplitMix(7);
    let prefix: Vec<(String, String)> = queries
        .iter()
        .map(|(q, id)| (cut_last_word(q, &mut rng), id.clone()))
        .collect();

    if show_misses {
        print_misses(&index, &articles, &queries, &typing);
    }
    let plain = evaluate(&index, &queries, &typing);
    let whole = evaluate(&index, &queries, &submitted);
    let typo = evaluate(&index, &typo, &typing);
    let prefix = evaluate(&index, &prefix, &typing);
    println!("submitted (no prefix on last word): {}", whole.line());
    println!("typo: {}", typo.line());
    println!("prefix: {}", prefix.line());
    println!("{} n={}", plain.line(), plain.n);
    Ok(())
}

fn set_param(r: &mut Ranking, kv: &str) -> Result<(), String> {
    let (k, v) = kv.split_once('=').ok_or("--set needs name=value")?;
    let x: f32 = v.parse().map_err(|_| format!("not a number: {v}"))?;
    match k {
        "k1" => r.k1 = x,
        "w_title" => r.weights[0] = x,
        "w_tags" => r.weights[1] = x,
        "w_body" => r.weights[2] = x,
        "b_title" => r.b[0] = x,
        "b_tags" => r.b[1] = x,
        "b_body" => r.b[2] = x,
        "prefix" => r.prefix = x,
        "fuzzy1" => r.fuzzy1 = x,
        "fuzzy2" => r.fuzzy2 = x,
        "title_bonus" => r.title_bonus = x,
        "stop_weight" => r.stop_weight = x,
        "prefix_terms" => r.prefix_terms = x as usize,
        "phrase_bonus" => r.phrase_bonus = x,
        "fuzzy_rare_df" => r.fuzzy_rare_df = x as u32,
        _ => return Err(format!("unknown ranking parameter {k}")),
    }
    Ok(())
}

/// MRR@K and recall@K over a query set.
struct Score {
    mrr: f64,
    recall: f64,
    n: usize,
}

impl Score {
    fn line(&self) -> String {
        format!("mrr@{K}={:.3} recall@{K}={:.3}", self.mrr, self.recall)
    }
}

fn evaluate(index: &SearchIndex, queries: &[(String, String)], opts: &SearchOptions) -> Score {
    let mut rr = 0.0;
    let mut found = 0usize;
    for (q, want) in queries {
        let hits = index.search_with(q, opts);
        if let Some(rank) = hits.iter().take(K).position(|h| &h.id == want) {
            rr += 1.0 / (rank + 1) as f64;
            found += 1;
        }
    }
    let n = queries.len();
    Score {
        mrr: rr / n as f64,
        recall: found as f64 / n as f64,
        n,
    }
}

/// Lists the queries whose article is not first, with what came first.
fn print_misses(
    index: &SearchIndex,
    articles: &[Article],
    queries: &[(String, String)],
    opts: &SearchOptions,
) {
    let title = |id: &str| {
        articles
            .iter()
            .find(|a| a.id == id)
            .map_or(String::new(), |a| a.title.clone())
    };
    for (q, want) in queries {
        let hits = index.search_with(q, opts);
        if hits.first().is_some_and(|h| &h.id == want) {
            continue;
        }
        let rank = hits
            .iter()
            .position(|h| &h.id == want)
            .map_or("-".to_string(), |r| (r + 1).to_string());
        eprintln!("MISS [{rank}] {q}\n   want {want}: {}", title(want));
        for h in hits.iter().take(2) {
            eprintln!("   got  {} {:.2}: {}", h.id, h.score, title(&h.id));
        }
    }
}

fn read_lines(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

fn read_articles(path: &Path) -> Result<Vec<Article>, String> {
    read_lines(path)?
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let mut f = line.splitn(3, '\t');
            let (Some(id), Some(title), Some(body)) = (f.next(), f.next(), f.next()) else {
                return Err(format!(
                    "{}:{}: expected id TAB title TAB body",
                    path.display(),
                    i + 1
                ));
            };
            let lang = normalize::detect_lang(&format!("{title} {body}"));
            Ok(Article {
                id: id.to_string(),
                title: title.to_string(),
                body: body.to_string(),
                tags: Vec::new(),
                lang: lang.code().to_string(),
                updated_at: 0,
            })
        })
        .collect()
}

fn read_queries(path: &Path) -> Result<Vec<(String, String)>, String> {
    read_lines(path)?
        .into_iter()
        .enumerate()
        .map(|(i, line)| match line.rsplit_once('\t') {
            Some((q, id)) => Ok((q.to_string(), id.trim().to_string())),
            None => Err(format!(
                "{}:{}: expected query TAB id",
                path.display(),
                i + 1
            )),
        })
        .collect()
}

/// Applies one random edit (substitute, delete, insert, swap neighbours) to
/// each word of four or more letters with probability one half, and to at
/// least one such word per query.
fn typo_query(q: &str, rng: &mut SplitMix) -> String {
    let words: Vec<&str> = q.split(' ').collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .collect();
    if long.is_empty() {
        return q.to_string();
    }
    let forced = long[rng.below(long.len())];
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        if long.contains(&i) && (i == forced || rng.below(2) == 0) {
            out.push(edit_word(w, rng));
        } else {
            out.push(w.to_string());
        }
    }
    out.join(" ")
}

fn edit_word(w: &str, rng: &mut SplitMix) -> String {
    let mut c: Vec<char> = w.chars().collect();
    // Edit among the letters only, so punctuation stays where it was.
    let letters: Vec<usize> = (0..c.len()).filter(|&i| c[i].is_alphabetic()).collect();
    let at = letters[rng.below(letters.len())];
    let alphabet = "abcdefghijklmnopqrstuvwxyz";
    let random_letter = |rng: &mut SplitMix| alphabet.as_bytes()[rng.below(26)] as char;
    match rng.below(4) {
        0 => {
            let mut x = random_letter(rng);
            while x == c[at].to_ascii_lowercase() {
                x = random_letter(rng);
            }
            c[at] = x;
        }
        1 => {
            c.remove(at);
        }
        2 => {
            let x = random_letter(rng);
            c.insert(at, x);
        }
        _ => {
            let next = letters.iter().copied().find(|&i| i == at + 1).unwrap_or(at);
            if next != at && c[at] != c[next] {
                c.swap(at, next);
            } else if at > 0 && c[at - 1].is_alphabetic() && c[at - 1] != c[at] {
                c.swap(at - 1, at);
            } else {
                c.remove(at);
            }
        }
    }
    c.into_iter().collect()
}

/// Cuts the query inside its last word of two or more letters, as if the
/// customer were still typing it: keeps at least one letter, drops at least one.
fn cut_last_word(q: &str, rng: &mut SplitMix) -> String {
    let trimmed = q.trim_end_matches(|c: char| !c.is_alphanumeric());
    let start = trimmed
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let last: Vec<(usize, char)> = trimmed[start..].char_indices().collect();
    if last.len() < 2 {
        return trimmed.to_string();
    }
    let keep = 1 + rng.below(last.len() - 1);
    trimmed[..start + last[keep].0].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_edits_one_word_at_least_and_is_seeded() {
        let q = "how do I delete my facebook account";
        let a = typo_query(q, &mut SplitMix(1));
        let b = typo_query(q, &mut SplitMix(1));
        assert_eq!(a, b);
        assert_ne!(a, q);
        assert_eq!(typo_query("how do I", &mut SplitMix(1)), "how do I");
    }

    #[test]
    fn cut_keeps_part_of_the_last_word() {
        for seed in 0..20 {
            let cut = cut_last_word("delete my account?", &mut SplitMix(seed));
            let last = cut.rsplit(' ').next().unwrap();
            assert!(
                cut.starts_with("delete my ") && !last.is_empty() && last.len() < 7,
                "{cut}"
            );
        }
        assert_eq!(cut_last_word("a", &mut SplitMix(0)), "a");
        assert_eq!(cut_last_word("", &mut SplitMix(0)), "");
    }
}
