//! A Vulkan driver for `--backend wgpu` on machines without a GPU: Mesa's software rasterizer (lavapipe) from
//! `mesa-vulkan-drivers`, and the loader `libvulkan1`, installed with apt when missing (burn's default `wgpu`
//! feature runs on it; the `vulkan` feature segfaults there, so the project does not use it).

use crate::TaskError;
use crate::setup::run_cmd;
use std::path::Path;
use std::process::Command;

/// Where Vulkan ICD manifests live on Debian/Ubuntu.
const ICD_DIRS: [&str; 2] = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];

fn loader_present() -> bool {
    ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1", "/usr/lib/libvulkan.so.1"]
        .iter()
        .any(|p| Path::new(p).exists())
}

fn driver_present() -> bool {
    ICD_DIRS.iter().any(|d| {
        std::fs::read_dir(d).is_ok_and(|mut entries| {
            entries.any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json")))
        })
    })
}

/// Make sure a Vulkan loader and at least one driver are installed; install Mesa's when not (needs apt and root).
pub fn ensure() -> Result<(), TaskError> {
    if loader_present() && driver_present() {
        println!("setup: Vulkan loader and driver present (wgpu)");
        return Ok(());
    }
    println!("setup: apt-get install -y mesa-vulkan-drivers libvulkan1 (wgpu on software Vulkan)");
    run_cmd(Command::new("apt-get").args(["update", "-qq"]), "apt-get update")?;
    run_cmd(
        Command::new("apt-get").args(["install", "-y", "-qq", "mesa-vulkan-drivers", "libvulkan1"]),
        "apt-get install mesa-vulkan-drivers libvulkan1",
    )?;
    if loader_present() && driver_present() {
        Ok(())
    } else {
        Err(crate::fail("Vulkan still missing after apt-get install mesa-vulkan-drivers libvulkan1"))
    }
}
