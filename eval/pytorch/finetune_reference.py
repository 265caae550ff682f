#!/usr/bin/python3
"""PyTorch reference for Ferry's fine-tuning (eval/README.md#pytorch-reference).

Builds the BERT encoder from the same ONNX export Ferry fine-tunes (its initializers, the MatMul
weights mapped by the names of the nodes that use them), reads the token ids Ferry's
TokenizedExport wrote (so both train on exactly the same inputs), trains with the same recipe
(batch, epochs, rates, warm-up and linear decay, layer decay, head factor, weight decay on
matrices, gradient clipping, dropout), and prints one JSON line: test macro-F1, training texts per
second and peak resident memory.

Modes: top2 (the lower layers run once and are cached, as Ferry does), full (every layer; the
embedding tables too unless --freeze-embeddings), contrastive (SetFit-style in-batch cosine-pair
loss on label-balanced batches, then a logistic-regression head on the tuned encoder's vectors).

Needs Debian's python3-torch and python3-onnx (/usr/bin/python3); never in Ferry's user path.
"""
import argparse
import json
import math
import random
import resource
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, help="the encoder's model.onnx (fp32)")
    p.add_argument("--examples", required=True, help="TokenizedExport's JSONL")
    p.add_argument("--mode", choices=["top2", "full", "contrastive"], default="full")
    p.add_argument("--unfreeze", type=int, default=0, help="top layers that train (0: by mode)")
    p.add_argument("--freeze-embeddings", action="store_true")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--head-factor", type=float, default=20.0)
    p.add_argument("--layer-decay", type=float, default=1.0)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--head-epochs", type=int, default=100, help="contrastive: the head's epochs")
    p.add_argument("--no-test", action="store_true", help="train only (speed runs)")
    return p.parse_args()


class Layer(nn.Module):
    def __init__(self, d, heads, ff, eps, p):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ln1 = nn.LayerNorm(d, eps=eps)
        self.i = nn.Linear(d, ff)
        self.out = nn.Linear(ff, d)
        self.ln2 = nn.LayerNorm(d, eps=eps)
        self.drop = nn.Dropout(p)

    def forward(self, x, bias):
        b, t, d = x.shape
        h = self.heads

        def split(y):
            return y.view(b, t, h, d // h).transpose(1, 2)

        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(d // h)
        probs = self.drop(torch.softmax(scores + bias, dim=-1))
        ctx = (probs @ split(self.v(x))).transpose(1, 2).reshape(b, t, d)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.out(F.gelu(self.i(x)))))


class Bert(nn.Module):
    """BERT with its weights read from an ONNX export, as Ferry imports it."""

    def __init__(self, path, heads, p):
        super().__init__()
        m = onnx.load(path)
        init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
        matmul = {}
        for n in m.graph.node:
            if n.op_type == "MatMul" and n.input[1] in init:
                matmul[n.name] = init[n.input[1]]
        eps = 1e-12
        for n in m.graph.node:
            if n.name.endswith("embeddings/LayerNorm/Add") and n.input[1] in init:
                eps = float(init[n.input[1]])
        word = init["embeddings.word_embeddings.weight"]
        d = word.shape[1]
        self.word = nn.Embedding.from_pretrained(word, freeze=False)
        self.position = nn.Embedding.from_pretrained(init["embeddings.position_embeddings.weight"], freeze=False)
        self.token_type = nn.Embedding.from_pretrained(init["embeddings.token_type_embeddings.weight"], freeze=False)
        self.ln = nn.LayerNorm(d, eps=eps)
        self.ln.weight.data.copy_(init["embeddings.LayerNorm.weight"])
        self.ln.bias.data.copy_(init["embeddings.LayerNorm.bias"])
        count = 1 + max(int(k.split(".")[2]) for k in init if k.startswith("encoder.layer."))
        ff = next(w.shape[1] for k, w in matmul.items() if "intermediate/dense" in k)
        self.layers = nn.ModuleList(Layer(d, heads, ff, eps, p) for _ in range(count))
        for n, layer in enumerate(self.layers):
            pre = f"/encoder/layer.{n}/"
            name = f"encoder.layer.{n}."

            def load(linear, node, bias):
                linear.weight.data.copy_(matmul[pre + node + "/MatMul"].T)
                linear.bias.data.copy_(init[name + bias])

            load(layer.q, "attention/self/query", "attention.self.query.bias")
            load(layer.k, "attention/self/key", "attention.self.key.bias")
            load(layer.v, "attention/self/value", "attention.self.value.bias")
            load(layer.o, "attention/output/dense", "attention.output.dense.bias")
            load(layer.i, "intermediate/dense", "intermediate.dense.bias")
            load(layer.out, "output/dense", "output.dense.bias")
            for ln, key in ((layer.ln1, "attention.output.LayerNorm"), (layer.ln2, "output.LayerNorm")):
                ln.weight.data.copy_(init[name + key + ".weight"])
                ln.bias.data.copy_(init[name + key + ".bias"])

    def embed(self, ids):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids))
        # No dropout on the embeddings: Ferry drops out inside the layers only.
        return self.ln(x)

    def run(self, x, mask, start=0):
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers[start:]:
            x = layer(x, bias)
        return x


