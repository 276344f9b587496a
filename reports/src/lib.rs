//! HTML report from result records.
