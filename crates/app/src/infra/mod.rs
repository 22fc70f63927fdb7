//! Shared infrastructure: field encryption, secrets, the generic xlsx
//! reader and writer, and the service error type.

pub mod crypto;
pub mod error;
pub(crate) mod secrets;
pub mod xlsx;
