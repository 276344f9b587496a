//! COLMAP's text model files, one record per line (`#` comments):
//!
//! - `cameras.txt`: `CAMERA_ID MODEL WIDTH HEIGHT PARAMS...`
//! - `images.txt`: two lines per image, `IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME` then the keypoints
//!   `X Y POINT3D_ID ...` (−1 = none). The second line is read verbatim, as COLMAP does, because it may be empty.
//! - `points3D.txt`: `POINT3D_ID X Y Z R G B ERROR (IMAGE_ID POINT2D_IDX)...`
//!
//! A `# Number of ...: N` header, when present, must agree with the records found. Numbers are written with
//! Rust's shortest round-trip formatting, so binary → text → binary reproduces every f64 bit for bit.

use super::model::{ColmapCamera, ColmapImage, ColmapModel, ColmapPoint, Point2D, TrackElement, model_by_name};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;

/// Numbered lines of a file, with a parse helper that names file and line on failure.
struct Lines<'a> {
    path: &'a Path,
    iter: std::iter::Enumerate<std::str::Lines<'a>>,
    /// Record count stated in the header comment, if any.
    declared: Option<usize>,
}

impl<'a> Lines<'a> {
    fn new(path: &'a Path, text: &'a str, header: &str) -> Self {
        let declared = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .find_map(|l| l.split_once(header).map(|(_, rest)| rest))
            .and_then(|rest| rest.trim_start().split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        Lines { path, iter: text.lines().enumerate(), declared }
    }

    /// The next line that is neither blank nor a comment, split into fields, with its 1-based number.
    fn next_record(&mut self) -> Option<(usize, Vec<&'a str>)> {
        self.iter.by_ref().find_map(|(i, l)| {
            let l = l.trim();
            (!l.is_empty() && !l.starts_with('#')).then(|| (i + 1, l.split_whitespace().collect()))
        })
    }

    /// The very next line, blank or not, with its 1-based number.
    fn next_raw(&mut self) -> Option<(usize, Vec<&'a str>)> {
        self.iter.next().map(|(i, l)| (i + 1, l.split_whitespace().collect()))
    }

    fn err(&self, line: usize, msg: impl std::fmt::Display) -> Error {
        Error::input(self.path, format!("line {line}: {msg}"))
    }

    fn parse<T: FromStr>(&self, line: usize, field: &str, what: &str) -> Result<T> {
        field.parse().map_err(|_| self.err(line, format!("{what} '{field}' is not valid")))
    }

    fn check_count(&self, found: usize, what: &str) -> Result<()> {
        match self.declared {
            Some(n) if n != found => {
                Err(Error::input(self.path, format!("header says {n} {what} but the file holds {found}")))
            }
            _ => Ok(()),
        }
    }
}

pub fn read_cameras_txt(path: &Path) -> Result<BTreeMap<u32, ColmapCamera>> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut lines = Lines::new(path, &text, "Number of cameras:");
    let mut out = BTreeMap::new();
    while let Some((ln, f)) = lines.next_record() {
        if f.len() < 4 {
            return Err(lines.err(ln, "expected CAMERA_ID MODEL WIDTH HEIGHT PARAMS..."));
        }
        let id: u32 = lines.parse(ln, f[0], "camera id")?;
        let (_, n) = model_by_name(f[1]).ok_or_else(|| lines.err(ln, format!("unknown camera model {}", f[1])))?;
        if f.len() != 4 + n {
            return Err(lines.err(ln, format!("{} takes {n} parameters, found {}", f[1], f.len() - 4)));
        }
        let params: Vec<f64> = f[4..].iter().map(|p| lines.parse(ln, p, "parameter")).collect::<Result<_>>()?;
        // Blamed here, on the file that holds it, rather than on the first image that uses the camera.
        if params.iter().any(|p| !p.is_finite()) {
            return Err(lines.err(ln, format!("camera {id} has a NaN or infinite parameter")));
        }
        let cam = ColmapCamera {
            id,
            model: f[1].to_string(),
            width: lines.parse(ln, f[2], "width")?,
            height: lines.parse(ln, f[3], "height")?,
            params,
        };
        if out.insert(id, cam).is_some() {
            return Err(lines.err(ln, format!("camera id {id} appears twice")));
        }
    }
    lines.check_count(out.len(), "cameras")?;
    Ok(out)
}

