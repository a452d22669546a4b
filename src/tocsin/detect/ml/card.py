"""Model cards: what a model was trained on, how well it does, and what it must not be used for."""

from __future__ import annotations

from pathlib import Path

from tocsin.detect.ml.bundled import CITATIONS
from tocsin.detect.ml.model import read_metadata

__all__ = ["model_card"]

_PREPROCESSING = {
    "emscad": (
        "Every text — at training and at prediction time — goes through `emscad_normalise` "
        "(`tocsin.detect.ml.normalise`): lower-casing, removal of EMSCAD's masked URLs and "
        "e-mails, repair of common mojibake, punctuation replaced by spaces (except `_`, which "
        "keeps masked phones such as `phone_ab12…` whole), and removal of NLTK's English stop "
        "words. **This reproduces the preprocessing of the EMSCAD training text**, which was "
        "published lower-cased without punctuation or stop words; raw job ads are scored in "
        "the form the model learnt from."
    ),
    "message": (
        "Every text goes through `message_normalise`: Unicode NFKC, URLs, e-mail addresses, "
        "amounts of money and phone numbers replaced by the tokens `zzurl`, `zzemail`, "
        "`zzmoney`, `zzphone` (their exact values rotate between campaigns), lower-casing."
    ),
    "none": "Lower-casing only.",
}

_LIMITS = {
    "job_ad": (
        "- EMSCAD is **generic employment fraud from 2012-2014 US job boards** (work-from-home, "
        "reshipping, fake admin jobs), in English. It is **not scam-compound recruitment**: "
        'no Southeast-Asian "customer service" / "crypto analyst" lures, no flights-and-visa '
        "paid offers, no Telegram contacts. The indicator packs cover those; the model is one "
        "signal among others.\n"
        "- Trained on a balanced subset (about half fraudulent); real job boards carry ~5 % "
        "fraud (EMSCAD: 866 of 17,880). Probabilities are calibrated at the training prior "
        "recorded above; the engine re-bases them to its own prior.\n"
        "- English only: the engine never lets this model lower the risk of a document in "
        "another language.\n"
        "- Short ads lean towards fraud: EMSCAD's fraudulent ads more often lack a company "
        "description, and a short text has few terms to argue against the model's positive "
        "intercept. A two-line legitimate ad can score above 0.5 until a company profile is "
        "included. Read the top terms, not only the probability."
    ),
    "message": (
        "- The SMS sets are **English spam and smishing from 2011 and 2022** (prize draws, "
        'parcel and bank phishing). They contain **no pig-butchering openers** ("wrong '
        'number" chats, romance, fake crypto investment); the indicator packs cover those.\n'
        '- Spam and smishing are both labelled positive: the model says "unsolicited, '
        'fraud-like message", not "trafficking".\n'
        "- English only: the engine never lets this model lower the risk of a document in "
        "another language."
    ),
}


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "—" if value is None else str(value)


