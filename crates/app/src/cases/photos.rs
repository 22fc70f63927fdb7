//! Photos on a case. An upload is taken only when its first bytes show a
//! JPEG, PNG or WebP; it is decoded under size limits, turned upright,
//! scaled to at most 2048 px and re-encoded as JPEG, which leaves every
//! EXIF field (GPS position, phone model, time) behind. The image goes to
//! the object store before the transaction (the SQLite writer never waits
//! on a disk write of megabytes); the row that ties it to the timeline is
//! written inside the step's transaction. No photo is served without the
//! right to see its case.

use crate::accounts::auth::Principal;
use crate::{App, AppError};
use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use linli_domain::cases::photo::{
    self as rules, MAX_DECODE_EDGE, MAX_EDGE, PhotoError, PhotoFormat, PhotoStage,
};
use linli_domain::secret::sm3_hex;
use linli_domain::time::UnixMs;
use linli_store::Conn;
use linli_store::cases::photos::{self as store, PhotoRow};

pub use linli_store::cases::photos::PhotoRow as CasePhoto;

/// An uploaded file, as the client sent it.
#[derive(Clone, PartialEq, Eq)]
pub struct PhotoUpload(pub Vec<u8>);

impl std::fmt::Debug for PhotoUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhotoUpload({} bytes)", self.0.len())
    }
}

/// A photo re-encoded and stored, waiting for its row.
#[derive(Debug, Clone)]
pub struct ReadyPhoto {
    pub(crate) key: String,
    pub(crate) bytes: usize,
    pub(crate) width: u32,
    pub(crate) height: u32,
    sm3: String,
}

/// JPEG quality of stored photos: plenty for a pothole, a tenth of the size.
const QUALITY: u8 = 82;
/// The most memory one decode may take: a 48-megapixel phone photo
/// (8000 × 6000, RGB) needs 144 MB. With four uploads at once and photos
/// decoded one after another, the server's decoding peaks near 640 MB.
const DECODE_ALLOC: u64 = 160 * 1024 * 1024;

/// Checks, decodes, turns upright, scales and re-encodes one upload.
/// Returns the JPEG and its size in pixels.
pub fn reencode(upload: &[u8]) -> Result<(Vec<u8>, u32, u32), PhotoError> {
    let format = match rules::check_upload(upload)? {
        PhotoFormat::Jpeg => ImageFormat::Jpeg,
        PhotoFormat::Png => ImageFormat::Png,
        PhotoFormat::Webp => ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(upload), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_EDGE);
    limits.max_image_height = Some(MAX_DECODE_EDGE);
    limits.max_alloc = Some(DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Unreadable)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Unreadable)?;
    img.apply_orientation(orientation);
    let (w, h) = rules::fit(img.width(), img.height(), MAX_EDGE);
    if (w, h) != (img.width(), img.height()) {
        img = img.thumbnail_exact(w, h);
    }
    let rgb = img.into_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok((out, w, h))
}

fn invalid(e: PhotoError) -> AppError {
    AppError::Invalid(e.to_string())
}

impl App {
    /// Re-encodes the uploads (on the blocking pool: decoding is CPU work)
    /// and, once every one of them is good, writes them to the object
    /// store. Nothing is recorded yet; a bad photo writes nothing.
    pub(crate) async fn ready_photos(
        &self,
        uploads: &[PhotoUpload],
    ) -> Result<Vec<ReadyPhoto>, AppError> {
        self.ready_photos_under("photos", uploads).await
    }

    /// [`Self::ready_photos`] into another folder of the object store
    /// (`notices`: pictures no case holds, which the orphan sweep of
    /// `photos/` must not take).
    pub(crate) async fn ready_photos_under(
        &self,
        folder: &str,
        uploads: &[PhotoUpload],
    ) -> Result<Vec<ReadyPhoto>, AppError> {
        rules::check_count(0, uploads.len()).map_err(invalid)?;
        let mut encoded = Vec::with_capacity(uploads.len());
        for u in uploads {
            let data = u.0.clone();
            let out = tokio::task::spawn_blocking(move || reencode(&data))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?
                .map_err(invalid)?;
            encoded.push(out);
        }
        let mut ready = Vec::with_capacity(encoded.len());
        for (jpeg, width, height) in encoded {
            let sm3 = sm3_hex(&jpeg);
            let key = format!("{folder}/{}/{sm3}.jpg", &sm3[..2]);
            let bytes = jpeg.len();
            self.blobs.put(&key, Bytes::from(jpeg)).await?;
            ready.push(ReadyPhoto {
                key,
                bytes,
                width,
                height,
                sm3,
            });
        }
        Ok(ready)
    }

