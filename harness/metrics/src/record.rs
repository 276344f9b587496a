//! Every metric for a predicted/ground-truth pair, as one record: a value or `None` with the reason in `notes`.
//!
//! The JSON form (`serde_json::to_string(&record)`) has exactly the keys `name, width, height, psnr, ssim,
//! ssim_skimage, lpips_alex, lpips_vgg, lpips_squeeze, notes`: numbers, `null` where undefined or not requested, and
//! `notes` a string such as `"psnr: identical; lpips_vgg, lpips_squeeze: not requested"` (empty when all are set).

use super::lpips::{Lpips, Net};
use super::{Undefined, psnr, ssim, ssim_skimage};
use serde::{Serialize, Serializer};
use splatbench_core::{Error, Image, Result};
use std::borrow::Cow;

/// The note reason for LPIPS backbones the caller did not ask for.
pub const NOT_REQUESTED: &str = "not requested";

/// One predicted/ground-truth pair to score; `name` is what errors and records call it (usually a file name).
#[derive(Clone, Copy, Debug)]
pub struct PairInput<'a> {
    pub name: &'a str,
    pub pred: &'a Image,
    pub gt: &'a Image,
    /// What an image with alpha is composited over before scoring (RGB in [0, 1]).
    pub background: [f32; 3],
}

/// The background [`evaluate_pair`] composites alpha over: white, as NeRF-synthetic evaluations and the golden
/// metric pairs' maker (`make_metric_goldens.py`) do.
pub const DEFAULT_BACKGROUND: [f32; 3] = [1.0; 3];

/// Why one metric of a record is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The record field, e.g. `"psnr"` or `"lpips_vgg"`.
    pub metric: &'static str,
    pub reason: String,
}

/// The metrics of one pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRecord {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub psnr: Option<f64>,
    /// 3DGS / Splatter-Image convention (always defined).
    pub ssim: Option<f64>,
    pub ssim_skimage: Option<f64>,
    pub lpips_alex: Option<f64>,
    pub lpips_vgg: Option<f64>,
    pub lpips_squeeze: Option<f64>,
    #[serde(serialize_with = "serialize_notes")]
    pub notes: Vec<Note>,
}

impl MetricRecord {
    pub fn lpips(&self, net: Net) -> Option<f64> {
        match net {
            Net::Alex => self.lpips_alex,
            Net::Vgg => self.lpips_vgg,
            Net::Squeeze => self.lpips_squeeze,
        }
    }

    fn lpips_mut(&mut self, net: Net) -> &mut Option<f64> {
        match net {
            Net::Alex => &mut self.lpips_alex,
            Net::Vgg => &mut self.lpips_vgg,
            Net::Squeeze => &mut self.lpips_squeeze,
        }
    }

    /// The notes as one line; metrics that share a reason are listed together: `"a, b: reason; c: other"`.
    pub fn notes_text(&self) -> String {
        notes_text(&self.notes)
    }

    fn set(&mut self, metric: &'static str, value: Result<f64, Undefined>) -> Option<f64> {
        value.map_err(|why| self.notes.push(Note { metric, reason: why.to_string() })).ok()
    }
}

fn notes_text(notes: &[Note]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for note in notes {
        match groups.iter_mut().find(|(reason, _)| *reason == note.reason) {
            Some((_, metrics)) => metrics.push(note.metric),
            None => groups.push((&note.reason, vec![note.metric])),
        }
    }
    groups.iter().map(|(reason, metrics)| format!("{}: {reason}", metrics.join(", "))).collect::<Vec<_>>().join("; ")
}

fn serialize_notes<S: Serializer>(notes: &[Note], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&notes_text(notes))
}

/// Every metric of one pair; LPIPS for the given scorers only (the others are `None`, "not requested").
/// A size or channel mismatch is an input error naming `name`.
pub fn evaluate_pair(name: &str, pred: &Image, gt: &Image, lpips: &[Lpips]) -> Result<MetricRecord> {
    Ok(evaluate_pairs(&[PairInput { name, pred, gt, background: DEFAULT_BACKGROUND }], lpips)?.remove(0))
}

