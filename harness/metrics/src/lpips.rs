//! LPIPS v0.1 (Zhang et al. 2018) through ONNX Runtime. The model `lpips_<net>.onnx` is looked for in
//! `$SPLATBENCH_LPIPS_DIR` when set, else in `$SPLATBENCH_SHARED/models/lpips/`, else (alex and squeeze, small
//! enough to ship) in this crate's `models/` (see its README for provenance), so the smoke suite scores LPIPS-alex
//! without `../shared`; VGG (57 MB) comes only from the first two.
//!
//! Each model takes `img0`, `img1`: float32 NCHW RGB **scaled to [−1, 1]** (2x − 1) and returns `distance` [N], the
//! spatially averaged distance per pair. This is the official `lpips` package's convention; INRIA 3DGS's
//! `metrics.py` feeds [0, 1] instead and gets different numbers, so reports must say that splatbench uses [−1, 1]
//! and which backbone. Images below 32 px on a side are outside what the backbones accept: undefined.
//!
//! ONNX Runtime is loaded at run time (`ort` feature `load-dynamic`) from `ORT_DYLIB_PATH`, else from
//! `<workspace>/.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*` (installed by
//! `cargo xtask setup`). One environment and one session per backbone live for the whole process: [`Lpips::new`]
//! is cheap after the first call for a backbone.

use super::Undefined;
use super::lpips_memo;
use super::planes::assert_same_shape;
use ort::environment::Environment;
use ort::session::Session;
use ort::value::Tensor;
use splatbench_core::{Error, Image, Result};
use splatbench_io::paths::{shared_path, workspace_root};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Smallest image side the LPIPS backbones accept.
pub const MIN_SIDE: u32 = 32;

/// LPIPS backbone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Net {
    /// AlexNet, the `lpips` package default.
    Alex,
    /// VGG-16, what Splatter Image and the 3DGS papers report.
    Vgg,
    /// SqueezeNet.
    Squeeze,
}

impl Net {
    pub const ALL: [Net; 3] = [Net::Alex, Net::Vgg, Net::Squeeze];

    pub fn name(self) -> &'static str {
        match self {
            Net::Alex => "alex",
            Net::Vgg => "vgg",
            Net::Squeeze => "squeeze",
        }
    }

    /// The model file, relative to the shared data directory.
    pub fn model_rel_path(self) -> String {
        format!("models/lpips/lpips_{}.onnx", self.name())
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where `net`'s model is (module docs); an input error naming the first place looked at when it is nowhere.
pub fn model_path(net: Net) -> Result<PathBuf> {
    let file = format!("lpips_{}.onnx", net.name());
    if let Some(dir) = std::env::var_os("SPLATBENCH_LPIPS_DIR") {
        let p = Path::new(&dir).join(&file);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(Error::input(&p, "missing (SPLATBENCH_LPIPS_DIR names its folder)"))
        };
    }
    let shared = shared_path(&net.model_rel_path());
    if shared.is_ok() {
        return shared;
    }
    let bundled = workspace_root().join("harness/metrics/models").join(&file);
    if bundled.is_file() { Ok(bundled) } else { shared }
}

/// What besides the two images decides `net`'s distances: the model file's bytes, the ONNX Runtime build, and the
/// running executable (device, inode, size and modification time of `/proc/self/exe`, or of `current_exe`): a
/// rebuilt splatbench starts a new memo rather than trust one written by other code.
fn scorer_fingerprint(net: Net) -> Result<u64> {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let model = model_path(net)?;
    let bytes = std::fs::read(&model).map_err(|e| Error::input(&model, format!("cannot read LPIPS model: {e}")))?;
    let exe = std::fs::metadata("/proc/self/exe")
        .or_else(|_| std::env::current_exe().and_then(std::fs::metadata))
        .map_err(|e| Error::bug(format!("cannot stat the running executable: {e}")))?;
    let mut h = std::hash::DefaultHasher::new();
    (net.name(), bytes, ort::info()).hash(&mut h);
    (exe.dev(), exe.ino(), exe.len(), exe.mtime(), exe.mtime_nsec()).hash(&mut h);
    Ok(h.finish())
}

/// An LPIPS scorer for one backbone; clones share the process-wide session.
#[derive(Clone)]
pub struct Lpips {
    net: Net,
    session: Arc<Mutex<Session>>,
    /// Look pairs up in (and add them to) the process-wide memo (`lpips_memo`) instead of always running the net.
    memoized: bool,
}

