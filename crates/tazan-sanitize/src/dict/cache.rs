//! Trust in the compiled dictionary cache: a manifest written last, when the
//! cache is complete, names every file with its size and BLAKE3 hash, under a
//! format line this build writes. A cache without it, from another format, or
//! whose files differ from it (truncated, corrupted, half-copied) is rebuilt
//! from the sources, never loaded: lindera's arrays are headerless, so a
//! damaged file would decode into a silently wrong dictionary.

use std::path::Path;

/// Bump when what the cache holds or how it is derived changes.
const FORMAT: &str = "tazan ipadic cache 3";
pub(super) const MANIFEST: &str = "tazan-manifest.txt";

/// Writes the manifest of every file in `dir` (call when the cache is complete).
pub(super) fn seal(dir: &Path) -> Result<(), String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != MANIFEST)
        .collect();
    names.sort();
    let mut out = format!("{FORMAT}\n");
    for name in names {
        let (len, hash) = digest(&dir.join(&name))?;
        out.push_str(&format!("{name} {len} {hash}\n"));
    }
    std::fs::write(dir.join(MANIFEST), out)
        .map_err(|e| format!("cannot write {}: {e}", dir.join(MANIFEST).display()))
}

/// Why the cache in `dir` cannot be trusted, if it cannot; `required` files
/// must be among those the manifest lists.
pub(super) fn check(dir: &Path, required: &[&str]) -> Result<(), String> {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST))
        .map_err(|_| "no manifest (incomplete, or from an older build)".to_string())?;
    let mut lines = manifest.lines();
    if lines.next() != Some(FORMAT) {
        return Err("from another version of the cache format".into());
    }
    let mut listed = Vec::new();
    for line in lines {
        let mut f = line.split(' ');
        let (Some(name), Some(len), Some(hash), None) = (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(format!("manifest line unreadable: {line:?}"));
        };
        let (actual_len, actual_hash) = digest(&dir.join(name))?;
        if len != actual_len.to_string() || hash != actual_hash {
            return Err(format!("{name} differs from the manifest"));
        }
        listed.push(name);
    }
    match required.iter().find(|r| !listed.contains(r)) {
        Some(missing) => Err(format!("{missing} missing")),
        None => Ok(()),
    }
}

fn digest(path: &Path) -> Result<(u64, String), String> {
    let mut h = blake3::Hasher::new();
    let len = h
        .update_reader(
            std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        )
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .count();
    Ok((len, h.finalize().to_hex().to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_sealed_cache_is_trusted_until_a_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.bin"), b"0123456789").unwrap();
        std::fs::write(d.join("b.txt"), "東京\n").unwrap();
        assert!(check(d, &["a.bin"]).unwrap_err().contains("no manifest"));
        seal(d).unwrap();
        check(d, &["a.bin", "b.txt"]).unwrap();
        // A file this build needs that the cache never had.
        assert!(check(d, &["c.txt"]).unwrap_err().contains("c.txt missing"));
        // Same length, one byte flipped.
        std::fs::write(d.join("a.bin"), b"0123456780").unwrap();
        assert!(check(d, &[]).unwrap_err().contains("a.bin differs"));
        // Truncated.
        seal(d).unwrap();
        std::fs::write(d.join("b.txt"), "東").unwrap();
        assert!(check(d, &[]).unwrap_err().contains("b.txt differs"));
        // Deleted.
        std::fs::remove_file(d.join("b.txt")).unwrap();
        assert!(check(d, &[]).unwrap_err().contains("cannot read"));
        // Another format.
        std::fs::write(d.join("b.txt"), "東").unwrap();
        seal(d).unwrap();
        let m = std::fs::read_to_string(d.join(MANIFEST)).unwrap();
        std::fs::write(
            d.join(MANIFEST),
            m.replacen(FORMAT, "tazan ipadic cache 0", 1),
        )
        .unwrap();
        assert!(check(d, &[]).unwrap_err().contains("another version"));
    }
}
