//! File I/O that methods, loaders and the harness share: atomic writes, the `.npy` codec, PNG/JPEG images, and where
//! the checkout's shared data lives. Apart from `splatbench-core` so a method can write its outputs without
//! depending on the dataset loaders, and so the domain types do not pull in codecs.

pub mod atomic;
pub mod imageio;
pub mod npy;
pub mod paths;
pub mod stdout;
