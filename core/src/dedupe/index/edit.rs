//! Changes: inserting questions and agents' corrections (join, merge,
//! split, remove).

use std::collections::BTreeSet;

use crate::dedupe::features::Feat;
use crate::dedupe::hash::fnv64;
use crate::dedupe::lexical;
use crate::normalize::Lang;

use super::rebuild::{BULK_GRAMS, Scratch};
use super::{
    BITS, Entry, GroupId, NONE, QuestionId, QuestionIndex, SKETCH_BITS, TABLES, Verdict, code,
    exact_key,
};

impl QuestionIndex {
    /// [`decide`](Self::decide) then [`insert`](Self::insert): the question
    /// joins the verdict's group, or `new_group` when the verdict is `New`.
    pub fn ask(
        &mut self,
        question: QuestionId,
        text: &str,
        lang: Lang,
        new_group: GroupId,
    ) -> Verdict {
        let q = self.prepare(text, lang);
        let v = self.decide_prepared(&q);
        let g = v.group().unwrap_or(new_group);
        self.insert(question, text, lang, g);
        v
    }

    /// Stores a question in `group` (creating the group if new). Inserting an
    /// id that is already stored replaces it.
    pub fn insert(&mut self, question: QuestionId, text: &str, lang: Lang, group: GroupId) {
        self.insert_with(question, text, lang, group, &mut Scratch::default());
    }

    fn insert_with(
        &mut self,
        question: QuestionId,
        text: &str,
        lang: Lang,
        group: GroupId,
        sc: &mut Scratch,
    ) {
        let mut f = Feat::default();
        self.compute(text, lang, &mut f, sc);
        self.insert_feat(question, lang, group, &f, sc);
    }

    /// A question's features with this index's model and normalisation.
    pub(super) fn compute(&self, text: &str, lang: Lang, f: &mut Feat, sc: &mut Scratch) {
        f.form = lexical::lexical_form(text);
        f.exact = exact_key(&f.form, text);
        if sc.bulk {
            lexical::terms_memo(&f.form, lang, &mut f.terms, &mut sc.memo);
        } else {
            lexical::terms(&f.form, lang, &mut f.terms);
        }
        f.toks.clear();
        f.sketch = 0;
        f.has_emb = false;
        if let Some(m) = &self.model {
            m.token_ids(text, &mut f.toks);
            sc.emb.resize(m.dims(), 0.0);
            sc.acc.resize(m.dims(), 0);
            if m.embed_ids_with(&f.toks, &mut sc.emb, &mut sc.acc) {
                f.sketch = self.project(&sc.emb, &mut [0; SKETCH_BITS]);
                f.has_emb = true;
            }
        }
    }

    /// Stores a question with its features (computed or decoded).
    pub(super) fn insert_feat(
        &mut self,
        question: QuestionId,
        lang: Lang,
        group: GroupId,
        f: &Feat,
        sc: &mut Scratch,
    ) {
        if self.by_id.contains_key(&question) {
            // `remove` uncounts the old text's grams: count pending ones first.
            self.flush_grams(sc);
            self.remove(question);
        }
        let form = f.form.as_str();
        let hash = if form.is_empty() {
            f.exact
        } else {
            fnv64(form.as_bytes())
        };
        if sc.bulk {
            lexical::push_unique_grams(form, &mut sc.grams, &mut sc.gram_set);
            sc.gram_docs += 1;
            if sc.grams.len() >= BULK_GRAMS {
                self.flush_grams(sc);
            }
        } else {
            lexical::grams(form, &mut sc.raw);
            self.grams.update(&sc.raw, true);
        }

        let slot = u32::try_from(self.entries.len()).expect("fewer than 2^32 questions");
        let form_off = u32::try_from(self.forms.len()).expect("form arena under 4 GiB");
        self.forms.push_str(form);
        let tok_off = u32::try_from(self.toks.len()).expect("token arena under 4 GiB");
        self.toks.extend_from_slice(&f.toks);
        let (sketch, has_emb) = (f.sketch, f.has_emb);
        let tok_len = f.toks.len() as u16;
        if sc.bulk {
            sc.postings.extend(
                f.terms
                    .iter()
                    .map(|&t| (u64::from(t) << 32) | u64::from(slot)),
            );
        } else {
            for t in &f.terms {
                self.postings.entry(*t).or_default().push(slot);
            }
        }
        if has_emb {
            for t in 0..TABLES {
                self.buckets[(t << BITS) | code(sketch, t) as usize].push(slot);
            }
        }
        let next_same = self.exact.insert(hash, slot).unwrap_or(NONE);
        self.entries.push(Entry {
            id: question,
            group,
            seq: self.next_seq,
            next_same,
            hash,
            form_off,
            tok_off,
            form_len: form.len() as u16,
            tok_len,
            sketch,
            has_emb,
            lang,
            live: true,
        });
        self.next_seq += 1;
        self.by_id.insert(question, slot);
        self.groups.entry(group).or_default().members.push(slot);
        self.live += 1;
    }