impl Lpips {
    /// The scorer for `net`, loading ONNX Runtime and the model on first use. Input errors name the missing model
    /// file or the onnxruntime library path that was looked at.
    pub fn new(net: Net) -> Result<Self> {
        static SESSIONS: Mutex<[Option<Arc<Mutex<Session>>>; 3]> = Mutex::new([None, None, None]);
        let mut sessions = SESSIONS.lock().unwrap_or_else(|e| e.into_inner());
        let slot = &mut sessions[net as usize];
        if let Some(session) = slot {
            return Ok(Lpips { net, session: session.clone(), memoized: false });
        }
        let model = model_path(net)?;
        let env = environment()?;
        let session = Session::builder(&env)
            .and_then(|mut b| b.commit_from_file(&model))
            .map_err(|e| Error::input(&model, format!("cannot load LPIPS model: {e}")))?;
        let session = Arc::new(Mutex::new(session));
        *slot = Some(session.clone());
        Ok(Lpips { net, session, memoized: false })
    }

    /// The ONNX Runtime library this scorer runs on: from its build info (`git-branch=rel-1.31.1` → "1.31.1"), else
    /// from the loaded library's file name (PyPI's wheels are built from a detached HEAD, and their build info names
    /// no release, but the file is `libonnxruntime.so.1.31.1`), else the build info as it is.
    pub fn onnxruntime_version(&self) -> String {
        let info = ort::info();
        let release = info.split([',', ' ']).find_map(|f| f.trim().strip_prefix("git-branch=rel-"));
        let from_file =
            || onnxruntime_library().ok().and_then(|p| p.canonicalize().ok()).and_then(|p| version_in_name(&p));
        release
            .map(str::to_string)
            .or_else(from_file)
            .unwrap_or_else(|| info.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// This scorer, answering a pair it (or any memoized scorer of the process) has scored before from the memo
    /// (`lpips_memo`): for a bench whose runs score the same reference images again.
    pub fn memoized(self) -> Self {
        Lpips { memoized: true, ..self }
    }

    /// [`Lpips::memoized`], with the memo shared through a file in `dir` by every process that runs the same code on
    /// the same model (`lpips_memo` docs): a bench's runs are processes of their own. When the file cannot be used
    /// a warning names it and the memo stays in this process.
    pub fn memoized_in(self, dir: &Path) -> Self {
        let shared = scorer_fingerprint(self.net)
            .map_err(|e| e.to_string())
            .and_then(|scorer| lpips_memo::persist(dir, self.net, scorer).map_err(|e| e.to_string()));
        if let Err(e) = shared {
            eprintln!("warning: LPIPS memo not shared between runs: {e}");
        }
        self.memoized()
    }

    /// (pairs answered from the memo, pairs the network scored into it) by the memoized scorers of this process.
    pub fn memo_counts() -> (u64, u64) {
        lpips_memo::counts()
    }

    pub fn net(&self) -> Net {
        self.net
    }

    /// LPIPS of one pair; see [`Lpips::distance_batch`].
    pub fn distance(&self, a: &Image, b: &Image) -> Result<Result<f64, Undefined>> {
        Ok(self.distance_batch(&[(a, b)])?.remove(0))
    }

    /// LPIPS of every pair, in order. Pairs of equal size go through the network together (one run with N > 1);
    /// a pair smaller than [`MIN_SIDE`] on a side gets `Err(Undefined::TooSmall)` in its slot. Alpha is dropped.
    /// The outer error is ONNX Runtime failing. Panics if the two images of a pair differ in shape.
    pub fn distance_batch(&self, pairs: &[(&Image, &Image)]) -> Result<Vec<Result<f64, Undefined>>> {
        let mut out: Vec<Result<f64, Undefined>> = pairs
            .iter()
            .map(|(a, _)| Err(Undefined::TooSmall { width: a.width, height: a.height, min_side: MIN_SIDE }))
            .collect();
        let mut pending: Vec<usize> = (0..pairs.len())
            .filter(|&i| {
                assert_same_shape(pairs[i].0, pairs[i].1);
                pairs[i].0.width >= MIN_SIDE && pairs[i].0.height >= MIN_SIDE
            })
            .collect();
        let keys: Vec<_> = if self.memoized {
            pairs.iter().map(|(a, b)| Some(lpips_memo::key(self.net, a, b))).collect()
        } else {
            vec![None; pairs.len()]
        };
        pending.retain(|&i| match keys[i].as_ref().and_then(lpips_memo::get) {
            Some(d) => {
                out[i] = Ok(d);
                false
            }
            None => true,
        });
        while let Some(&first) = pending.first() {
            let size = (pairs[first].0.width, pairs[first].0.height);
            let (group, rest): (Vec<usize>, Vec<usize>) =
                pending.iter().partition(|&&i| (pairs[i].0.width, pairs[i].0.height) == size);
            let group_pairs: Vec<(&Image, &Image)> = group.iter().map(|&i| pairs[i]).collect();
            for (i, d) in group.iter().zip(self.run(&group_pairs)?) {
                if let Some(k) = keys[*i] {
                    lpips_memo::insert(k, d);
                }
                out[*i] = Ok(d);
            }
            pending = rest;
        }
        Ok(out)
    }

    /// One network run over pairs that all have the same size.
    fn run(&self, pairs: &[(&Image, &Image)]) -> Result<Vec<f64>> {
        let (w, h) = (pairs[0].0.width as usize, pairs[0].0.height as usize);
        let shape = [pairs.len(), 3, h, w];
        let to_input = |side: usize| {
            let data: Vec<f32> = pairs.iter().flat_map(|p| nchw_signed(if side == 0 { p.0 } else { p.1 })).collect();
            Tensor::from_array((shape, data)).map_err(|e| self.ort_error(e))
        };
        let (img0, img1) = (to_input(0)?, to_input(1)?);
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(ort::inputs!["img0" => img0, "img1" => img1]).map_err(|e| self.ort_error(e))?;
        let (_, distance) = outputs["distance"].try_extract_tensor::<f32>().map_err(|e| self.ort_error(e))?;
        if distance.len() != pairs.len() {
            return Err(Error::bug(format!(
                "LPIPS ({}): model returned {} distances for {} pairs",
                self.net,
                distance.len(),
                pairs.len()
            )));
        }
        Ok(distance.iter().map(|&d| d as f64).collect())
    }

    fn ort_error(&self, e: ort::Error) -> Error {
        Error::internal(format!("LPIPS ({}): onnxruntime", self.net), e)
    }
}

/// RGB planes (alpha dropped) mapped from [0, 1] to [−1, 1].
fn nchw_signed(img: &Image) -> impl Iterator<Item = f32> + '_ {
    let stride = img.channels as usize;
    (0..3).flat_map(move |c| img.data.chunks_exact(stride).map(move |px| 2.0 * px[c] - 1.0))
}

/// The process-wide ONNX Runtime environment, created on first use (`ort` allows only one per process).
fn environment() -> Result<Environment> {
    static ENV: Mutex<Option<Environment>> = Mutex::new(None);
    let mut env = ENV.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(env) = env.as_ref() {
        return Ok(env.clone());
    }
    let lib = onnxruntime_library()?;
    let built = ort::init_from(&lib)
        .map_err(|e| Error::input(&lib, format!("cannot load onnxruntime: {e}")))?
        .with_name("splatbench")
        .build()
        .map_err(|e| Error::input(&lib, format!("cannot start onnxruntime: {e}")))?;
    *env = Some(built.clone());
    Ok(built)
}

/// The onnxruntime shared library: `ORT_DYLIB_PATH`, else the one in the workspace's Python virtual environment.
pub fn onnxruntime_library() -> Result<PathBuf> {
    const HINT: &str = "onnxruntime not found: run `cargo xtask setup` or set ORT_DYLIB_PATH";
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
        let p = PathBuf::from(p);
        return if p.is_file() { Ok(p) } else { Err(Error::input(&p, HINT)) };
    }
    let venv_lib = workspace_root().join(".venv").join("lib");
    find_in_venv(&venv_lib)
        .ok_or_else(|| Error::input(venv_lib.join("python3*/site-packages/onnxruntime/capi/libonnxruntime.so*"), HINT))
}

