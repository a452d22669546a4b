"""Analysis: language detection, indicator rule packs, learned models and the scan engine."""
