//! `splatbench metrics <pred> <gt> [--lpips alex,vgg,squeeze] [--json]`: score predicted images against ground truth.
//!
//! `<pred>` and `<gt>` are two image files, or two directories whose PNG/JPEG files are paired by file name (a file
//! on one side only, an empty directory, a file paired with a directory, a corrupt image or a size mismatch are
//! input errors: one line naming the path, exit code 2). LPIPS runs only for the backbones `--lpips` names, so the
//! default needs neither onnxruntime nor the models; a requested LPIPS value that is undefined (an image below
//! 32 px) is printed as null with its reason and the command exits 1 after printing everything. Output is an aligned table, or with `--json` one JSON object
//! per pair per line (see [`MetricRecord`]). Images with alpha are composited over `--background` (white by default)
//! and the pair's notes say so.

use splatbench_core::error::InternalContext;
use splatbench_core::{Error, Result};
use splatbench_io::imageio::read_image;
use splatbench_metrics::record::NOT_REQUESTED;
use splatbench_metrics::{Lpips, MetricRecord, Net, PairInput, evaluate_pairs};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Pairs decoded and scored together: bounds memory on large directories while still batching LPIPS.
const CHUNK: usize = 8;

#[derive(clap::Args)]
pub struct Args {
    /// Predicted image, or a directory of predicted images.
    pub pred: PathBuf,
    /// Ground-truth image, or a directory holding images of the same file names.
    pub gt: PathBuf,
    /// LPIPS backbones to run, comma-separated (inputs scaled to [-1, 1]); none unless given.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub lpips: Vec<Net>,
    /// Print one JSON object per pair per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// What images with alpha are composited over before scoring, `r,g,b` in [0, 1] (white, the NeRF-synthetic
    /// convention, by default); the notes say so for each pair it applied to.
    #[arg(long, default_value = "1,1,1")]
    pub background: String,
}

/// A pair of files to score, named by the predicted file's name.
struct PairPaths {
    name: String,
    pred: PathBuf,
    gt: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    let background = super::parse_background(&args.background)?;
    let pairs = pair_paths(&args.pred, &args.gt)?;
    let mut nets = args.lpips.clone();
    nets.sort();
    nets.dedup();
    let scorers = nets.iter().map(|&n| Lpips::new(n)).collect::<Result<Vec<_>>>()?;

    let mut out = std::io::stdout().lock();
    let table = Table { name_width: pairs.iter().map(|p| p.name.len()).max().unwrap_or(0).max(4), nets };
    // The header waits for the first scored chunk, so an input error is the only output.
    let mut header_pending = !args.json;
    // LPIPS values asked for but undefined (image below 32 px): printed as null with the reason, then exit 1.
    let mut not_computed = 0;
    for chunk in pairs.chunks(CHUNK) {
        let images = chunk
            .iter()
            .map(|p| {
                let (pred, gt) = (read_image(&p.pred)?, read_image(&p.gt)?);
                if (pred.width, pred.height) != (gt.width, gt.height) {
                    let msg = format!(
                        "size {}x{} differs from {} ({}x{})",
                        pred.width,
                        pred.height,
                        p.gt.display(),
                        gt.width,
                        gt.height
                    );
                    return Err(Error::input(&p.pred, msg));
                }
                Ok((pred, gt))
            })
            .collect::<Result<Vec<_>>>()?;
        let inputs: Vec<PairInput<'_>> = chunk
            .iter()
            .zip(&images)
            .map(|(p, (pred, gt))| PairInput { name: &p.name, pred, gt, background })
            .collect();
        let records = evaluate_pairs(&inputs, &scorers)?;
        if std::mem::take(&mut header_pending) {
            table.header(&mut out)?;
        }
        for record in records {
            not_computed += table.nets.iter().filter(|&&n| record.lpips(n).is_none()).count();
            if args.json {
                let line = serde_json::to_string(&record).internal("encoding a metric record")?;
                writeln!(out, "{line}").map_err(stdout_error)?;
            } else {
                table.row(&mut out, &record)?;
            }
        }
        out.flush().map_err(stdout_error)?;
    }
    if not_computed > 0 {
        let asked = pairs.len() * table.nets.len();
        return Err(Error::Failed(format!("{not_computed} of {asked} requested LPIPS values could not be computed")));
    }
    Ok(())
}

