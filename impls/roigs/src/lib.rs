//! 3DGS with ROI gating from masks and depth, and a dynamic Laplacian-pyramid loss.
