//! Differentiable 3D Gaussian rasterizer (see `semantics` for the exact maths the tests hold it to).
