"""Indicators: definitions as data, evaluated on the lake, stored as facts with provenance."""
