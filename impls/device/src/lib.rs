//! The burn device for a [`Backend`]: the one place that knows which backends this build compiled in.
//!
//! burn 0.22 makes the backend a runtime value (`Device`), so every method is written once against `Tensor<D>` and
//! runs on whichever device this returns. A backend whose cargo feature is off is a visible
//! [`Error::NotImplemented`] naming the feature, never a silent fallback to another backend.

// burn 0.22 deprecates burn-ndarray in favour of flex; this project keeps ndarray as its always-available CPU backend.
#![allow(deprecated)]

mod backends;
pub mod host;

/// For [`impl_plain_backends!`]: the burn its expansion names, whatever the invoking crate calls it.
#[doc(hidden)]
pub use burn as __burn;

use burn::tensor::Device;
use splatbench_core::{Backend, Error, Result};

/// The autodiff-enabled burn device for `backend`. `index` picks a GPU (wgpu: the index-th discrete GPU; tch: CUDA
/// device `index`, CPU when `None`); ndarray ignores it.
pub fn device_for(backend: Backend, index: Option<usize>) -> Result<Device> {
    let _ = index;
    match backend {
        Backend::Ndarray => Ok(Device::ndarray().autodiff()),
        #[cfg(feature = "flex")]
        Backend::Flex => Ok(Device::flex().autodiff()),
        #[cfg(feature = "wgpu")]
        Backend::Wgpu => {
            let kind = index.map_or(burn::tensor::DeviceKind::DefaultDevice, burn::tensor::DeviceKind::DiscreteGpu);
            Ok(Device::wgpu(kind).autodiff())
        }
        #[cfg(feature = "tch")]
        Backend::Tch => Ok(index.map_or_else(Device::libtorch, Device::libtorch_cuda).autodiff()),
        #[allow(unreachable_patterns)] // reachable only when a backend feature is off
        other => Err(Error::NotImplemented(compiled(other).expect_err("a compiled backend has its arm above"))),
    }
}

/// Whether `device`'s tensors live in host memory (ndarray, flex, libtorch on the CPU), so a host kernel reads them
/// without a transfer.
pub fn in_host_memory(device: &Device) -> bool {
    let device = device.clone().inner();
    #[cfg(feature = "flex")]
    if device == Device::flex() {
        return true;
    }
    #[cfg(feature = "tch")]
    if device == Device::libtorch() {
        return true;
    }
    device == Device::ndarray()
}

/// Whether this build compiled `backend` in, or why not (the feature to build with).
pub fn compiled(backend: Backend) -> std::result::Result<(), String> {
    match backend {
        Backend::Ndarray => Ok(()),
        Backend::Flex if cfg!(feature = "flex") => Ok(()),
        Backend::Wgpu if cfg!(feature = "wgpu") => Ok(()),
        Backend::Tch if cfg!(feature = "tch") => Ok(()),
        other => Err(format!("backend {0} not compiled in: rebuild with --features {0}", other.name())),
    }
}

/// Every backend this build can run, each as its autodiff device.
pub fn compiled_devices() -> Vec<(Backend, Device)> {
    Backend::ALL.into_iter().filter_map(|b| device_for(b, None).ok().map(|d| (b, d))).collect()
}
