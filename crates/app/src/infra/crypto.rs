//! Field encryption at rest (security.md, "Personal data"): ID numbers,
//! phones and health notes are sealed with SM4-GCM or AES-256-GCM, and
//! exact lookups go through an HMAC-SM3 blind index. Keys come from a key
//! file or the environment, never from the database.
//!
//! A key ring holds every key still needed to open old values; the last
//! one seals new values. Sealed text is `KEYID:ALG:HEX(nonce ‖ ciphertext)`
//! and the field name is bound in as associated data, so a value copied
//! into another column does not open. `linli keys rotate` re-seals every
//! value with the newest key. The ring sits behind [`FieldCrypto`] so that
//! a certified module (密码机) can take its place.

use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm};
use hmac::Mac;
use linli_domain::secret::Secret;
use std::path::Path;

type Sm4Gcm = AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;
type HmacSm3 = hmac::Hmac<sm3::Sm3>;

/// Which AEAD seals new values (both always open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherKind {
    /// SM4-GCM (GB/T 32907, RFC 8998): the default, as 密评 expects
    Sm4Gcm,
    Aes256Gcm,
}

impl CipherKind {
    pub fn parse(s: &str) -> Result<CipherKind, AppError> {
        match s.to_ascii_lowercase().as_str() {
            "sm4-gcm" | "sm4" => Ok(CipherKind::Sm4Gcm),
            "aes-256-gcm" | "aes" => Ok(CipherKind::Aes256Gcm),
            _ => Err(AppError::Invalid(format!(
                "unknown field cipher `{s}`: use sm4-gcm or aes-256-gcm"
            ))),
        }
    }
    const fn tag(self) -> &'static str {
        match self {
            CipherKind::Sm4Gcm => "sm4",
            CipherKind::Aes256Gcm => "aes",
        }
    }
}

/// The personal fields that are sealed; each is bound into its ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    IdNumber,
    Phone,
    Health,
    /// an account's TOTP secret (the second factor)
    Totp,
}

impl Field {
    const fn aad(self) -> &'static [u8] {
        match self {
            Field::IdNumber => b"linli:id_number",
            Field::Phone => b"linli:phone",
            Field::Health => b"linli:health",
            Field::Totp => b"linli:totp",
        }
    }
}

/// What the registry needs of a crypto module.
pub trait FieldCrypto: Send + Sync {
    /// Seals with the current key.
    fn seal(&self, field: Field, clear: &str) -> Result<String, AppError>;
    /// Opens a value sealed with any key of the ring.
    fn open(&self, field: Field, sealed: &str) -> Result<Secret, AppError>;
    /// The blind index of `text` under the current key.
    fn index(&self, field: Field, text: &str) -> String;
    /// The blind indexes of `text` under every key, so a lookup finds
    /// values a rotation has not reached yet.
    fn index_all(&self, field: Field, text: &str) -> Vec<String>;
    /// Whether `sealed` was sealed with an older key.
    fn is_stale(&self, sealed: &str) -> bool;
}

struct Key {
    id: String,
    enc: [u8; 32],
    idx: [u8; 32],
}

/// The software key ring.
pub struct Keyring {
    keys: Vec<Key>,
    cipher: CipherKind,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        write!(f, "Keyring({ids:?}, {:?})", self.cipher)
    }
}

pub(crate) fn hmac_sm3(key: &[u8; 32], data: &[u8]) -> [u8; 32] {
    // HMAC pads a key shorter than the 64-byte block with zeros: padding it
    // here gives the same MAC through the infallible constructor.
    let mut block = hmac::digest::Key::<HmacSm3>::default();
    block[..32].copy_from_slice(key);
    let mut mac = <HmacSm3 as hmac::KeyInit>::new(&block);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn crypto_err(what: &str) -> AppError {
    AppError::Internal(format!("field crypto: {what}"))
}

fn seal_with<C: Aead + KeyInit>(key: &[u8], aad: &[u8], clear: &str) -> Result<Vec<u8>, AppError> {
    let cipher = C::new_from_slice(key).map_err(|_| crypto_err("bad key length"))?;
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|_| crypto_err("no randomness"))?;
    let n = aes_gcm::aead::Nonce::<C>::try_from(&nonce[..]).map_err(|_| crypto_err("nonce"))?;
    let ct = cipher
        .encrypt(
            &n,
            Payload {
                msg: clear.as_bytes(),
                aad,
            },
        )
        .map_err(|_| crypto_err("seal failed"))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(out)
}

