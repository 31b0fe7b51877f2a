"""Enterprise submissions: parse, validate row by row, quarantine, protect personal data,
deduplicate and commit atomically to the lake (DESIGN.md "How data flows")."""
