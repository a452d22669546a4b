"""Synthetic corpora with PLANTED networks, for link-analysis benchmarks and tests.

All data here is generated and fake (selectors like ``telegram:net12_s3``); no real person's data.

A corpus has:

- **networks**: groups of documents (5–200, heavy-tailed) that reuse a small pool of selectors
  (phones, Telegram accounts, wallets) under changing names: each document links one or two pool
  selectors plus one selector of its own (1–4 for noise) (a fresh e-mail, the "changing name");
- **noise**: documents with only their own selectors (ordinary, unrelated ads);
- **hubs**: a few selectors (a job board's support address) linked to thousands of random
  documents, networks and noise alike — they must not merge anything;
- **templates** (text mode only): each network writes its ads from one template; a share of
  network documents carry *no* pool selector at all, so only the reused template links them.

`arrays` returns integer link arrays directly (fast enough for 1M documents); `texts` also
writes one text per document for near-duplicate detection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass
class Planted:
    documents: list[str]
    selectors: list[str]
    link_documents: IntArray
    link_selectors: IntArray
    truth: IntArray
    """Planted network of each document; -1 for noise."""
    hubs: list[str]
    texts: list[str] | None = None


def arrays(
    n_docs: int,
    *,
    network_share: float = 0.3,
    hubs: int = 10,
    hub_share: float = 0.02,
    template_only_share: float = 0.0,
    seed: int = 0,
) -> Planted:
    """Documents and links with planted networks (no texts)."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    budget = int(n_docs * network_share)
    while budget >= 5:
        size = int(min(200, max(5, rng.pareto(1.5) * 5 + 5), budget))
        sizes.append(size)
        budget -= size
    truth = np.full(n_docs, -1, dtype=np.int64)
    order = rng.permutation(n_docs)
    docs_l: list[IntArray] = []
    sels_l: list[IntArray] = []
    names: list[str] = []
    pos = 0
    for net, size in enumerate(sizes):
        members = order[pos : pos + size]
        pos += size
        truth[members] = net
        pool = max(2, size // 6)
        base = len(names)
        names.extend(f"{('telegram', 'phone', 'crypto')[k % 3]}:net{net}_s{k}" for k in range(pool))
        j = np.arange(size)
        first = base + j % pool
        second = base + rng.integers(0, pool, size)
        linked = np.ones(size, dtype=bool)
        if template_only_share > 0:
            # Keep the first `pool` members linked, so every pool selector is used.
            linked[pool:] = rng.random(size - pool) >= template_only_share
        docs_l += [members[linked], members[linked]]
        sels_l += [first[linked], second[linked]]
    # One own selector ("changing name") per document, 1–4 for noise documents.
    own = np.where(truth >= 0, 1, rng.integers(1, 5, n_docs))
    own_docs = np.repeat(np.arange(n_docs), own)
    own_sels = len(names) + np.arange(own_docs.shape[0])
    docs_l.append(own_docs)
    sels_l.append(own_sels)
    n_own = own_docs.shape[0]
    hub_base = len(names) + n_own
    for h in range(hubs):
        degree = int(n_docs * hub_share * (1 + h % 3))
        docs_l.append(rng.choice(n_docs, size=min(degree, n_docs), replace=False).astype(np.int64))
        sels_l.append(np.full(min(degree, n_docs), hub_base + h, dtype=np.int64))

    selectors = names + [f"email:own{i}@example.org" for i in range(n_own)]
    hub_names = [f"email:support{h}@jobboard.example" for h in range(hubs)]
    selectors += hub_names
    return Planted(
        documents=[f"d{i:07d}" for i in range(n_docs)],
        selectors=selectors,
        link_documents=np.concatenate(docs_l).astype(np.int64),
        link_selectors=np.concatenate(sels_l).astype(np.int64),
        truth=truth,
        hubs=hub_names,
    )


_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def _template(rng: np.random.Generator, net: int) -> str:
    """A network's own ad template: Latin, Chinese or Thai, with slots for what changes."""
    script = net % 3
    if script == 1:  # Chinese: random CJK ideographs, no spaces
        body = "".join(chr(int(c)) for c in rng.integers(0x4E00, 0x9FA5, 120))
    elif script == 2:  # Thai: consonants and vowels, no spaces between words
        body = "".join(chr(int(c)) for c in rng.integers(0x0E01, 0x0E30, 160))
    else:
        words = ["".join(rng.choice(_SYLLABLES, size=3)) for _ in range(35)]
        body = " ".join(words)
    cut = len(body) // 2
    return body[:cut] + " {name} {salary} " + body[cut:] + " {contact}"


def texts(n_docs: int, *, seed: int = 0, **kwargs: float | int) -> Planted:
    """`arrays` plus one text per document: a network's documents fill in its template with
    changing names, salaries and contacts; noise documents are random words."""
    planted = arrays(n_docs, seed=seed, **kwargs)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed + 1)
    templates: dict[int, str] = {}
    out: list[str] = []
    for i in range(n_docs):
        net = int(planted.truth[i])
        if net >= 0:
            template = templates.get(net)
            if template is None:
                template = templates[net] = _template(rng, net)
            out.append(
                template.format(
                    name=f"Company{rng.integers(10_000)}",
                    salary=f"{rng.integers(800, 3000)} USD",
                    contact=f"+855 {rng.integers(10**7, 10**8)} t.me/hr{rng.integers(10**6)}",
                )
            )
        else:
            out.append(" ".join("".join(rng.choice(_SYLLABLES, size=3)) for _ in range(35)))
    planted.texts = out
    return planted


def pairwise_scores(predicted: IntArray, truth: IntArray) -> tuple[float, float]:
    """Pairwise precision and recall of predicted clusters against planted networks.

    A pair of documents is *true* when both belong to the same planted network (noise documents
    are each their own singleton), *predicted* when both are in the same cluster.
    """
    truth = truth.copy()
    noise = truth < 0
    truth[noise] = truth.max(initial=0) + 1 + np.arange(int(noise.sum()))

    def pairs(counts: IntArray) -> float:
        c = counts.astype(np.float64)
        return float((c * (c - 1) / 2).sum())

    _, joint = np.unique(predicted * (truth.max() + 1) + truth, return_counts=True)
    true_pos = pairs(joint)
    pred = pairs(np.unique(predicted, return_counts=True)[1])
    real = pairs(np.unique(truth, return_counts=True)[1])
    return (true_pos / pred if pred else 1.0), (true_pos / real if real else 1.0)
