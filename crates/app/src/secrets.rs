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
