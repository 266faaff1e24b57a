"""Digits beyond the core: the shipped model's training script and its augmentation, and the
`nn-playground classify` command. Headless (no Qt)."""
