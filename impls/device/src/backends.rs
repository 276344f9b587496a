//! [`impl_plain_backends!`](crate::impl_plain_backends): one body, implemented for several burn backends.
//!
//! A custom op (a `#[backend_extension]` trait, or the trait of its kernels) is implemented once per plain
//! backend — NdArray, Flex (feature `flex`), Cube (feature `wgpu`), LibTorch (feature `tch`) — usually with the same body, since the body
//! calls generic code (`Self` is the backend). The macro writes those impls from one body; the autodiff impl,
//! which differs per op, stays hand-written. It lives here, below every crate with a custom op (render's
//! rasterizer, splart's compositor, the losses' kernels), which all use it.

/// Implement trait `$tr` with the same body for burn backends.
///
/// - `impl_plain_backends!(impl Tr { … })`: for NdArray, `Flex` under `#[cfg(feature = "flex")]`, `Cube` under
///   `#[cfg(feature = "wgpu")]` and `LibTorch` under `#[cfg(feature = "tch")]`. The `cfg`s are those of the crate that invokes the macro (attributes of
///   expanded items are evaluated there), so each crate's own `wgpu` / `tch` features decide.
/// - `impl_plain_backends!(impl Tr for [A, #[cfg(…)] B] { … })`: for the listed backends, each with its attributes.
///
/// burn 0.22 deprecates burn-ndarray and burn-tch; the workspace keeps them, so the impls allow `deprecated`.
#[macro_export]
macro_rules! impl_plain_backends {
    (impl $tr:ident for [$($(#[$attr:meta])* $backend:ty),+ $(,)?] $body:tt) => {
        $(
            $(#[$attr])*
            #[allow(deprecated)]
            impl $tr for $backend $body
        )+
    };
    (impl $tr:ident $body:tt) => {
        $crate::impl_plain_backends!(impl $tr for [
            $crate::__burn::backend::NdArray,
            #[cfg(feature = "flex")] $crate::__burn::backend::Flex,
            #[cfg(feature = "wgpu")] $crate::__burn::backend::Cube,
            #[cfg(feature = "tch")] $crate::__burn::backend::LibTorch,
        ] $body);
    };
}

/// burn's `#[backend_extension]` over every backend the workspace builds: write an op's trait inside
/// `splatbench_device::backend_extension! { … }` and its dispatch covers each backend whose feature the invoking crate
/// has on (the `cfg`s are evaluated there, as for [`impl_plain_backends!`](crate::impl_plain_backends)). A new
/// backend is added to this list and to [`impl_plain_backends!`](crate::impl_plain_backends), not to each op.
#[macro_export]
macro_rules! backend_extension {
    ($($item:tt)*) => {
        #[$crate::__burn::backend::backend_extension(
            Autodiff,
            NdArray,
            Flex: cfg(feature = "flex"),
            Cube: cfg(feature = "wgpu"),
            LibTorch: cfg(feature = "tch")
        )]
        $($item)*
    };
}
