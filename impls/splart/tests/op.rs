//! The burn op gives the kernel's image and, through autodiff, the kernel's gradients, on every compiled backend.

use burn::tensor::{Tensor, TensorData};
use splatbench_core::Backend;
use splatbench_splart::kernel::{backward, forward};
use splatbench_splart::{Brush, Stroke, StrokeTensors, composite};
use splatbench_train::tensors::to_vec;
use std::sync::Arc;

#[test]
fn op_forward_and_gradients_equal_the_kernel() {
    let brush = Arc::new(Brush::bristle(32));
    let strokes: Vec<Stroke> = (0..7)
        .map(|i| {
            let f = i as f32;
            Stroke {
                position: [4.0 + 3.5 * f, 20.0 - 2.0 * f],
                rotation: 0.4 * f - 1.0,
                log_scale: [(6.0 + f).ln(), 3.0f32.ln()],
                color_logit: [f - 3.0, 1.0 - 0.5 * f, 0.3 * f],
            }
        })
        .collect();
    let (w, h, bg) = (30u32, 26u32, [0.2f32, 0.6, 0.4]);
    let weights: Vec<f32> = (0..w * h * 3).map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0).collect();
    for (backend, device) in splatbench_device::compiled_devices() {
        let col = |f: &dyn Fn(&Stroke) -> Vec<f32>, c: usize| {
            let v: Vec<f32> = strokes.iter().flat_map(f).collect();
            Tensor::<2>::from_data(TensorData::new(v, [strokes.len(), c]), &device).require_grad()
        };
        let st = StrokeTensors {
            position: col(&|s| s.position.to_vec(), 2),
            rotation: col(&|s| vec![s.rotation], 1),
            log_scale: col(&|s| s.log_scale.to_vec(), 2),
            color_logit: col(&|s| s.color_logit.to_vec(), 3),
        };
        let image = composite(&st, &brush, w, h, bg);
        assert_eq!(image.dims(), [h as usize, w as usize, 3]);
        let want = forward(&strokes, &brush, w, h, bg);
        assert_eq!(to_vec(image.clone()), want, "{backend:?} forward");
        let wt = Tensor::<3>::from_data(TensorData::new(weights.clone(), [h as usize, w as usize, 3]), &device);
        let grads = (image * wt).sum().backward();
        let g = backward(&strokes, &brush, w, h, bg, &weights);
        for (t, start, cols) in
            [(&st.position, 0, 2), (&st.rotation, 2, 1), (&st.log_scale, 3, 2), (&st.color_logit, 5, 3)]
        {
            let got = to_vec(t.grad(&grads).expect("tracked input has a gradient"));
            let want: Vec<f32> = g.rows.iter().flat_map(|r| r[start..start + cols].iter().map(|&v| v as f32)).collect();
            assert_eq!(got, want, "{backend:?} gradient columns {start}..{}", start + cols);
        }
        if backend == Backend::Ndarray {
            assert!(g.rows.iter().any(|r| r.iter().any(|&v| v != 0.0)));
        }
    }
}
