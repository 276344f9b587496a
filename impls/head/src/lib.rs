//! Sparse-view head reconstruction with learnable cameras.
