//! [`PointParams`]: named per-point parameter tensors `[N, C]` that share N, each with its Adam moments and
//! learning rate, so that densification can clone, split and prune rows of all of them (and of their optimiser
//! state) in one call.
//!
//! Each value is kept as an autodiff **leaf** with `require_grad`: the forward pass uses [`PointParams::get`], and
//! after `loss.backward()` [`PointParams::adam_step`] reads each leaf's gradient, updates it on the inner
//! (non-autodiff) backend and wraps the result as a fresh leaf, so no graph survives from one step to the next.
//! Adam moments live on the inner backend (they never need gradients).

use burn::tensor::{Device, Gradients, Int, Tensor, TensorData};

use crate::adam::{Adam, Moments};

#[derive(Clone)]
struct Entry {
    name: String,
    value: Tensor<2>,
    moments: Moments,
    lr: f64,
    /// Optional `[1, C]` per-column multiplier of `lr` (e.g. SH rest at lr/20 inside one "sh" tensor).
    lr_scale: Option<Tensor<2>>,
}

/// Per-point parameters optimised with Adam; densification edits their rows together with the Adam state.
/// A clone shares nothing that either side later changes (tensor ops return new tensors).
#[derive(Clone)]
pub struct PointParams {
    device: Device,
    adam: Adam,
    entries: Vec<Entry>,
}

/// One parameter of a [`PointParams`] on the host, to the bit (f32 values as their bits; JSON text would round):
/// what a checkpoint holds of it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParamState {
    pub name: String,
    pub columns: usize,
    pub value: Vec<u32>,
    /// Adam's first and second moments, and how many updates the tensor has had.
    pub m: Vec<u32>,
    pub v: Vec<u32>,
    pub adam_steps: u64,
    pub lr: f64,
    pub lr_scale: Option<Vec<u32>>,
}

fn host_bits(t: &Tensor<2>) -> Vec<u32> {
    let values = t.clone().into_data().try_into_vec_as::<f32>().expect("a float tensor reads as f32");
    values.into_iter().map(f32::to_bits).collect()
}

/// Makes `t` a fresh autodiff leaf that keeps its gradient.
fn leaf(t: Tensor<2>) -> Tensor<2> {
    t.inner().autodiff().require_grad()
}

fn index_tensor(idx: &[usize], device: &Device) -> Tensor<1, Int> {
    let idx: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
    let n = idx.len();
    Tensor::from_data(TensorData::new(idx, [n]), device)
}

/// Rows `idx` of every `[N, C]` tensor of one width, as one flat gather per tensor: burn-ndarray's `select` along
/// dim 0 of a 2-D tensor concatenates one view per row (2.4 s for a 100k-point refinement), its 1-D `select` is a
/// plain indexed copy.
struct RowGather {
    flat: Tensor<1, Int>,
    rows: usize,
    columns: usize,
}

impl RowGather {
    fn new(idx: &[usize], columns: usize, device: &Device) -> Self {
        let flat: Vec<usize> = idx.iter().flat_map(|&i| (0..columns).map(move |c| i * columns + c)).collect();
        RowGather { flat: index_tensor(&flat, device), rows: idx.len(), columns }
    }

    fn apply(&self, t: Tensor<2>) -> Tensor<2> {
        let [n, c] = t.dims();
        debug_assert_eq!(c, self.columns);
        t.reshape([n * c]).select(0, self.flat.clone()).reshape([self.rows, self.columns])
    }
}

/// One [`RowGather`] per distinct column count, built on first use.
struct RowGathers<'a> {
    idx: &'a [usize],
    device: &'a Device,
    by_width: Vec<RowGather>,
}

impl<'a> RowGathers<'a> {
    fn new(idx: &'a [usize], device: &'a Device) -> Self {
        RowGathers { idx, device, by_width: Vec::new() }
    }

    fn apply(&mut self, t: Tensor<2>) -> Tensor<2> {
        let c = t.dims()[1];
        let pos = match self.by_width.iter().position(|g| g.columns == c) {
            Some(p) => p,
            None => {
                self.by_width.push(RowGather::new(self.idx, c, self.device));
                self.by_width.len() - 1
            }
        };
        self.by_width[pos].apply(t)
    }
}

impl PointParams {
    /// Empty set of parameters on `device` (autodiff is enabled on the leaves whatever `device` is), 3DGS Adam.
    pub fn new(device: &Device) -> Self {
        Self::with_adam(device, Adam::default())
    }

    /// Empty set of parameters with the given Adam hyper-parameters.
    pub fn with_adam(device: &Device, adam: Adam) -> Self {
        PointParams { device: device.clone().inner(), adam, entries: Vec::new() }
    }

