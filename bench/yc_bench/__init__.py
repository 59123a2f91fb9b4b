"""Yancheng's benchmark harness (bench/generate, bench/run, bench/peer). Not part of the
product: nothing under src/ imports it."""