    /// Removes a question (e.g. deleted as spam). Unknown ids are ignored.
    pub fn remove(&mut self, question: QuestionId) {
        let Some(slot) = self.by_id.remove(&question) else {
            return;
        };
        let e = self.entries[slot as usize].clone();
        let mut raw = Vec::new();
        lexical::grams(self.form_of(&e), &mut raw);
        self.grams.update(&raw, false);
        // Unlink the slot from its exact-key chain.
        if self.exact.get(&e.hash) == Some(&slot) {
            if e.next_same == NONE {
                self.exact.remove(&e.hash);
            } else {
                self.exact.insert(e.hash, e.next_same);
            }
        } else {
            let mut cur = self.exact.get(&e.hash).copied().unwrap_or(NONE);
            while cur != NONE {
                let next = self.entries[cur as usize].next_same;
                if next == slot {
                    self.entries[cur as usize].next_same = e.next_same;
                    break;
                }
                cur = next;
            }
        }
        self.detach(slot, e.group);
        self.entries[slot as usize].live = false;
        self.live -= 1;
        // Postings and buckets keep the dead slot; reads skip it and
        // `compact` (or a rebuild) drops it.
        self.negatives.retain(|&(q, _)| q != question);
    }

    fn detach(&mut self, slot: u32, g: GroupId) {
        if let Some(gr) = self.groups.get_mut(&g) {
            gr.members.retain(|&s| s != slot);
            if gr.members.is_empty() {
                self.groups.remove(&g);
            }
        }
    }

    fn place(&mut self, slot: u32, g: GroupId) {
        let old = self.entries[slot as usize].group;
        if old == g {
            return;
        }
        self.detach(slot, old);
        let e = &mut self.entries[slot as usize];
        e.group = g;
        e.seq = self.next_seq;
        self.next_seq += 1;
        self.groups.entry(g).or_default().members.push(slot);
    }

    /// Moves a stored question into `group` (an agent's "this belongs there").
    /// Returns false for an unknown question.
    pub fn join(&mut self, question: QuestionId, group: GroupId) -> bool {
        let Some(slot) = self.slot(question) else {
            return false;
        };
        self.negatives.remove(&(question, group));
        self.place(slot, group);
        true
    }

    /// Merges `groups` into the first one listed; returns it (None if empty).
    /// Members keep their order: the target's, then each other group's.
    pub fn merge(&mut self, groups: &[GroupId]) -> Option<GroupId> {
        let (&target, rest) = groups.split_first()?;
        let answered = groups.iter().any(|g| self.is_answered(*g));
        for &g in rest {
            if g == target {
                continue;
            }
            let Some(gr) = self.groups.remove(&g) else {
                continue;
            };
            for s in gr.members {
                let e = &mut self.entries[s as usize];
                e.group = target;
                e.seq = self.next_seq;
                self.next_seq += 1;
                self.groups.entry(target).or_default().members.push(s);
            }
        }
        if let Some(gr) = self.groups.get_mut(&target) {
            gr.answered = answered;
        }
        // Constraints against the merged groups no longer make sense.
        let members: BTreeSet<QuestionId> = self.members(target).into_iter().collect();
        self.negatives
            .retain(|&(q, g)| !(members.contains(&q) && (g == target || groups.contains(&g))));
        Some(target)
    }

    /// Moves `questions` into `new_group` (allocated by the caller), recording
    /// (question, old group) negatives so that the next similar question is
    /// not auto-joined back into the old group. Unknown ids are skipped.
    pub fn split(&mut self, questions: &[QuestionId], new_group: GroupId) {
        for &q in questions {
            let Some(slot) = self.slot(q) else { continue };
            let old = self.entries[slot as usize].group;
            if old != new_group {
                self.negatives.insert((q, old));
            }
            self.negatives.remove(&(q, new_group));
            self.place(slot, new_group);
        }
    }

    /// Records that `question` must not pull similar questions into `group`
    /// (what [`split`](Self::split) records; replay stored ones after a rebuild).
    pub fn add_negative(&mut self, question: QuestionId, group: GroupId) {
        self.negatives.insert((question, group));
    }

    /// Marks a group answered or not (answered groups rank first in suggestions).
    pub fn set_answered(&mut self, group: GroupId, answered: bool) {
        if let Some(g) = self.groups.get_mut(&group) {
            g.answered = answered;
        }
    }
}
