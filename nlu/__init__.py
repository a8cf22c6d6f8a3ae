"""Intent matching: normalisation, the built-in packs and the matcher (docs/nlu.md)."""
