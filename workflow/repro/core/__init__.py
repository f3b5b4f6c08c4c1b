"""Shared infrastructure: seeding, runtime (device/threads), atomic I/O, claims, plotting, tables."""
