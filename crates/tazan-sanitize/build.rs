//! Best-effort provisioning of the IPADIC sources for the dictionary recogniser.
//!
//! The dictionary itself is compiled at runtime (see `src/dict.rs`). This script
//! only helps a fresh machine: when the Debian `mecab-ipadic` sources are missing,
//! the build runs as root and `apt-get` exists, it installs the package and says so
//! with a cargo warning. It never fails the build: without the sources the
//! sanitizer runs its other recognisers and reports the dictionary as off.
//! Set `TAZAN_NO_APT=1` to skip the attempt.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TAZAN_IPADIC_DIR");
    println!("cargo:rerun-if-env-changed=TAZAN_NO_APT");
    let dir = std::env::var("TAZAN_IPADIC_DIR")
        .unwrap_or_else(|_| "/usr/share/mecab/dic/ipadic".to_string());
    if Path::new(&dir).join("matrix.def").exists() {
        return;
    }
    if std::env::var_os("TAZAN_NO_APT").is_some() {
        println!("cargo:warning=IPADIC sources not found in {dir}; TAZAN_NO_APT set, the dictionary recogniser will be off (run scripts/setup-ipadic.sh)");
        return;
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let has_apt = Path::new("/usr/bin/apt-get").exists();
    if !(is_root && has_apt) {
        println!("cargo:warning=IPADIC sources not found in {dir}; the dictionary recogniser will be off until `apt-get install mecab-ipadic` (scripts/setup-ipadic.sh)");
        return;
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "mecab-ipadic"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    let ok = install() || {
        let _ = Command::new("apt-get").args(["update", "-q"]).output();
        install()
    };
    if ok && Path::new(&dir).join("matrix.def").exists() {
        println!("cargo:warning=installed Debian package mecab-ipadic (IPADIC sources for the sanitizer's dictionary recogniser)");
    } else {
        println!("cargo:warning=could not install mecab-ipadic; the dictionary recogniser will be off (run scripts/setup-ipadic.sh)");
    }
}
