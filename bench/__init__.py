"""Timings at city scale; see run.py."""