/// The version a library's file name carries: `libonnxruntime.so.1.31.1` → "1.31.1".
fn version_in_name(lib: &Path) -> Option<String> {
    let v = lib.file_name()?.to_str()?.strip_prefix("libonnxruntime.so.")?;
    let parts: Vec<&str> = v.split('.').collect();
    let numeric = parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (parts.len() >= 2 && numeric).then(|| v.to_string())
}

/// `<venv>/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*`, newest Python first.
fn find_in_venv(venv_lib: &Path) -> Option<PathBuf> {
    let mut pythons: Vec<PathBuf> = std::fs::read_dir(venv_lib)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
        .map(|e| e.path())
        .collect();
    pythons.sort();
    pythons.into_iter().rev().find_map(|py| {
        let capi = py.join("site-packages/onnxruntime/capi");
        let mut libs: Vec<PathBuf> = std::fs::read_dir(capi)
            .ok()?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("libonnxruntime.so"))
            .map(|e| e.path())
            .collect();
        libs.sort();
        libs.pop()
    })
}

#[cfg(test)]
mod tests {
    use super::version_in_name;
    use std::path::Path;

    #[test]
    fn the_version_is_read_off_a_versioned_library_name_only() {
        let v = |n: &str| version_in_name(Path::new(n));
        assert_eq!(v("/x/capi/libonnxruntime.so.1.31.1").as_deref(), Some("1.31.1"));
        assert_eq!(v("/x/libonnxruntime.so.1.20").as_deref(), Some("1.20"));
        for plain in ["/x/libonnxruntime.so", "/x/libonnxruntime.so.1", "/x/libonnxruntime.so.1.x", "/x/libfoo.so.1.2"]
        {
            assert_eq!(v(plain), None, "{plain}");
        }
    }
}
