//! Gaussian-splatting training core: parameters, Adam groups, densification strategies with hooks.