def pool(hidden, mask, pooling, normalize):
    if pooling == "cls":
        v = hidden[:, 0]
    else:
        m = mask.unsqueeze(2).float()
        v = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
    if normalize:
        v = v / torch.sqrt((v * v).sum(1, keepdim=True) + 1e-12)
    return v


def head_features(v, reads):
    """What Ferry's head reads of a one-chunk text: first_mean_max is [v, v, v] / 3."""
    return torch.cat([v, v, v], 1) / 3 if reads == "first_mean_max" else v


def pad(rows):
    width = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def schedule(step, warmup, total):
    """Ferry's LearningRateSchedule: linear warm-up to the peak, linear decay to 0 (step 1-based)."""
    if step <= warmup:
        return step / max(warmup, 1)
    return max(0, total - step) / max(total - warmup, 1)


def macro_f1(truth, predicted, classes):
    f1s = []
    for c in range(classes):
        tp = sum(1 for t, p in zip(truth, predicted) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted) if t == c and p != c)
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def balanced_order(labels, batch, rng):
    """Ferry's Batches.balancedOrder: each batch takes the labels in turn."""
    pools = {}
    for u, y in enumerate(labels):
        pools.setdefault(y, []).append(u)
    pools = list(pools.values())
    for p in pools:
        rng.shuffle(p)
    cursor = [0] * len(pools)
    order = []
    while len(order) < len(labels):
        size = min(batch, len(labels) - len(order))
        turn = list(range(len(pools)))
        rng.shuffle(turn)
        for k in range(size):
            c = turn[k % len(turn)]
            if cursor[c] == len(pools[c]):
                rng.shuffle(pools[c])
                cursor[c] = 0
            order.append(pools[c][cursor[c]])
            cursor[c] += 1
    return order


