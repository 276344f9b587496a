//! Device buffers for the kernels: flat (1-D, hence contiguous) tensors on the inputs' client, launch grids,
//! and the two small reads the op needs on the host.

use burn::tensor::{DType, Shape};
use burn_cubecl::CubeDevice;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::into_data_sync;
use burn_cubecl::ops::numeric::{empty_device_contiguous_dtype, zeros_client};
use burn_cubecl::ops::reshape;
use burn_cubecl::tensor::CubeTensor;
use cubecl::client::Client;
use cubecl::prelude::*;

/// Units per cube of the one-unit-per-item kernels.
pub(super) const UNITS: u32 = 256;

/// Where new buffers go: the client and device of the op's inputs.
#[derive(Clone)]
pub(super) struct On {
    pub client: Client,
    pub device: CubeDevice,
}

impl On {
    pub fn of(t: &CubeTensor) -> Self {
        On { client: t.client.clone(), device: t.device.clone() }
    }

    /// An uninitialised flat buffer of `len` elements (at least one, so no binding is empty).
    pub fn empty(&self, len: usize, dtype: DType) -> CubeTensor {
        empty_device_contiguous_dtype(self.client.clone(), self.device.clone(), Shape::new([len.max(1)]), dtype)
    }

    /// A zeroed flat buffer of `len` elements (at least one).
    pub fn zeros(&self, len: usize, dtype: DType) -> CubeTensor {
        zeros_client(self.client.clone(), self.device.clone(), Shape::new([len.max(1)]), dtype)
    }

    /// One unit per item for `items` items, in cubes of [`UNITS`].
    pub fn grid(&self, items: usize) -> (CubeCount, CubeDim) {
        let dim = CubeDim::new_1d(UNITS);
        (cubecl::calculate_cube_count_elemwise(&self.client, items, dim), dim)
    }
}

/// An f32 input as a contiguous buffer the kernels index linearly. Panics on another dtype: the op's tensors are
/// the model's f32 parameters.
pub(super) fn input(t: CubeTensor) -> CubeTensor {
    assert_eq!(t.dtype, DType::F32, "the wgpu rasterizer takes f32 tensors");
    into_contiguous(t)
}

/// A flat buffer viewed with `shape` (no copy: a flat buffer is contiguous).
pub(super) fn shaped(t: CubeTensor, shape: Shape) -> CubeTensor {
    reshape(t, shape)
}

/// Read a u32 buffer to the host (this waits for the kernels that write it).
pub(super) fn read_u32(t: CubeTensor) -> Vec<u32> {
    into_data_sync(t).try_into_vec::<u32>().expect("u32 buffer")
}

impl On {
    /// An f32 tensor of `shape` with no elements.
    pub fn empty_shaped(&self, shape: &[usize]) -> CubeTensor {
        empty_device_contiguous_dtype(self.client.clone(), self.device.clone(), Shape::from(shape.to_vec()), DType::F32)
    }
}
