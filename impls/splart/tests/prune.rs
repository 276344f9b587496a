//! Pruning removes exactly the tiny, off-canvas and covered strokes, and Adam state follows the rows.

use burn::tensor::{Tensor, TensorData};
use splatbench_core::Backend;
use splatbench_gstrain::PointParams;
use splatbench_splart::kernel::backward;
use splatbench_splart::prune::{PruneRules, Pruned, prune_reasons};
use splatbench_splart::train::{PARAMS, prune_params, strokes_of};
use splatbench_splart::{Brush, Stroke};

fn stroke(x: f32, y: f32, s: f32, logit: f32) -> Stroke {
    Stroke { position: [x, y], rotation: 0.3, log_scale: [s.ln(), (0.8 * s).ln()], color_logit: [logit, 0.0, -logit] }
}

#[test]
fn pruning_removes_exactly_the_tiny_off_canvas_and_covered_strokes_with_their_adam_state() {
    let brush = Brush::ellipse(64, 0.6);
    let (w, h) = (48u32, 40u32);
    let strokes = vec![
        stroke(10.0, 10.0, 5.0, 1.0),  // 0: kept
        stroke(30.0, 20.0, 3.0, -1.0), // 1: covered by 4
        stroke(20.0, 30.0, 0.2, 0.5),  // 2: tiny (0.4 px long)
        stroke(-40.0, 10.0, 6.0, 2.0), // 3: off-canvas
        stroke(30.0, 20.0, 15.0, 0.7), // 4: kept (covers 1 with its opaque core)
        stroke(40.0, 5.0, 4.0, -0.3),  // 5: kept
    ];
    // K = 3 steps of a loss with a gradient everywhere.
    let d_image: Vec<f32> = (0..w * h * 3).map(|i| ((i * 13 % 17) as f32 - 8.0) / 8.0).collect();
    let mut sums = vec![0.0; strokes.len()];
    for _ in 0..3 {
        let g = backward(&strokes, &brush, w, h, [0.5; 3], &d_image);
        for (s, r) in sums.iter_mut().zip(&g.rows) {
            *s += r.iter().map(|v| v * v).sum::<f64>().sqrt();
        }
    }
    let reasons = prune_reasons(&strokes, &sums, &brush, w, h, &PruneRules::default());
    assert_eq!(reasons, vec![None, Some(Pruned::Covered), Some(Pruned::Tiny), Some(Pruned::OffCanvas), None, None]);

    // The same through PointParams: values and Adam moments of the survivors stay with them.
    let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
    let mut params = PointParams::new(&device);
    for (name, cols) in PARAMS {
        let rows: Vec<f32> = strokes
            .iter()
            .flat_map(|s| match name {
                "position" => s.position.to_vec(),
                "rotation" => vec![s.rotation],
                "log_scale" => s.log_scale.to_vec(),
                _ => s.color_logit.to_vec(),
            })
            .collect();
        params.add(name, Tensor::from_data(TensorData::new(rows, [strokes.len(), cols]), &device), 0.1);
    }
    // One Adam step with a per-row gradient that identifies the row (row i moves by −lr·sign(i + 1)).
    let loss = PARAMS
        .iter()
        .map(|(name, cols)| {
            let wts: Vec<f32> = (0..strokes.len()).flat_map(|i| vec![(i + 1) as f32; *cols]).collect();
            (params.get(name) * Tensor::from_data(TensorData::new(wts, [strokes.len(), *cols]), &device)).sum()
        })
        .reduce(|a, b| a + b)
        .unwrap();
    params.adam_step(&loss.backward());
    let before = strokes_of(&params);
    let removed = prune_params(&mut params, &sums, &brush, w, h, &PruneRules::default());
    assert_eq!(removed, 3);
    let after = strokes_of(&params);
    assert_eq!(after, vec![before[0], before[4], before[5]]);
    // A second step with the same identifying gradients: survivors' moments are theirs, so each moves by lr again.
    let loss = PARAMS
        .iter()
        .map(|(name, cols)| {
            let wts: Vec<f32> = [1.0f32, 5.0, 6.0].iter().flat_map(|&v| vec![v; *cols]).collect();
            (params.get(name) * Tensor::from_data(TensorData::new(wts, [3, *cols]), &device)).sum()
        })
        .reduce(|a, b| a + b)
        .unwrap();
    params.adam_step(&loss.backward());
    for (a, b) in strokes_of(&params).iter().zip(&after) {
        assert!((a.position[0] - (b.position[0] - 0.1)).abs() < 1e-5, "{a:?} {b:?}");
    }
}