def pair_loss(v, labels, units):
    """SetFit's cosine-similarity MSE over every pair of the batch, positives and negatives half each."""
    y = torch.tensor(labels)
    u = torch.tensor(units)
    other = u[:, None] != u[None, :]
    same = (y[:, None] == y[None, :]) & other
    diff = (y[:, None] != y[None, :]) & other
    kinds = int(same.any()) + int(diff.any())
    w = torch.zeros(len(labels), len(labels))
    if same.any():
        w[same] = 1.0 / (kinds * same.sum())
    if diff.any():
        w[diff] = 1.0 / (kinds * diff.sum())
    s = v @ v.T
    return (w * (s - same.float()) ** 2).sum()


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    with open(a.examples) as f:
        header = json.loads(f.readline())
        rows = [json.loads(line) for line in f]
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    classes = header["classes"]
    pooling, normalize, reads = header["pooling"], header["normalize"], header["head_reads"]
    bert = Bert(a.model, a.heads, a.dropout)
    layers = len(bert.layers)
    top = {"top2": 2, "full": layers, "contrastive": layers}[a.mode] if a.unfreeze == 0 else a.unfreeze
    train_embeddings = top == layers and not a.freeze_embeddings
    start = layers - top
    for p in bert.parameters():
        p.requires_grad_(False)
    groups = []
    for n in range(start, layers):
        groups.append((list(bert.layers[n].parameters()), a.layer_decay ** (layers - 1 - n)))
    if train_embeddings:
        emb = [bert.word.weight, bert.position.weight, bert.token_type.weight, bert.ln.weight, bert.ln.bias]
        groups.append((emb, a.layer_decay ** layers))
    width = head_features(torch.zeros(1, bert.word.weight.shape[1]), reads).shape[1]
    head = nn.Linear(width, classes)
    nn.init.xavier_uniform_(head.weight)
    nn.init.zeros_(head.bias)
    if a.mode != "contrastive":
        groups.append((list(head.parameters()), a.head_factor))
    param_groups = []
    for params, scale in groups:
        for p in params:
            p.requires_grad_(True)
            param_groups.append(
                {"params": [p], "scale": scale, "weight_decay": a.weight_decay if p.dim() >= 2 else 0.0}
            )
    optimizer = torch.optim.AdamW(param_groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    trained = [p for g in param_groups for p in g["params"]]

    # The frozen lower part runs once per text, as Ferry's FrozenLayers does.
    t0 = time.perf_counter()
    cached = None
    bert.eval()
    if not train_embeddings:
        cached = []
        with torch.no_grad():
            for r in train:
                ids, mask = pad([r["ids"]])
                cached.append(_lower(bert, ids, mask, start))
    cache_seconds = time.perf_counter() - t0

    labels = [r["label"] for r in train]
    n = len(train)
    steps_per_epoch = (n + a.batch - 1) // a.batch
    total = steps_per_epoch * a.epochs
    warmup = math.ceil(total * a.warmup)
    bert.train()
    step = 0
    t1 = time.perf_counter()
    losses = []
    for epoch in range(1, a.epochs + 1):
        if a.mode == "contrastive":
            order = balanced_order(labels, a.batch, rng)
        else:
            order = list(range(n))
            rng.shuffle(order)
        for at in range(0, n, a.batch):
            batch = order[at : at + a.batch]
            step += 1
            for g in optimizer.param_groups:
                g["lr"] = a.lr * g["scale"] * schedule(step, warmup, total)
            ids, mask = pad([train[i]["ids"] for i in batch])
            if cached is None:
                x = bert.embed(ids)
            else:
                x = torch.zeros(len(batch), ids.shape[1], cached[0].shape[1])
                for k, i in enumerate(batch):
                    x[k, : cached[i].shape[0]] = cached[i]
            v = pool(bert.run(x, mask, start), mask, pooling, normalize)
            if a.mode == "contrastive":
                e = v if normalize else v / torch.sqrt((v * v).sum(1, keepdim=True) + 1e-12)
                loss = pair_loss(e, [labels[i] for i in batch], batch)
            else:
                loss = F.cross_entropy(head(head_features(v, reads)), torch.tensor([labels[i] for i in batch]))
            optimizer.zero_grad()
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(trained, a.clip)
            optimizer.step()
            losses.append(loss.item())
    train_seconds = time.perf_counter() - t1

    result = {
        "system": "pytorch",
        "mode": a.mode,
        "layers_trained": top,
        "embeddings_trained": train_embeddings,
        "threads": a.threads,
        "train_texts": n,
        "epochs": a.epochs,
        "steps": step,
        "texts_per_second": n * a.epochs / train_seconds,
        "train_seconds": train_seconds,
        "cache_seconds": cache_seconds,
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }
    if not a.no_test:
        bert.eval()
        with torch.no_grad():

            def vectors(rs):
                out = []
                for at in range(0, len(rs), 32):
                    ids, mask = pad([r["ids"] for r in rs[at : at + 32]])
                    out.append(head_features(pool(bert.run(bert.embed(ids), mask), mask, pooling, normalize), reads))
                return torch.cat(out)

            test_v = vectors(test)
            if a.mode == "contrastive":
                train_v = vectors(train)
                fit_head(head, train_v, torch.tensor(labels), a.head_epochs, a.seed)
            predicted = head(test_v).argmax(1).tolist()
        result["macro_f1"] = macro_f1([r["label"] for r in test], predicted, classes)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _lower(bert, ids, mask, start):
    x = bert.embed(ids)
    bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for layer in bert.layers[:start]:
        x = layer(x, bias)
    return x[0]


def fit_head(head, x, y, epochs, seed):
    """A logistic-regression head on the tuned vectors (the contrastive mode's second stage)."""
    torch.manual_seed(seed)
    with torch.enable_grad():
        nn.init.xavier_uniform_(head.weight)
        nn.init.zeros_(head.bias)
        opt = torch.optim.AdamW(head.parameters(), lr=1e-2, weight_decay=1e-4)
        for _ in range(epochs):
            for at in range(0, len(y), 32):
                opt.zero_grad()
                F.cross_entropy(head(x[at : at + 32]), y[at : at + 32]).backward()
                opt.step()


if __name__ == "__main__":
    sys.exit(main())