pub fn read_images_txt(path: &Path) -> Result<BTreeMap<u32, ColmapImage>> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut lines = Lines::new(path, &text, "Number of images:");
    let mut out = BTreeMap::new();
    while let Some((ln, f)) = lines.next_record() {
        if f.len() < 10 {
            return Err(lines.err(ln, "expected IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME"));
        }
        let id: u32 = lines.parse(ln, f[0], "image id")?;
        let nums: Vec<f64> = f[1..8].iter().map(|v| lines.parse(ln, v, "pose value")).collect::<Result<_>>()?;
        let camera_id = lines.parse(ln, f[8], "camera id")?;
        // Names may contain spaces; COLMAP writes them last on the line.
        let name = f[9..].join(" ");
        let (pln, pts) = lines.next_raw().ok_or_else(|| lines.err(ln, "image has no keypoint line"))?;
        if pts.len() % 3 != 0 {
            return Err(lines.err(pln, "keypoints must come in triples X Y POINT3D_ID"));
        }
        let mut points2d = Vec::with_capacity(pts.len() / 3);
        for t in pts.chunks_exact(3) {
            let pid: i64 = lines.parse(pln, t[2], "point3D id")?;
            if pid < -1 {
                return Err(lines.err(pln, format!("point3D id {pid} is negative (only -1 means none)")));
            }
            points2d.push(Point2D {
                xy: [lines.parse(pln, t[0], "keypoint x")?, lines.parse(pln, t[1], "keypoint y")?],
                point3d_id: u64::try_from(pid).ok(),
            });
        }
        let image = ColmapImage {
            id,
            qvec: [nums[0], nums[1], nums[2], nums[3]],
            tvec: [nums[4], nums[5], nums[6]],
            camera_id,
            name,
            points2d,
        };
        if out.insert(id, image).is_some() {
            return Err(lines.err(ln, format!("image id {id} appears twice")));
        }
    }
    lines.check_count(out.len(), "images")?;
    Ok(out)
}

pub fn read_points_txt(path: &Path) -> Result<BTreeMap<u64, ColmapPoint>> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut lines = Lines::new(path, &text, "Number of points:");
    let mut out = BTreeMap::new();
    while let Some((ln, f)) = lines.next_record() {
        if f.len() < 8 || (f.len() - 8) % 2 != 0 {
            return Err(lines.err(ln, "expected POINT3D_ID X Y Z R G B ERROR (IMAGE_ID POINT2D_IDX)..."));
        }
        let id: u64 = lines.parse(ln, f[0], "point id")?;
        let track = f[8..]
            .chunks_exact(2)
            .map(|t| -> Result<TrackElement> {
                Ok(TrackElement {
                    image_id: lines.parse(ln, t[0], "track image id")?,
                    point2d_idx: lines.parse(ln, t[1], "track keypoint index")?,
                })
            })
            .collect::<Result<_>>()?;
        let point = ColmapPoint {
            id,
            xyz: [lines.parse(ln, f[1], "x")?, lines.parse(ln, f[2], "y")?, lines.parse(ln, f[3], "z")?],
            rgb: [lines.parse(ln, f[4], "red")?, lines.parse(ln, f[5], "green")?, lines.parse(ln, f[6], "blue")?],
            error: lines.parse(ln, f[7], "error")?,
            track,
        };
        if out.insert(id, point).is_some() {
            return Err(lines.err(ln, format!("point3D id {id} appears twice")));
        }
    }
    lines.check_count(out.len(), "points")?;
    Ok(out)
}

/// Write `cameras.txt`, `images.txt` and `points3D.txt` into `dir` (created if needed), in COLMAP's layout.
pub fn write_colmap_text(model: &ColmapModel, dir: &Path) -> Result<()> {
    let mut cams = String::from("# Camera list with one line of data per camera:\n");
    cams += "#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n";
    let _ = writeln!(cams, "# Number of cameras: {}", model.cameras.len());
    for c in model.cameras.values() {
        let _ = write!(cams, "{} {} {} {}", c.id, c.model, c.width, c.height);
        c.params.iter().for_each(|p| {
            let _ = write!(cams, " {p}");
        });
        cams.push('\n');
    }
    let mut imgs = String::from("# Image list with two lines of data per image:\n");
    imgs += "#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n#   POINTS2D[] as (X, Y, POINT3D_ID)\n";
    let _ = writeln!(imgs, "# Number of images: {}", model.images.len());
    for im in model.images.values() {
        let [qw, qx, qy, qz] = im.qvec;
        let [tx, ty, tz] = im.tvec;
        let _ = writeln!(imgs, "{} {qw} {qx} {qy} {qz} {tx} {ty} {tz} {} {}", im.id, im.camera_id, im.name);
        let kps: Vec<String> = im
            .points2d
            .iter()
            .map(|p| match p.point3d_id {
                Some(id) => format!("{} {} {id}", p.xy[0], p.xy[1]),
                None => format!("{} {} -1", p.xy[0], p.xy[1]),
            })
            .collect();
        imgs += &kps.join(" ");
        imgs.push('\n');
    }
    let mut pts = String::from("# 3D point list with one line of data per point:\n");
    pts += "#   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n";
    let _ = writeln!(pts, "# Number of points: {}", model.points.len());
    for p in model.points.values() {
        let [x, y, z] = p.xyz;
        let [r, g, b] = p.rgb;
        let _ = write!(pts, "{} {x} {y} {z} {r} {g} {b} {}", p.id, p.error);
        p.track.iter().for_each(|t| {
            let _ = write!(pts, " {} {}", t.image_id, t.point2d_idx);
        });
        pts.push('\n');
    }
    for (name, text) in [("cameras.txt", cams), ("images.txt", imgs), ("points3D.txt", pts)] {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}