def _metrics_table(rows: dict[str, dict[str, object]]) -> list[str]:
    keys = (
        "n",
        "positives",
        "threshold",
        "precision",
        "recall",
        "f1",
        "pr_auc",
        "roc_auc",
        "brier",
        "ece",
    )
    lines = ["| measured on | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for label, values in rows.items():
        lines.append(f"| {label} | " + " | ".join(_fmt(values.get(k)) for k in keys) + " |")
    return lines


def model_card(model_dir: Path | str) -> str:
    """A Markdown model card built from ``model.json`` (no estimator is loaded)."""
    meta = read_metadata(model_dir)
    training = meta.training
    metrics = meta.metrics
    out = [f"# Model card: `{meta.name}` ({meta.kind})", ""]
    if meta.description:
        out += [meta.description, ""]
    out += [
        f"- Tocsin {meta.tocsin_version}, feature set v{meta.feature_set_version}, "
        f"built {meta.created}",
        "- Model: TF-IDF over word n-grams → L2 logistic regression → "
        f"{meta.params.get('calibration')} calibration fitted on out-of-fold scores "
        "(`tocsin.detect.ml.estimator.TextClassifier`)",
        f"- Parameters: `{ {k: v for k, v in sorted(meta.params.items())} }`",
        f"- Decision threshold: {meta.threshold:.2f} (best F1 on out-of-fold training scores)",
        f"- Training prior (share of positives the calibration saw): {meta.train_prior:.3f}",
        f"- Languages trained on: {', '.join(sorted(meta.languages)) or 'none'}",
        "",
        "## Training data",
        "",
    ]
    sources = training.get("sources", [])
    if isinstance(sources, list):
        for source in sources:
            if not isinstance(source, dict):
                continue
            name = Path(str(source.get("path"))).name
            out.append(
                f"- `{name}` — {source.get('rows_read')} rows read, "
                f"{source.get('rows_used')} used ({source.get('role')}); "
                f"sha256 `{source.get('sha256')}`"
            )
            if name in CITATIONS:
                out.append(f"  - {CITATIONS[name]}")
    out += [
        "",
        f"After removing {training.get('duplicates_removed')} duplicate and "
        f"{training.get('conflicts_removed')} conflicting texts: {training.get('records_kept')} "
        f"examples ({training.get('positives')} positive, {training.get('negatives')} "
        f"negative); split {training.get('split')}: {training.get('train_size')} for "
        f"training, {training.get('test_size')} held out and never used for any choice.",
    ]
    if "normaliser_agreement" in training:
        out += ["", str(training["normaliser_agreement"])]
    out += ["", "## Preprocessing", "", _PREPROCESSING.get(meta.normaliser, meta.normaliser)]
    out += ["", "## Performance", ""]
    table: dict[str, dict[str, object]] = {}
    for key, label in (
        ("heldout", "held-out test split (this model)"),
        ("baseline", "textbook peer on the same split"),
        ("train_oof", "training split, out-of-fold"),
    ):
        value = metrics.get(key)
        if isinstance(value, dict):
            table[label] = value
    if table:
        out += _metrics_table(table)
        out += [
            "",
            "Precision, recall and F1 are for the positive (fraud / spam) class at the "
            "threshold. PR-AUC is average precision. Accuracy is not reported: with a 5 % "
            "base rate it says little.",
        ]
    else:
        out.append("No held-out figures: too few examples for a held-out split.")
    peer = metrics.get("baseline_description")
    if peer:
        out += ["", f"Textbook peer: {peer}"]
    raw = metrics.get("raw_text_check")
    if isinstance(raw, dict):
        out += ["", f"Raw-text check: {raw.get('description')}"]
    bins = metrics.get("heldout_bins")
    if isinstance(bins, list) and bins:
        out += [
            "",
            "## Calibration (held-out)",
            "",
            "| bin | documents | mean probability | fraction positive |",
            "|---|---|---|---|",
        ]
        for b in bins:
            if isinstance(b, dict) and b.get("count"):
                out.append(
                    f"| {b['low']:.1f}-{b['high']:.1f} | {b['count']} | "
                    f"{_fmt(b['mean_predicted'])} | {_fmt(b['fraction_positive'])} |"
                )
    selection = training.get("selection")
    if isinstance(selection, list) and selection:
        out += [
            "",
            "## Choices (5-fold cross-validation on the training split)",
            "",
            "| C | calibration | F1 | PR-AUC | Brier | ECE |",
            "|---|---|---|---|---|---|",
        ]
        for row in selection:
            if isinstance(row, dict):
                out.append(
                    f"| {row.get('C')} | {row.get('calibration')} | {_fmt(row.get('f1'))} "
                    f"| {_fmt(row.get('pr_auc'))} | {_fmt(row.get('brier'))} | "
                    f"{_fmt(row.get('ece'))} |"
                )
        out += ["", "The candidate with the lowest Brier score was kept."]
    out += [
        "",
        "## Intended use",
        "",
        "Screening support: one piece of evidence in a Tocsin verdict, next to the published "
        "indicator packs and the selectors, shown with the terms that drove it. Not a "
        "decision on its own about a person, an employer or a message.",
        "",
        "## Limits",
        "",
        _LIMITS.get(
            meta.kind, "- Trained on the organisation's own data; see the training data above."
        ),
        "- Word features: misspellings, leetspeak and text in images defeat it.",
        "",
    ]
    return "\n".join(out)
