//! Random secrets: session ids, access tokens, one-time passwords.

use crate::AppError;
use linli_domain::secret::Secret;

fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(b)
}

/// A 256-bit secret, hex encoded.
pub fn random_hex_256() -> Result<Secret, AppError> {
    Ok(Secret::new(hex::encode(random_bytes::<32>()?)))
}

/// A one-time password people can type: three groups of four characters
/// without look-alikes, e.g. `Kq7m-Pw2r-Tz9v`.
pub fn typeable_password() -> Result<Secret, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<12>()?;
    let mut s = String::with_capacity(14);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    Ok(Secret::new(s))
}

/// A 128-bit secret, hex encoded (short enough for a small QR code).
pub fn random_hex_128() -> Result<Secret, AppError> {
    Ok(Secret::new(hex::encode(random_bytes::<16>()?)))
}

/// A key for short-lived, server-side checks (the QR page's human check).
pub fn process_key() -> [u8; 32] {
    random_bytes::<32>().unwrap_or_else(|_| {
        // no OS randomness: derive from the clock and process id; the
        // checks it signs live for minutes and guard nothing secret
        let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
        let mut k = [0u8; 32];
        if let Ok(bytes) = hex::decode(linli_domain::secret::sm3_hex(seed.as_bytes())) {
            k.copy_from_slice(&bytes[..32.min(bytes.len())]);
        }
        k
    })
}
