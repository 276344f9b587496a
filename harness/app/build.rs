//! With `--features tch`, record libtorch's library directory as the binaries' run path, so `splatbench` built by
//! `cargo xtask bench --backend tch` also runs when started by hand, without `LD_LIBRARY_PATH`.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_TCH").is_some()
        && let Some(dir) = std::env::var_os("LIBTORCH")
    {
        let lib = std::path::Path::new(&dir).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