fn open_with<C: Aead + KeyInit>(key: &[u8], aad: &[u8], data: &[u8]) -> Result<Vec<u8>, AppError> {
    if data.len() < 12 + 16 {
        return Err(crypto_err("sealed value too short"));
    }
    let cipher = C::new_from_slice(key).map_err(|_| crypto_err("bad key length"))?;
    let n = aes_gcm::aead::Nonce::<C>::try_from(&data[..12]).map_err(|_| crypto_err("nonce"))?;
    cipher
        .decrypt(
            &n,
            Payload {
                msg: &data[12..],
                aad,
            },
        )
        .map_err(|_| crypto_err("a sealed value does not open (wrong key or altered)"))
}

impl Keyring {
    /// A ring from (id, 32-byte master key) pairs; the last one seals.
    pub fn new(masters: Vec<(String, [u8; 32])>, cipher: CipherKind) -> Result<Keyring, AppError> {
        if masters.is_empty() {
            return Err(AppError::Invalid("the key ring has no key".into()));
        }
        let keys = masters
            .into_iter()
            .map(|(id, m)| Key {
                enc: hmac_sm3(&m, b"linli/field-encryption/v1"),
                idx: hmac_sm3(&m, b"linli/blind-index/v1"),
                id,
            })
            .collect();
        Ok(Keyring { keys, cipher })
    }

    /// A ring with one fresh random key (tests, and a new demo).
    pub fn generate(cipher: CipherKind) -> Result<Keyring, AppError> {
        Keyring::new(vec![("k1".into(), random_key()?)], cipher)
    }

    /// Reads a key file: one key a line, `ID HEX64`; `#` starts a comment.
    pub fn parse(text: &str, cipher: CipherKind) -> Result<Keyring, AppError> {
        let mut masters = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || AppError::Invalid(format!("key file line {}: expected `ID HEX64`", i + 1));
            let (id, hexkey) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
            let bytes = hex::decode(hexkey.trim()).map_err(|_| bad())?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| bad())?;
            let ok_id =
                !id.is_empty() && id.len() <= 16 && id.bytes().all(|b| b.is_ascii_alphanumeric());
            if !ok_id || masters.iter().any(|(k, _)| k == id) {
                return Err(bad());
            }
            masters.push((id.to_owned(), key));
        }
        Keyring::new(masters, cipher)
    }

    /// Loads a key file, creating it with one new key when `create` and it
    /// does not exist (readable by its owner only).
    pub fn load(path: &Path, cipher: CipherKind, create: bool) -> Result<Keyring, AppError> {
        let io = |e: std::io::Error| AppError::Invalid(format!("key file {}: {e}", path.display()));
        if create && !path.exists() {
            let line = format!(
                "# linli field keys: `ID HEX64` a line; the last seals, all open. Keep apart from the database.\nk1 {}\n",
                hex::encode(random_key()?)
            );
            write_private(path, &line).map_err(io)?;
        }
        Keyring::parse(&std::fs::read_to_string(path).map_err(io)?, cipher)
    }

    /// Appends a new key to a key file; it seals from the next start on.
    pub fn add_key(path: &Path) -> Result<String, AppError> {
        let io = |e: std::io::Error| AppError::Invalid(format!("key file {}: {e}", path.display()));
        let text = std::fs::read_to_string(path).map_err(io)?;
        let ring = Keyring::parse(&text, CipherKind::Sm4Gcm)?;
        let n = ring.keys.len() + 1;
        let id = (n..)
            .map(|i| format!("k{i}"))
            .find(|id| !ring.keys.iter().any(|k| &k.id == id));
        let id = id.ok_or_else(|| crypto_err("no key id"))?;
        let mut text = text;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("{id} {}\n", hex::encode(random_key()?)));
        write_private(path, &text).map_err(io)?;
        Ok(id)
    }

    fn current(&self) -> Result<&Key, AppError> {
        self.keys.last().ok_or_else(|| crypto_err("empty ring"))
    }
}

fn random_key() -> Result<[u8; 32], AppError> {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).map_err(|_| crypto_err("no randomness"))?;
    Ok(k)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

impl FieldCrypto for Keyring {
    fn seal(&self, field: Field, clear: &str) -> Result<String, AppError> {
        let key = self.current()?;
        let data = match self.cipher {
            CipherKind::Sm4Gcm => seal_with::<Sm4Gcm>(&key.enc[..16], field.aad(), clear)?,
            CipherKind::Aes256Gcm => seal_with::<Aes256Gcm>(&key.enc, field.aad(), clear)?,
        };
        Ok(format!(
            "{}:{}:{}",
            key.id,
            self.cipher.tag(),
            hex::encode(data)
        ))
    }

