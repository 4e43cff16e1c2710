//! JSON output: the report structures serialised as they are (docs/json-contract.md).

use serde::Serialize;

/// Serialises any report as pretty JSON with a trailing newline. Non-finite numbers become
/// `null`, which is what docs/json-contract.md asks for values that cannot be computed.
///
/// # Errors
/// Only if serialisation itself fails (not expected for plain data).
pub fn render<T: Serialize>(report: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
