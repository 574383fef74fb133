//! Trust in the compiled dictionary cache: a manifest written last, when the
//! cache is complete, names every file with its size and digest, under a
//! format line this build writes. A cache without it, from another format, or
//! whose files differ from it (truncated, corrupted, half-copied) is rebuilt
//! from the sources, never loaded: lindera's arrays are headerless, so a
//! damaged file would decode into a silently wrong dictionary.
//!
//! The digest guards against damage, not against an attacker (who could
//! rewrite the manifest beside the files): since round 24 it is a cheap
//! word-wise hash (see [`Digest`]), not BLAKE3, which cost 141 M
//! instructions at every start-up for the ~50 MB cache.

use std::io::Read;
use std::path::Path;

/// Bump when what the cache holds or how it is derived changes (4: the
/// manifest's digest changed from BLAKE3 to [`Digest`]; the dictionary's
/// directory name in `dict.rs` changes with it, so builds of either format
/// on one machine keep their own cache).
const FORMAT: &str = "tazan ipadic cache 4";
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
    let unreadable = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let mut d = Digest::default();
    // A multiple of the digest's block, so that only the last read may leave
    // a partial block.
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(unreadable(e)),
            }
        }
        d.update(&buf[..filled]);
        if filled < buf.len() {
            return Ok((d.len, d.hex()));
        }
    }
}

/// A word-wise multiplicative hash in four lanes (FxHash's step,
/// `(rotl(h, 5) ^ word) * K`, over 8-byte little-endian words; the tail
/// bytes padded with zeros, the length folded in at the end). Each step is
/// a bijection of the lane for a given word and of the word for a given
/// lane, so a file differing from the sealed one in a single word always
/// gets another digest; a truncated one is caught by its size. About 0.6
/// instructions a byte, against about 2.8 for BLAKE3 (AVX2).
#[derive(Default)]
struct Digest {
    lanes: [u64; 4],
    len: u64,
}

impl Digest {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const BLOCK: usize = 32;

    fn step(h: u64, word: u64) -> u64 {
        (h.rotate_left(5) ^ word).wrapping_mul(Self::K)
    }

    /// Feeds `bytes`; every call but the last must be a whole number of
    /// blocks long.
    fn update(&mut self, bytes: &[u8]) {
        self.len += bytes.len() as u64;
        let mut blocks = bytes.chunks_exact(Self::BLOCK);
        for b in &mut blocks {
            for (lane, w) in self.lanes.iter_mut().zip(b.chunks_exact(8)) {
                let mut word = [0u8; 8];
                word.copy_from_slice(w);
                *lane = Self::step(*lane, u64::from_le_bytes(word));
            }
        }
        for (lane, w) in self.lanes.iter_mut().zip(blocks.remainder().chunks(8)) {
            let mut word = [0u8; 8];
            word[..w.len()].copy_from_slice(w);
            *lane = Self::step(*lane, u64::from_le_bytes(word));
        }
    }

    fn hex(&self) -> String {
        let [a, b, c, d] = self.lanes;
        let last = Self::step(Self::step(Self::step(Self::step(a, b), c), d), self.len);
        format!("{a:016x}{b:016x}{c:016x}{d:016x}{last:016x}")
    }
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

    #[test]
    fn the_digest_sees_one_changed_byte_anywhere_and_reads_in_any_blocks() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = |bytes: &[u8]| {
            let mut d = Digest::default();
            d.update(bytes);
            d.hex()
        };
        let base = whole(&data);
        // In blocks, as `digest` reads a file.
        let mut d = Digest::default();
        d.update(&data[..640]);
        d.update(&data[640..]);
        assert_eq!(d.hex(), base);
        for i in 0..data.len() {
            let mut bad = data.clone();
            bad[i] ^= 0x01;
            assert_ne!(whole(&bad), base, "byte {i}");
        }
        // A zero byte more or less (the tail is padded with zeros).
        let mut longer = data.clone();
        longer.push(0);
        assert_ne!(whole(&longer), base);
        assert_ne!(whole(&data[..999]), base);
    }
}
