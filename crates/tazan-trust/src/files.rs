//! File helpers: secrets are created owner-only and never overwritten,
//! and refused on read when others can access them.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::TrustError;

/// Refuse if any of `paths` exists, so a pair of files is written whole or not at all.
pub(crate) fn ensure_absent(paths: &[&Path]) -> Result<(), TrustError> {
    for path in paths {
        match fs::symlink_metadata(path) {
            Ok(_) => {
                return Err(TrustError::FileExists {
                    path: path.to_path_buf(),
                })
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(TrustError::io("inspect", *path, e)),
        }
    }
    Ok(())
}

/// Create `path` readable only by its owner (0600 on unix), refusing to
/// overwrite an existing file.
pub(crate) fn create_secret(path: &Path, contents: &[u8]) -> Result<(), TrustError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    write_new(&options, path, contents)
}

/// Create `path` with default permissions, refusing to overwrite.
pub(crate) fn create_public(path: &Path, contents: &[u8]) -> Result<(), TrustError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    write_new(&options, path, contents)
}

fn write_new(options: &OpenOptions, path: &Path, contents: &[u8]) -> Result<(), TrustError> {
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == ErrorKind::AlreadyExists {
            TrustError::FileExists {
                path: path.to_path_buf(),
            }
        } else {
            TrustError::io("create", path, e)
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| TrustError::io("write", path, e))
}

/// Replace `path` atomically (write a sibling temporary file, then rename).
pub(crate) fn replace(path: &Path, contents: &[u8]) -> Result<(), TrustError> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".tmp");
    let tmp: PathBuf = path.with_file_name(tmp_name);
    let mut file = File::create(&tmp).map_err(|e| TrustError::io("create", &tmp, e))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| TrustError::io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| TrustError::io("rename into place", path, e))
}

/// Read a secret file, refusing it if group or others can access it (unix).
pub(crate) fn read_secret(path: &Path) -> Result<Zeroizing<String>, TrustError> {
    let mut file = File::open(path).map_err(|e| TrustError::io("read", path, e))?;
    let metadata = file
        .metadata()
        .map_err(|e| TrustError::io("inspect", path, e))?;
    // A directory opens fine on unix and has mode 0755: say what it is,
    // not that its permissions are wrong.
    if !metadata.is_file() {
        return Err(TrustError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(TrustError::InsecurePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    // Sized up front so the secret is not left behind in reallocated buffers.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    file.read_to_string(&mut text)
        .map_err(|e| TrustError::io("read", path, e))?;
    Ok(text)
}

/// Read a private key file (an ed25519 signing key, a TLS key or a CA key):
/// refused when it is not a file, or when group or others can access it.
pub fn read_private_key(path: &Path) -> Result<Zeroizing<String>, TrustError> {
    read_secret(path)
}

/// Read a non-secret text file (a roster, an announcement), without a UTF-8
/// byte-order mark.
pub(crate) fn read_text(path: &Path) -> Result<String, TrustError> {
    let text = fs::read_to_string(path).map_err(|e| TrustError::io("read", path, e))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}
