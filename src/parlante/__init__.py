"""Parlante: one portrait + one voice recording -> a lip-synced talking-face video."""

__version__ = "0.1.0"