/// The pairs to score, sorted by name.
fn pair_paths(pred: &Path, gt: &Path) -> Result<Vec<PairPaths>> {
    let pred_dir = is_dir(pred)?;
    let gt_dir = is_dir(gt)?;
    match (pred_dir, gt_dir) {
        (false, false) => {
            let name = pred.file_name().map_or_else(|| pred.display().to_string(), |n| n.to_string_lossy().into());
            Ok(vec![PairPaths { name, pred: pred.to_path_buf(), gt: gt.to_path_buf() }])
        }
        (true, true) => {
            let (pred_names, gt_names) = (image_names(pred)?, image_names(gt)?);
            if let Some(n) = pred_names.iter().find(|n| !gt_names.contains(n)) {
                return Err(Error::input(pred.join(n), format!("no file of that name in {}", gt.display())));
            }
            if let Some(n) = gt_names.iter().find(|n| !pred_names.contains(n)) {
                return Err(Error::input(gt.join(n), format!("no file of that name in {}", pred.display())));
            }
            Ok(pred_names
                .into_iter()
                .map(|name| PairPaths { pred: pred.join(&name), gt: gt.join(&name), name })
                .collect())
        }
        (true, false) => Err(Error::input(gt, format!("is a file but {} is a directory", pred.display()))),
        (false, true) => Err(Error::input(gt, format!("is a directory but {} is a file", pred.display()))),
    }
}

fn is_dir(path: &Path) -> Result<bool> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(m.is_dir()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::input(path, "no such file or directory")),
        Err(e) => Err(Error::input(path, e.to_string())),
    }
}

/// Sorted names of the PNG/JPEG files directly in `dir`; an input error when there are none.
fn image_names(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::input(dir, e.to_string()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::input(dir, e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ext = Path::new(&name).extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        if matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg")) && entry.path().is_file() {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(Error::input(dir, "no PNG or JPEG images in this directory"));
    }
    names.sort();
    Ok(names)
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::output("standard output", splatbench_io::stdout::write_failed(e))
}

/// Fixed-width columns, so rows can be printed as they are scored.
struct Table {
    name_width: usize,
    nets: Vec<Net>,
}

impl Table {
    fn header(&self, out: &mut impl Write) -> Result<()> {
        let mut line = format!(
            "{:<nw$}  {:>9}  {:>8}  {:>8}  {:>8}",
            "name",
            "size",
            "psnr",
            "ssim",
            "ssim_sk",
            nw = self.name_width
        );
        for net in &self.nets {
            line += &format!("  {:>10}", format!("lp_{}", net.name()));
        }
        writeln!(out, "{line}  notes").map_err(stdout_error)
    }

    fn row(&self, out: &mut impl Write, r: &MetricRecord) -> Result<()> {
        let num = |v: Option<f64>, prec: usize| v.map_or_else(|| "-".to_string(), |v| format!("{v:.prec$}"));
        let size = format!("{}x{}", r.width, r.height);
        let mut line = format!(
            "{:<nw$}  {size:>9}  {:>8}  {:>8}  {:>8}",
            r.name,
            num(r.psnr, 4),
            num(r.ssim, 6),
            num(r.ssim_skimage, 6),
            nw = self.name_width
        );
        for &net in &self.nets {
            line += &format!("  {:>10}", num(r.lpips(net), 6));
        }
        // Unrequested LPIPS columns are not shown, so their notes would only be noise here.
        let notes: Vec<_> = r.notes.iter().filter(|n| n.reason != NOT_REQUESTED).cloned().collect();
        let notes = MetricRecord { notes, ..r.clone() }.notes_text();
        writeln!(out, "{}", format!("{line}  {notes}").trim_end()).map_err(stdout_error)
    }
}