    /// The inner (non-autodiff) device the parameters and moments live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn adam(&self) -> Adam {
        self.adam
    }

    pub fn set_adam(&mut self, adam: Adam) {
        self.adam = adam;
    }

    /// Adds the parameter `name` with initial `value` `[N, C]` and learning rate `lr`.
    ///
    /// # Panics
    /// If `name` exists already or N differs from the parameters already added.
    pub fn add(&mut self, name: &str, value: Tensor<2>, lr: f64) {
        assert!(!self.contains(name), "PointParams::add: parameter {name:?} exists already");
        let [n, c] = value.dims();
        if let Some(first) = self.entries.first() {
            let n0 = first.value.dims()[0];
            assert_eq!(n, n0, "PointParams::add: {name:?} has {n} rows, the other parameters {n0}");
        }
        let value = leaf(value.inner().to_device(&self.device));
        let moments = self.zero_moments(n, c, 0);
        self.entries.push(Entry { name: name.to_string(), value, moments, lr, lr_scale: None });
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }

    /// Names in insertion order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// Every parameter by name, as its autodiff leaf (what the training skeleton's divergence guard checks).
    pub fn groups(&self) -> Vec<(String, Tensor<2>)> {
        self.entries.iter().map(|e| (e.name.clone(), e.value.clone())).collect()
    }

    /// The autodiff leaf to use in the forward pass.
    ///
    /// # Panics
    /// If there is no parameter `name`.
    pub fn get(&self, name: &str) -> Tensor<2> {
        self.entry(name).value.clone()
    }

    /// The current value without autodiff (for host reads and bookkeeping).
    pub fn value(&self, name: &str) -> Tensor<2> {
        self.entry(name).value.clone().inner()
    }

    /// The current value on the host, row-major `[N·C]`, with its column count.
    pub fn to_host(&self, name: &str) -> (Vec<f32>, usize) {
        let value = self.value(name);
        let c = value.dims()[1];
        let data = value.into_data().convert::<f32>();
        (data.try_into_vec::<f32>().expect("f32 data after convert"), c)
    }

    /// Number of points N (0 when no parameter has been added).
    pub fn len(&self) -> usize {
        self.entries.first().map_or(0, |e| e.value.dims()[0])
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column count C of `name`.
    pub fn columns(&self, name: &str) -> usize {
        self.entry(name).value.dims()[1]
    }

    pub fn lr(&self, name: &str) -> f64 {
        self.entry(name).lr
    }

    pub fn set_lr(&mut self, name: &str, lr: f64) {
        self.entry_mut(name).lr = lr;
    }

    /// Multiplies the learning rate of each column of `name` by `scale[c]` (`scale.len()` = C); `None` clears it.
    pub fn set_column_lr_scale(&mut self, name: &str, scale: Option<&[f32]>) {
        let columns = self.columns(name);
        let device = self.device.clone();
        let scale = scale.map(|s| {
            assert_eq!(s.len(), columns, "set_column_lr_scale: {name:?} has {columns} columns");
            Tensor::from_data(TensorData::new(s.to_vec(), [1, columns]), &device)
        });
        self.entry_mut(name).lr_scale = scale;
    }

    /// Number of Adam updates `name` has had.
    pub fn adam_steps(&self, name: &str) -> u64 {
        self.entry(name).moments.step
    }

    /// One Adam update of every parameter that has a gradient in `grads` (others are left untouched, their step
    /// count included); each updated value becomes a fresh leaf.
    pub fn adam_step(&mut self, grads: &Gradients) {
        let adam = self.adam;
        for e in &mut self.entries {
            let Some(grad) = e.value.grad(grads) else { continue };
            let value = e.value.clone().inner();
            let updated = adam.update(value, grad, &mut e.moments, e.lr, e.lr_scale.as_ref());
            e.value = leaf(updated);
        }
    }

    /// Appends copies of rows `idx` to every parameter; `overrides` gives the appended rows' values
    /// (`[idx.len(), C]`) for some parameters instead of the copies. The new rows' Adam moments are zero.
    ///
    /// # Panics
    /// If an index is out of range, an override names no parameter or has the wrong shape.
    pub fn append_rows(&mut self, idx: &[usize], overrides: &[(&str, Tensor<2>)]) {
        for (name, t) in overrides {
            let c = self.columns(name);
            assert_eq!(t.dims(), [idx.len(), c], "append_rows: override {name:?} must be [{}, {c}]", idx.len());
        }
        if idx.is_empty() {
            return;
        }
        let n = self.len();
        assert!(idx.iter().all(|&i| i < n), "append_rows: index out of range (N = {n})");
        let mut gather = RowGathers::new(idx, &self.device);
        let zeros = |c: usize, device: &Device| Tensor::<2>::zeros([idx.len(), c], device);
        for e in &mut self.entries {
            let value = e.value.clone().inner();
            let c = value.dims()[1];
            let new_rows = match overrides.iter().find(|(name, _)| *name == e.name) {
                Some((_, t)) => t.clone().inner().to_device(&self.device),
                None => gather.apply(value.clone()),
            };
            e.value = leaf(Tensor::cat(vec![value, new_rows], 0));
            e.moments.m = Tensor::cat(vec![e.moments.m.clone(), zeros(c, &self.device)], 0);
            e.moments.v = Tensor::cat(vec![e.moments.v.clone(), zeros(c, &self.device)], 0);
        }
    }

    /// Keeps the rows whose flag is true (in order) in every parameter and its Adam moments.
    ///
    /// # Panics
    /// If `keep.len()` ≠ N.
    pub fn keep_rows(&mut self, keep: &[bool]) {
        let n = self.len();
        assert_eq!(keep.len(), n, "keep_rows: {} flags for {n} points", keep.len());
        if keep.iter().all(|&k| k) {
            return;
        }
        let idx: Vec<usize> = (0..n).filter(|&i| keep[i]).collect();
        let mut gather = RowGathers::new(&idx, &self.device);
        for e in &mut self.entries {
            e.value = leaf(gather.apply(e.value.clone().inner()));
            e.moments.m = gather.apply(e.moments.m.clone());
            e.moments.v = gather.apply(e.moments.v.clone());
        }
    }

    /// Replaces the value of `name` (same shape); `reset_state` zeroes its Adam moments (as 3DGS does for an
    /// opacity reset). The step count is kept either way.
    ///
    /// # Panics
    /// If the shape differs.
    pub fn replace(&mut self, name: &str, value: Tensor<2>, reset_state: bool) {
        let device = self.device.clone();
        let dims = self.entry(name).value.dims();
        assert_eq!(value.dims(), dims, "replace: {name:?} must keep its shape");
        let moments = reset_state.then(|| self.zero_moments(dims[0], dims[1], self.entry(name).moments.step));
        let e = self.entry_mut(name);
        e.value = leaf(value.inner().to_device(&device));
        if let Some(moments) = moments {
            e.moments = moments;
        }
    }

    /// Every parameter with its Adam state, on the host (the inverse of [`PointParams::from_state`]).
    pub fn state(&self) -> Vec<ParamState> {
        self.entries
            .iter()
            .map(|e| ParamState {
                name: e.name.clone(),
                columns: e.value.dims()[1],
                value: host_bits(&e.value.clone().inner()),
                m: host_bits(&e.moments.m),
                v: host_bits(&e.moments.v),
                adam_steps: e.moments.step,
                lr: e.lr,
                lr_scale: e.lr_scale.as_ref().map(host_bits),
            })
            .collect()
    }

    /// Parameters rebuilt from [`PointParams::state`]; why not, when the states do not fit together.
    pub fn from_state(device: &Device, adam: Adam, states: &[ParamState]) -> std::result::Result<Self, String> {
        let mut p = Self::with_adam(device, adam);
        let mut rows = None;
        for s in states {
            let c = s.columns.max(1);
            let n = s.value.len() / c;
            if s.value.len() != n * c || s.m.len() != s.value.len() || s.v.len() != s.value.len() {
                return Err(format!("parameter {:?}: its values and moments do not form [N, {}]", s.name, s.columns));
            }
            if *rows.get_or_insert(n) != n {
                return Err(format!("parameter {:?} has {n} rows, the others {}", s.name, rows.unwrap_or(0)));
            }
            let tensor = |bits: &[u32], n: usize| -> Tensor<2> {
                let values: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
                Tensor::from_data(TensorData::new(values, [n, c]), &p.device)
            };
            let lr_scale = match &s.lr_scale {
                Some(b) if b.len() == c => Some(tensor(b, 1)),
                Some(_) => return Err(format!("parameter {:?}: lr_scale is not [1, {c}]", s.name)),
                None => None,
            };
            let moments = Moments { m: tensor(&s.m, n), v: tensor(&s.v, n), step: s.adam_steps };
            let value = leaf(tensor(&s.value, n));
            p.entries.push(Entry { name: s.name.clone(), value, moments, lr: s.lr, lr_scale });
        }
        Ok(p)
    }

    fn zero_moments(&self, n: usize, c: usize, step: u64) -> Moments {
        Moments { m: Tensor::zeros([n, c], &self.device), v: Tensor::zeros([n, c], &self.device), step }
    }

    fn entry(&self, name: &str) -> &Entry {
        self.entries.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("PointParams: no parameter {name:?}"))
    }

    fn entry_mut(&mut self, name: &str) -> &mut Entry {
        self.entries.iter_mut().find(|e| e.name == name).unwrap_or_else(|| panic!("PointParams: no parameter {name:?}"))
    }
}
