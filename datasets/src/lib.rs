//! Procedural scenes for the embedded default bench.