/// [`evaluate_pair`] for many pairs, with LPIPS batched over pairs of equal size (one network run per size).
pub fn evaluate_pairs(pairs: &[PairInput<'_>], lpips: &[Lpips]) -> Result<Vec<MetricRecord>> {
    for p in pairs {
        check_pair(p)?;
    }
    let rgb_pairs: Vec<(Cow<'_, Image>, Cow<'_, Image>)> =
        pairs.iter().map(|p| (rgb(p.pred, p.background), rgb(p.gt, p.background))).collect();
    let mut records: Vec<MetricRecord> =
        pairs.iter().zip(&rgb_pairs).map(|(p, (pred, gt))| image_metrics(p.name, pred, gt)).collect();
    for (record, p) in records.iter_mut().zip(pairs) {
        if p.pred.channels == 4 || p.gt.channels == 4 {
            let [r, g, b] = p.background;
            record.notes.push(Note { metric: "alpha", reason: format!("composited over {r},{g},{b}") });
        }
    }
    let batch: Vec<(&Image, &Image)> = rgb_pairs.iter().map(|(a, b)| (a.as_ref(), b.as_ref())).collect();
    for scorer in lpips {
        let net = scorer.net();
        for (record, d) in records.iter_mut().zip(scorer.distance_batch(&batch)?) {
            let value = record.set(lpips_field(net), d);
            *record.lpips_mut(net) = value;
        }
    }
    for record in &mut records {
        for net in Net::ALL {
            if !lpips.iter().any(|s| s.net() == net) {
                record.notes.push(Note { metric: lpips_field(net), reason: NOT_REQUESTED.into() });
            }
        }
    }
    Ok(records)
}

fn check_pair(p: &PairInput<'_>) -> Result<()> {
    let (a, b) = (p.pred, p.gt);
    if (a.width, a.height) != (b.width, b.height) {
        return Err(Error::input(
            p.name,
            format!("size {}x{} differs from the ground truth's {}x{}", a.width, a.height, b.width, b.height),
        ));
    }
    if a.channels < 3 || b.channels < 3 {
        return Err(Error::input(p.name, "metrics need RGB or RGBA images"));
    }
    Ok(())
}

/// PSNR and both SSIMs of an RGB pair.
fn image_metrics(name: &str, pred: &Image, gt: &Image) -> MetricRecord {
    let mut r = MetricRecord {
        name: name.to_string(),
        width: pred.width,
        height: pred.height,
        psnr: None,
        ssim: Some(ssim(pred, gt)),
        ssim_skimage: None,
        lpips_alex: None,
        lpips_vgg: None,
        lpips_squeeze: None,
        notes: Vec::new(),
    };
    r.psnr = r.set("psnr", psnr(pred, gt).ok_or(Undefined::Identical));
    r.ssim_skimage = r.set("ssim_skimage", ssim_skimage(pred, gt));
    r
}

/// The image without its alpha channel (dropped, not composited), so RGB and RGBA inputs compare on RGB.
/// RGB as scored: an image with alpha composited over `background` (a transparent pixel is the background, not
/// its stored colour).
fn rgb(img: &Image, background: [f32; 3]) -> Cow<'_, Image> {
    if img.channels == 3 { Cow::Borrowed(img) } else { Cow::Owned(img.to_rgb_over(background)) }
}

fn lpips_field(net: Net) -> &'static str {
    match net {
        Net::Alex => "lpips_alex",
        Net::Vgg => "lpips_vgg",
        Net::Squeeze => "lpips_squeeze",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(w: u32, h: u32, c: u32, k: u32) -> Image {
        Image::from_fn(w, h, c, |x, y, ch| if ch == 3 { 0.5 } else { ((x * k + y * 3 + ch) % 11) as f32 / 10.0 })
    }

    #[test]
    fn identical_pair_has_null_psnr_and_notes_why() {
        let a = img(12, 12, 3, 5);
        let r = evaluate_pair("a.png", &a, &a, &[]).unwrap();
        assert_eq!(r.psnr, None);
        assert!((r.ssim.unwrap() - 1.0).abs() < 1e-12);
        assert!((r.ssim_skimage.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(r.notes_text(), "psnr: identical; lpips_alex, lpips_vgg, lpips_squeeze: not requested");
        let json: serde_json::Value = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut expected = [
            "name",
            "width",
            "height",
            "psnr",
            "ssim",
            "ssim_skimage",
            "lpips_alex",
            "lpips_vgg",
            "lpips_squeeze",
            "notes",
        ];
        expected.sort();
        assert_eq!(keys, expected);
        assert!(json["psnr"].is_null() && json["notes"].is_string());
    }

    #[test]
    fn small_images_leave_skimage_ssim_undefined() {
        let r = evaluate_pair("s.png", &img(10, 16, 3, 5), &img(10, 16, 3, 7), &[]).unwrap();
        assert!(r.psnr.is_some() && r.ssim.is_some() && r.ssim_skimage.is_none());
        assert!(
            r.notes_text().starts_with("ssim_skimage: 10x16 is below the 11 px minimum side"),
            "{}",
            r.notes_text()
        );
    }

    #[test]
    fn rgba_is_composited_over_the_background_and_says_so() {
        let (a, b) = (img(14, 13, 4, 5), img(14, 13, 3, 7));
        let ra = evaluate_pair("p.png", &a, &b, &[]).unwrap();
        let rb = evaluate_pair("p.png", &a.to_rgb_over(DEFAULT_BACKGROUND), &b, &[]).unwrap();
        assert_eq!((ra.psnr, ra.ssim), (rb.psnr, rb.ssim));
        assert!(ra.notes_text().contains("alpha: composited over 1,1,1"), "{}", ra.notes_text());
        // A fully transparent copy of the ground truth is the background, not the ground truth.
        let mut clear = Image::from_fn(14, 13, 4, |x, y, c| if c == 3 { 0.0 } else { b.get(x, y, c) });
        let r = evaluate_pair("p.png", &clear, &b, &[]).unwrap();
        assert!(r.psnr.is_some_and(|p| p < 40.0), "{:?}", r.psnr);
        clear.data.iter_mut().skip(3).step_by(4).for_each(|a| *a = 1.0);
        assert_eq!(evaluate_pair("p.png", &clear, &b, &[]).unwrap().psnr, None, "opaque: identical");
    }

    #[test]
    fn size_mismatch_is_an_input_error_naming_the_pair() {
        let err = evaluate_pair("x/p.png", &img(14, 13, 3, 5), &img(13, 14, 3, 5), &[]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert_eq!(err.to_string(), "x/p.png: size 14x13 differs from the ground truth's 13x14");
    }
}
