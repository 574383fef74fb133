//! Spool directories: where the `tazan` command hands files to a running node
//! or hub that owns its sled store. A file is written under a hidden
//! temporary name and renamed into place, so a reader never sees half of one.

use std::io;
use std::path::{Path, PathBuf};

/// Write `bytes` as `dir/name` (creating `dir`, mode 0700 on unix) through a
/// temporary name; returns the final path.
pub fn spool_write(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// The complete files in `dir` ending in `.ext` (no hidden temporaries),
/// in name order; none when `dir` does not exist.
pub fn spool_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_files_are_listed_and_temporaries_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let spool = dir.path().join("spool");
        assert!(spool_files(&spool, "json").is_empty());
        let b = spool_write(&spool, "b.json", b"{}").unwrap();
        let a = spool_write(&spool, "a.json", b"{}").unwrap();
        std::fs::write(spool.join(".c.json.tmp"), b"{").unwrap();
        std::fs::write(spool.join(".d.json"), b"{").unwrap();
        std::fs::write(spool.join("e.txt"), b"").unwrap();
        assert_eq!(spool_files(&spool, "json"), [a, b]);
    }
}