    fn open(&self, field: Field, sealed: &str) -> Result<Secret, AppError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(id), Some(alg), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(crypto_err("not a sealed value"));
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| crypto_err("sealed with a key that is not in the ring"))?;
        let data = hex::decode(body).map_err(|_| crypto_err("not a sealed value"))?;
        let clear = match alg {
            "sm4" => open_with::<Sm4Gcm>(&key.enc[..16], field.aad(), &data)?,
            "aes" => open_with::<Aes256Gcm>(&key.enc, field.aad(), &data)?,
            _ => return Err(crypto_err("unknown algorithm")),
        };
        String::from_utf8(clear)
            .map(Secret::new)
            .map_err(|_| crypto_err("not text"))
    }

    fn index(&self, field: Field, text: &str) -> String {
        self.current()
            .map(|k| blind(&k.idx, field, text))
            .unwrap_or_default()
    }

    fn index_all(&self, field: Field, text: &str) -> Vec<String> {
        self.keys
            .iter()
            .rev()
            .map(|k| blind(&k.idx, field, text))
            .collect()
    }

    fn is_stale(&self, sealed: &str) -> bool {
        let current = self.current().map(|k| k.id.as_str()).unwrap_or_default();
        let alg = self.cipher.tag();
        let mut parts = sealed.splitn(3, ':');
        parts.next() != Some(current) || parts.next() != Some(alg)
    }
}

/// 128 bits of HMAC-SM3 over the field and the value, hex.
fn blind(key: &[u8; 32], field: Field, text: &str) -> String {
    let mut data = field.aad().to_vec();
    data.push(0);
    data.extend_from_slice(text.as_bytes());
    hex::encode(&hmac_sm3(key, &data)[..16])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sm4_gcm_matches_rfc_8998() {
        // RFC 8998 appendix A.1 (SM4-GCM test vector)
        let key = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let nonce = hex::decode("00001234567800000000ABCD").unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let pt = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let c = Sm4Gcm::new_from_slice(&key).unwrap();
        let n = aes_gcm::aead::Nonce::<Sm4Gcm>::try_from(&nonce[..]).unwrap();
        let ct = c
            .encrypt(
                &n,
                Payload {
                    msg: &pt,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(&ct[ct.len() - 16..]),
            "83DE3541E4C2B58177E065A9BF7B62EC"
        );
        assert_eq!(
            hex::encode_upper(&ct[..16]),
            "17F399F08C67D5EE19D0DC9969C4BB7D"
        );
    }

    #[test]
    fn values_round_trip_and_bind_their_field() {
        for kind in [CipherKind::Sm4Gcm, CipherKind::Aes256Gcm] {
            let ring = Keyring::generate(kind).unwrap();
            let s = ring.seal(Field::Phone, "13812345678").unwrap();
            assert!(!s.contains("13812345678"));
            assert_eq!(ring.open(Field::Phone, &s).unwrap().expose(), "13812345678");
            assert!(ring.open(Field::IdNumber, &s).is_err());
            // two seals of one value differ (fresh nonce); indexes agree
            assert_ne!(s, ring.seal(Field::Phone, "13812345678").unwrap());
            assert_eq!(ring.index(Field::Phone, "1"), ring.index(Field::Phone, "1"));
            assert_ne!(
                ring.index(Field::Phone, "1"),
                ring.index(Field::IdNumber, "1")
            );
        }
    }

    #[test]
    fn a_new_key_seals_and_old_values_still_open() {
        let k1 = [7u8; 32];
        let old = Keyring::new(vec![("k1".into(), k1)], CipherKind::Sm4Gcm).unwrap();
        let sealed = old.seal(Field::IdNumber, "11010519491231002X").unwrap();
        let ring = Keyring::new(
            vec![("k1".into(), k1), ("k2".into(), [9u8; 32])],
            CipherKind::Aes256Gcm,
        )
        .unwrap();
        assert!(ring.is_stale(&sealed));
        assert_eq!(
            ring.open(Field::IdNumber, &sealed).unwrap().expose(),
            "11010519491231002X"
        );
        let fresh = ring.seal(Field::IdNumber, "11010519491231002X").unwrap();
        assert!(fresh.starts_with("k2:aes:") && !ring.is_stale(&fresh));
        assert!(
            ring.index_all(Field::IdNumber, "x")
                .contains(&old.index(Field::IdNumber, "x"))
        );
        // without the old key the value is gone, as it should be
        let only_new = Keyring::new(vec![("k2".into(), [9u8; 32])], CipherKind::Sm4Gcm).unwrap();
        assert!(only_new.open(Field::IdNumber, &sealed).is_err());
    }

    #[test]
    fn key_files_parse_and_refuse_junk() {
        let line = format!("# c\nk1 {}\n", "ab".repeat(32));
        assert!(Keyring::parse(&line, CipherKind::Sm4Gcm).is_ok());
        for bad in [
            "",
            "k1 abcd",
            "k1",
            &format!("k1 {0}\nk1 {0}", "ab".repeat(32)),
        ] {
            assert!(Keyring::parse(bad, CipherKind::Sm4Gcm).is_err(), "{bad}");
        }
    }
}
