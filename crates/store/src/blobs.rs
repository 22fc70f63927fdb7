//! Blobs (case photos) through `object_store`: a directory on this machine
//! in production, memory in tests; an S3-compatible store is one
//! constructor away. Keys are content addresses, so writing the same image
//! twice is harmless and a failed transaction leaves at most an orphan.

use crate::StoreError;
use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// Where blobs are kept.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// the directory of a local store, whose files are fsynced after writing
    dir: Option<std::path::PathBuf>,
}

fn err(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { path, .. } => {
            StoreError::Corrupt(format!("blob {path} is missing"))
        }
        other => StoreError::Blob(other.to_string()),
    }
}

impl Blobs {
    /// A store in `dir` (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<Blobs, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Blob(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(err)?;
        Ok(Blobs {
            store: Arc::new(store),
            dir: Some(dir.to_path_buf()),
        })
    }

    /// A store that lives as long as the process (tests, benchmarks).
    pub fn memory() -> Blobs {
        Blobs {
            store: Arc::new(InMemory::new()),
            dir: None,
        }
    }

    /// Writes `data` at `key`; on a local store the file reaches the disk
    /// before this returns, so a committed row never points at a lost file.
    pub async fn put(&self, key: &str, data: Bytes) -> Result<(), StoreError> {
        let path = Path::parse(key).map_err(|e| StoreError::Blob(e.to_string()))?;
        self.store
            .put(&path, PutPayload::from(data))
            .await
            .map_err(err)?;
        if let Some(dir) = &self.dir {
            let file = dir.join(key);
            tokio::task::spawn_blocking(move || sync(&file))
                .await
                .map_err(|e| StoreError::Blob(e.to_string()))??;
        }
        Ok(())
    }

    /// The blob at `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        let path = Path::parse(key).map_err(|e| StoreError::Blob(e.to_string()))?;
        let got = self.store.get(&path).await.map_err(err)?;
        got.bytes().await.map_err(err)
    }
}

impl Blobs {
    async fn metas(&self, prefix: &str) -> Result<Vec<object_store::ObjectMeta>, StoreError> {
        use futures_util::TryStreamExt;
        let p = Path::parse(prefix).map_err(|e| StoreError::Blob(e.to_string()))?;
        self.store.list(Some(&p)).try_collect().await.map_err(err)
    }

    /// The keys under `prefix` with when each was last written (unix ms).
    pub async fn list(&self, prefix: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(self
            .metas(prefix)
            .await?
            .into_iter()
            .map(|m| (m.location.to_string(), m.last_modified.timestamp_millis()))
            .collect())
    }

    /// The keys under `prefix` with their sizes in bytes.
    pub async fn sizes(&self, prefix: &str) -> Result<Vec<(String, u64)>, StoreError> {
        Ok(self
            .metas(prefix)
            .await?
            .into_iter()
            .map(|m| (m.location.to_string(), m.size))
            .collect())
    }

    /// Removes the blob at `key` (gone already is fine).
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = Path::parse(key).map_err(|e| StoreError::Blob(e.to_string()))?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(err(e)),
        }
    }
}

/// fsyncs a file and its directory.
fn sync(file: &std::path::Path) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Blob(e.to_string());
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    if let Some(parent) = file.parent() {
        std::fs::File::open(parent)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_store_keeps_what_it_was_given() {
        let dir = std::env::temp_dir().join(format!("linli-blobs-{}", std::process::id()));
        let blobs = Blobs::local(&dir).unwrap();
        blobs
            .put("photos/ab/abcd.jpg", Bytes::from_static(b"jpeg"))
            .await
            .unwrap();
        assert_eq!(blobs.get("photos/ab/abcd.jpg").await.unwrap(), "jpeg");
        assert!(dir.join("photos/ab/abcd.jpg").is_file());
        assert!(matches!(
            blobs.get("photos/ab/none.jpg").await,
            Err(StoreError::Corrupt(_))
        ));
        assert!(blobs.put("../escape", Bytes::new()).await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
