//! Photos on a case (随手拍, the handler's result): what a file must be to
//! be taken, how many a stage may hold and how large a stored one is. The
//! type is decided by the file's first bytes, never by its name or the
//! type the client claims.

use std::fmt;
use std::str::FromStr;

/// At most this many photos per case and stage (the phone gallery's nine).
pub const MAX_PHOTOS: usize = 9;
/// An uploaded file may be at most this large (10 MiB).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// A stored photo's longer edge, in pixels: larger ones are scaled down.
pub const MAX_EDGE: u32 = 2048;
/// A decoded image may be at most this many pixels across (a bomb guard).
pub const MAX_DECODE_EDGE: u32 = 16_384;

/// The image formats taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Webp,
}

/// Why a file is not taken as a photo; the text is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("照片为空")]
    Empty,
    #[error("照片不能超过 {} MB", MAX_PHOTO_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("每个环节最多 {MAX_PHOTOS} 张照片")]
    TooMany,
    #[error("只能上传 JPEG、PNG 或 WebP 照片")]
    NotAnImage,
    #[error("照片无法读取(文件损坏或尺寸过大)")]
    Unreadable,
}

/// The type a file's first bytes show, or none when it is no photo we take
/// (an executable, a PDF, an SVG with script …).
pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some(PhotoFormat::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(PhotoFormat::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some(PhotoFormat::Webp),
        _ => None,
    }
}

/// Checks an upload before it is decoded: not empty, not too large, a
/// known image type.
pub fn check_upload(bytes: &[u8]) -> Result<PhotoFormat, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    sniff(bytes).ok_or(PhotoError::NotAnImage)
}

/// Whether `adding` more photos fit beside the `held` ones of a stage.
pub fn check_count(held: usize, adding: usize) -> Result<(), PhotoError> {
    if held.saturating_add(adding) > MAX_PHOTOS {
        return Err(PhotoError::TooMany);
    }
    Ok(())
}

/// The stored size of a `w`×`h` image: the same when its longer edge fits
/// in `max`, else scaled down keeping the aspect ratio (never below 1 px).
pub fn fit(w: u32, h: u32, max: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max || long == 0 {
        return (w, h);
    }
    let scale = |x: u32| {
        let v = (u64::from(x) * u64::from(max) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(v.max(1)).unwrap_or(max)
    };
    (scale(w), scale(h))
}

/// The step a photo belongs to: the report (随手拍) or the handler's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoStage {
    Report,
    Handle,
}

impl PhotoStage {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoStage::Report => "report",
            PhotoStage::Handle => "handle",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            PhotoStage::Report => "上报照片",
            PhotoStage::Handle => "处置照片",
        }
    }
}

impl fmt::Display for PhotoStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PhotoStage {
    type Err = PhotoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "report" => Ok(PhotoStage::Report),
            "handle" => Ok(PhotoStage::Handle),
            _ => Err(PhotoError::Unreadable),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bytes_decide_the_type() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some(PhotoFormat::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(PhotoFormat::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(PhotoFormat::Webp));
        // an ELF executable, a Windows one, a script, a PDF, an SVG, a RIFF audio file
        for not in [
            &b"\x7fELF\x02\x01\x01"[..],
            b"MZ\x90\0\x03",
            b"#!/bin/sh\n",
            b"%PDF-1.7",
            b"<svg onload=alert(1)>",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"\xFF\xD8",
        ] {
            assert_eq!(sniff(not), None, "{not:?}");
            assert_eq!(check_upload(not), Err(PhotoError::NotAnImage));
        }
    }

    #[test]
    fn uploads_are_bounded() {
        assert_eq!(check_upload(&[]), Err(PhotoError::Empty));
        let mut big = vec![0u8; MAX_PHOTO_BYTES + 1];
        big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        assert_eq!(check_upload(&big), Err(PhotoError::TooLarge));
        big.truncate(MAX_PHOTO_BYTES);
        assert_eq!(check_upload(&big), Ok(PhotoFormat::Jpeg));
        assert!(check_count(0, MAX_PHOTOS).is_ok());
        assert_eq!(check_count(8, 2), Err(PhotoError::TooMany));
        assert!(check_count(usize::MAX, 1).is_err());
    }

    #[test]
    fn large_images_are_scaled_keeping_their_shape() {
        assert_eq!(fit(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit(3000, 4000, 2048), (1536, 2048));
        assert_eq!(fit(2048, 10, 2048), (2048, 10));
        assert_eq!(fit(100_000, 1, 2048), (2048, 1));
        assert_eq!(fit(640, 480, 2048), (640, 480));
        assert_eq!(fit(0, 0, 2048), (0, 0));
    }

    #[test]
    fn stages_round_trip() {
        for s in [PhotoStage::Report, PhotoStage::Handle] {
            assert_eq!(s.as_str().parse::<PhotoStage>(), Ok(s));
        }
        assert!("other".parse::<PhotoStage>().is_err());
    }
}
