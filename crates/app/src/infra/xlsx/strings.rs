//! The shared-string table of a sheet being streamed, packed so that a
//! million residents' strings cost 4 bytes each in memory.
//!
//! The strings are names, ID numbers and phones: what spills to the disk
//! is encrypted (AES-128-CTR under a key that lives only in this process's
//! memory for the import), in a file only this user may open, unlinked
//! as soon as it is made. Nothing readable outlives the import.

use super::stream::damaged;
use crate::AppError;
use ctr::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};

type Cipher = ctr::Ctr128BE<aes::Aes128>;

/// Shared-string text kept in memory up to this size; a larger table
/// goes to an unnamed temporary file.
const IN_MEMORY: usize = 8 * 1024 * 1024;
/// How much of the spilled text is read at once.
const WINDOW: usize = 1024 * 1024;
/// Strings read from behind the window (addresses, repeated on many rows)
/// kept at most.
const RECENT: usize = 65_536;

/// The shared strings, packed: all text in one buffer (or, past
/// [`IN_MEMORY`], in a temporary file already unlinked), and each entry's
/// end. A million residents' three million strings then cost 4 bytes each
/// in memory. Sheets use strings nearly in the order they were added, so
/// the file is read forward through a window; strings used again (a
/// building, a unit) are kept in a small map.
#[derive(Default)]
pub(super) struct Strings {
    text: Vec<u8>,
    ends: Vec<u32>,
    spilled: Option<Spill>,
}

struct Spill {
    /// the ephemeral key and nonce of the spilled text
    key: [u8; 32],
    /// the keystream of the writes, in order
    sealing: Cipher,
    writer: Option<std::io::BufWriter<std::fs::File>>,
    file: Option<std::fs::File>,
    len: u64,
    window: Vec<u8>,
    window_at: u64,
    recent: std::collections::HashMap<usize, String>,
}

fn spill_err(e: std::io::Error) -> AppError {
    AppError::Internal(format!("临时文件:{e}"))
}

fn random<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(b)
}

/// The keystream of `key` from byte `at` on.
fn keystream(key: &[u8; 32], at: u64) -> Result<Cipher, AppError> {
    let mut c = Cipher::new_from_slices(&key[..16], &key[16..])
        .map_err(|e| AppError::Internal(format!("cipher: {e}")))?;
    c.try_seek(at)
        .map_err(|e| AppError::Internal(format!("cipher: {e}")))?;
    Ok(c)
}

/// A new temporary file only this user may open, unlinked at once: it
/// goes when it is closed.
fn anonymous_file() -> Result<std::fs::File, AppError> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = std::env::temp_dir().join(format!("linli-strings-{}", hex::encode(random::<12>()?)));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(spill_err)?;
    std::fs::remove_file(&path).map_err(spill_err)?;
    Ok(file)
}

