"""Shared models and the one training loop."""