    /// Removes photo files no case points at: written by a request whose
    /// transaction then failed. Only files older than `min_age_secs` go, so
    /// a request still between writing its photos and committing keeps
    /// them; returns how many were removed.
    pub async fn sweep_orphan_photos(&self, min_age_secs: i64) -> Result<usize, AppError> {
        let cutoff = crate::now().plus_secs(-min_age_secs).0;
        let old: Vec<String> = self
            .blobs
            .list("photos")
            .await?
            .into_iter()
            .filter(|(_, at)| *at < cutoff)
            .map(|(k, _)| k)
            .collect();
        if old.is_empty() {
            return Ok(0);
        }
        let used = store::keys_in_use(&mut *self.db.conn().await?, &old).await?;
        let mut removed = 0;
        for key in old.iter().filter(|k| !used.contains(*k)) {
            self.blobs.delete(key).await?;
            removed += 1;
        }
        if removed > 0 {
            tracing::info!(removed, "orphan photo files removed");
        }
        Ok(removed)
    }

    /// One photo's JPEG, for `who` who may see its case and the step that
    /// brought the photo (a reporter sees those of the public timeline);
    /// any other caller gets not-found, as if the photo did not exist.
    pub async fn case_photo(
        &self,
        who: &Principal,
        case_id: i64,
        photo_id: i64,
    ) -> Result<Bytes, AppError> {
        let view = self.case_view(who, case_id).await?;
        let p = view
            .photos
            .iter()
            .find(|p| p.id == photo_id)
            .ok_or(AppError::NotFound)?;
        Ok(self.blobs.get(&p.object_key).await?)
    }
}

/// Ties ready photos to the event that brought them, inside its
/// transaction; a stage holds at most nine.
pub(crate) async fn attach_photos(
    tx: &mut Conn,
    (case_id, event_id): (i64, i64),
    stage: PhotoStage,
    photos: &[ReadyPhoto],
    now: UnixMs,
) -> Result<(), AppError> {
    if photos.is_empty() {
        return Ok(());
    }
    let held = store::count_at_stage(&mut *tx, case_id, stage.as_str()).await?;
    rules::check_count(usize::try_from(held).unwrap_or(usize::MAX), photos.len())
        .map_err(invalid)?;
    let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    for p in photos {
        store::insert_photo(
            &mut *tx,
            &PhotoRow {
                id: 0,
                case_id,
                event_id,
                stage: stage.as_str().to_owned(),
                object_key: p.key.clone(),
                bytes: n(p.bytes),
                width: i64::from(p.width),
                height: i64::from(p.height),
                sm3: p.sm3.clone(),
                created_at: now,
            },
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_png_becomes_a_smaller_jpeg() {
        let img = image::RgbImage::from_fn(3000, 1500, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let (jpeg, w, h) = reencode(&png).unwrap();
        assert_eq!((w, h), (2048, 1024));
        assert_eq!(rules::sniff(&jpeg), Some(PhotoFormat::Jpeg));
        let back = image::load_from_memory(&jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (2048, 1024));
    }

    #[test]
    fn exif_and_gps_do_not_survive() {
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(image::RgbImage::new(64, 48))
            .write_to(&mut std::io::Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        // an APP1 Exif segment right after SOI, holding a GPS tag's text
        let payload = b"Exif\0\0MM\0\x2a\0\0\0\x08GPSLatitude 43.88N 125.35E";
        let len = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
        let mut tagged = vec![0xFF, 0xD8, 0xFF, 0xE1, len[0], len[1]];
        tagged.extend_from_slice(payload);
        tagged.extend_from_slice(&jpeg[2..]);
        assert!(tagged.windows(11).any(|w| w == b"GPSLatitude"));
        let (out, w, h) = reencode(&tagged).unwrap();
        assert_eq!((w, h), (64, 48));
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert!(!out.windows(11).any(|w| w == b"GPSLatitude"));
    }

    #[test]
    fn a_file_that_only_starts_like_an_image_is_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend_from_slice(b"MZ this is no image at all");
        assert_eq!(reencode(&fake), Err(PhotoError::Unreadable));
        assert_eq!(reencode(b"\x7fELF\x02\x01"), Err(PhotoError::NotAnImage));
    }
}