impl Strings {
    pub(super) fn push(&mut self, s: &str) -> Result<(), AppError> {
        use std::io::Write;
        let total = match &mut self.spilled {
            Some(spill) => {
                if let Some(w) = spill.writer.as_mut() {
                    let mut sealed = s.as_bytes().to_vec();
                    spill.sealing.apply_keystream(&mut sealed);
                    w.write_all(&sealed).map_err(spill_err)?;
                }
                spill.len += s.len() as u64;
                spill.len
            }
            None => {
                self.text.extend_from_slice(s.as_bytes());
                if self.text.len() > IN_MEMORY {
                    let mut writer =
                        std::io::BufWriter::with_capacity(256 * 1024, anonymous_file()?);
                    let key = random::<32>()?;
                    let mut sealing = keystream(&key, 0)?;
                    sealing.apply_keystream(&mut self.text);
                    writer.write_all(&self.text).map_err(spill_err)?;
                    let len = self.text.len() as u64;
                    self.text = Vec::new();
                    self.spilled = Some(Spill {
                        key,
                        sealing,
                        writer: Some(writer),
                        file: None,
                        len,
                        window: Vec::new(),
                        window_at: 0,
                        recent: std::collections::HashMap::new(),
                    });
                    len
                } else {
                    self.text.len() as u64
                }
            }
        };
        let end = u32::try_from(total).map_err(|_| damaged("共享字符串过大"))?;
        self.ends.push(end);
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Done adding: the spilled text is flushed for reading.
    pub(super) fn finish(&mut self) -> Result<(), AppError> {
        if let Some(spill) = &mut self.spilled
            && let Some(w) = spill.writer.take()
        {
            spill.file = Some(w.into_inner().map_err(|e| spill_err(e.into_error()))?);
        }
        Ok(())
    }

    pub(super) fn get(&mut self, i: usize) -> Result<Option<String>, AppError> {
        let Some(end) = self.ends.get(i).map(|e| *e as usize) else {
            return Ok(None);
        };
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).map_or(0, |e| *e as usize),
            None => 0,
        };
        let text = |b: &[u8]| {
            std::str::from_utf8(b)
                .map(str::to_owned)
                .map_err(|_| damaged("共享字符串编码无效"))
        };
        let Some(spill) = &mut self.spilled else {
            return self.text.get(start..end).map(text).transpose();
        };
        let Some(file) = &spill.file else {
            return Err(AppError::Internal("共享字符串未写完".into()));
        };
        let (start, end) = (start as u64, end as u64);
        let in_window =
            |s: &Spill| start >= s.window_at && end <= s.window_at + s.window.len() as u64;
        if !in_window(spill) {
            if let Some(hit) = spill.recent.get(&i) {
                return Ok(Some(hit.clone()));
            }
            use std::os::unix::fs::FileExt;
            if start < spill.window_at {
                // behind the window: read it alone and keep it
                let mut buf = vec![0u8; (end - start) as usize];
                file.read_exact_at(&mut buf, start).map_err(spill_err)?;
                keystream(&spill.key, start)?.apply_keystream(&mut buf);
                let s = text(&buf)?;
                if spill.recent.len() >= RECENT {
                    spill.recent.clear();
                }
                spill.recent.insert(i, s.clone());
                return Ok(Some(s));
            }
            let size = (spill.len - start).min(WINDOW.max((end - start) as usize) as u64);
            spill.window.resize(size as usize, 0);
            file.read_exact_at(&mut spill.window, start)
                .map_err(spill_err)?;
            keystream(&spill.key, start)?.apply_keystream(&mut spill.window);
            spill.window_at = start;
        }
        let from = (start - spill.window_at) as usize;
        let to = (end - spill.window_at) as usize;
        spill.window.get(from..to).map(text).transpose()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn packed_strings_read_back() {
        let mut s = Strings::default();
        for t in ["王秀兰", "", "11010519491231002X"] {
            s.push(t).unwrap();
        }
        s.finish().unwrap();
        assert_eq!(s.get(0).unwrap().as_deref(), Some("王秀兰"));
        assert_eq!(s.get(1).unwrap().as_deref(), Some(""));
        assert_eq!(s.get(2).unwrap().as_deref(), Some("11010519491231002X"));
        assert_eq!(s.get(3).unwrap(), None);
    }

    /// Past the in-memory size the text goes to a file; strings read
    /// forward, backward and again all come back as they went in.
    #[test]
    fn spilled_strings_read_back_in_any_order() {
        let mut s = Strings::default();
        let all: Vec<String> = (0..400_000)
            .map(|i| format!("居民{i}-{}", "x".repeat(i % 40)))
            .collect();
        for t in &all {
            s.push(t).unwrap();
        }
        s.finish().unwrap();
        assert!(s.spilled.is_some() && s.text.is_empty());
        // what is on the disk is not the text
        {
            use std::io::{Read, Seek};
            let spill = s.spilled.as_ref().unwrap();
            let mut f = spill.file.as_ref().unwrap();
            let mut head = vec![0u8; 64];
            f.seek(std::io::SeekFrom::Start(0)).unwrap();
            f.read_exact(&mut head).unwrap();
            assert!(!String::from_utf8_lossy(&head).contains("居民0"));
        }
        for i in (0..all.len())
            .step_by(7)
            .chain((0..all.len()).rev().step_by(13))
            .chain([5, 5, 399_999, 0])
        {
            assert_eq!(
                s.get(i).unwrap().as_deref(),
                Some(all[i].as_str()),
                "string {i}"
            );
        }
        assert_eq!(s.get(all.len()).unwrap(), None);
    }
}
