"""Data: Hugging Face `datasets` helpers and generators shared across papers."""
