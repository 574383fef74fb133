//! The canonical byte format: fixed field order, big-endian u32 lengths,
//! UTF-8 strings, one-byte enum codes. No field is optional in the encoding
//! (options carry a presence byte), so there is exactly one encoding per value.

use crate::ModelError;

/// Upper bound on any length prefix, to refuse absurd allocations early.
const MAX_LEN: u32 = 1 << 20;

#[derive(Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(magic: &[u8]) -> Self {
        Writer {
            buf: magic.to_vec(),
        }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) {
        // Lengths are bounded by validation far below u32::MAX.
        self.u32(u32::try_from(v.len()).unwrap_or(u32::MAX));
        self.buf.extend_from_slice(v);
    }

    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    pub(crate) fn strs(&mut self, v: &[String]) {
        self.u32(u32::try_from(v.len()).unwrap_or(u32::MAX));
        for s in v {
            self.str(s);
        }
    }

    pub(crate) fn opt_str(&mut self, v: Option<&str>) {
        match v {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    pub(crate) fn opt_fixed(&mut self, v: Option<&[u8; 32]>) {
        match v {
            None => self.u8(0),
            Some(b) => {
                self.u8(1);
                self.buf.extend_from_slice(b);
            }
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }
}

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], magic: &[u8]) -> Result<Self, ModelError> {
        if !buf.starts_with(magic) {
            return Err(err(0, "unknown format (magic bytes do not match)"));
        }
        Ok(Reader {
            buf,
            pos: magic.len(),
        })
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| err(self.pos, "truncated"))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&mut self) -> Result<usize, ModelError> {
        let at = self.pos;
        let n = self.u32()?;
        if n > MAX_LEN {
            return Err(err(at, "length prefix over 1 MiB"));
        }
        Ok(n as usize)
    }

    pub(crate) fn str(&mut self) -> Result<String, ModelError> {
        let at = self.pos;
        let n = self.len()?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| err(at, "string is not valid UTF-8"))
    }

    /// The next byte, not consumed.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Whether every byte has been read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// The offset of the next byte.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// A list count, refused when the rest of the input cannot hold that many items of
    /// at least `min_item` bytes each.
    pub(crate) fn count(&mut self, min_item: usize) -> Result<usize, ModelError> {
        let n = self.len()?;
        if n > (self.buf.len() - self.pos) / min_item.max(1) {
            return Err(err(self.pos, "list count exceeds remaining input"));
        }
        Ok(n)
    }

    pub(crate) fn strs(&mut self) -> Result<Vec<String>, ModelError> {
        let n = self.len()?;
        // Each string needs at least its 4-byte prefix: refuse counts the
        // remaining input cannot hold before allocating.
        if n > (self.buf.len() - self.pos) / 4 {
            return Err(err(self.pos, "list count exceeds remaining input"));
        }
        (0..n).map(|_| self.str()).collect()
    }

    pub(crate) fn opt_str(&mut self) -> Result<Option<String>, ModelError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            _ => Err(err(self.pos - 1, "presence byte must be 0 or 1")),
        }
    }

    pub(crate) fn opt_fixed(&mut self) -> Result<Option<[u8; 32]>, ModelError> {
        match self.u8()? {
            0 => Ok(None),
            1 => {
                let b = self.take(32)?;
                let mut out = [0u8; 32];
                out.copy_from_slice(b);
                Ok(Some(out))
            }
            _ => Err(err(self.pos - 1, "presence byte must be 0 or 1")),
        }
    }

    pub(crate) fn code<T>(
        &mut self,
        f: impl Fn(u8) -> Option<T>,
        what: &'static str,
    ) -> Result<T, ModelError> {
        let at = self.pos;
        let c = self.u8()?;
        f(c).ok_or_else(|| err(at, what))
    }

    pub(crate) fn finish(self) -> Result<(), ModelError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(err(self.pos, "trailing bytes after the value"))
        }
    }
}

fn err(offset: usize, reason: &'static str) -> ModelError {
    ModelError::Decode { offset, reason }
}
