//! The manifest of a report (`manifest.json`: the alkstats version, the plan text and the
//! settings of every analysis, and the SHA-256 of every input and output), writing a report
//! folder safely, and checking an existing folder against a fresh run of its recorded plan.
//!
//! Writing: every file goes into a temporary sibling folder, the manifest last; the folder is
//! then renamed into place (an earlier report it replaces is moved aside first and removed
//! after). An interrupted run therefore leaves either the earlier report or none at all, and
//! `--check` would reject a half-written folder anyway: it compares every byte with a re-run.

use super::run::with_pooled;
use super::run::{sha256_hex, RunResult};
use super::{Files, Plan, ReportError, RunOptions};
use crate::VERSION;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// File name of the manifest.
pub const MANIFEST: &str = "manifest.json";

/// Identifies the manifest format (and that a folder holds an alkstats report).
pub const FORMAT: &str = "alkstats-report/1";

/// Builds `manifest.json` for the rendered `files` (which must not include the manifest).
/// Its keys are sorted and its text is pretty JSON with a final newline.
///
/// # Errors
/// Only if serialisation fails (a bug).
pub fn build(run: &RunResult, files: &Files, options: &RunOptions) -> Result<Vec<u8>, ReportError> {
    let analyses: Vec<Value> = run
        .sections
        .iter()
        .map(|s| {
            let settings = with_pooled!(&s.report, r => serde_json::to_value(&r.settings),
                super::run::AnyReport::Network(r) => serde_json::to_value(&r.settings),
                super::run::AnyReport::Bias(b) => serde_json::to_value(&b.report.settings),
                super::run::AnyReport::Influence(r) => serde_json::to_value(&r.settings),
                super::run::AnyReport::Cumulative(r) => serde_json::to_value(&r.settings),
                super::run::AnyReport::Metareg(m) => serde_json::to_value(&m.report.settings),
            )
            .unwrap_or(Value::Null);
            json!({
                "id": s.plan.id,
                "kind": s.plan.spec.kind().as_str(),
                "title": s.plan.title,
                "command": s.command,
                "settings": settings,
                "figures": s.figures.iter().flat_map(|f| [format!("{}.png", f.stem), format!("{}.svg", f.stem)]).collect::<Vec<_>>(),
            })
        })
        .collect();
    let inputs: Vec<Value> = run
        .inputs
        .iter()
        .map(|i| json!({ "role": i.role.key(), "name": i.name, "sha256": i.sha256 }))
        .collect();
    let outputs: serde_json::Map<String, Value> = files
        .iter()
        .map(|(name, bytes)| (name.clone(), Value::String(sha256_hex(bytes))))
        .collect();
    let manifest = json!({
        "format": FORMAT,
        "alkstats_version": VERSION,
        "generated_at": options.generated_at,
        "plan": {
            "name": run.plan.name,
            "folder": options.plan_folder,
            "sha256": sha256_hex(run.plan.text.as_bytes()),
            "text": run.plan.text,
        },
        "figures": { "dpi": run.plan.dpi },
        "inputs": inputs,
        "analyses": analyses,
        "outputs": outputs,
    });
    let mut text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| ReportError::Internal(format!("{MANIFEST}: {e}")))?;
    text.push('\n');
    Ok(text.into_bytes())
}

fn io_error(path: &Path, action: &'static str, e: std::io::Error) -> ReportError {
    ReportError::Io {
        path: path.to_path_buf(),
        action,
        source: e,
    }
}

/// `path` relative to the folder `from` (both absolute, without `..`).
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let a: Vec<Component<'_>> = from.components().collect();
    let b: Vec<Component<'_>> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The absolute form a report folder will have (its parent must exist).
///
/// # Errors
/// [`ReportError::OutNotNamed`] for a path with no final name (such as `..`);
/// [`ReportError::OutParent`] for a missing parent.
pub fn absolute_out(dir: &Path) -> Result<PathBuf, ReportError> {
    let name = match dir.components().next_back() {
        Some(Component::Normal(n)) => n.to_owned(),
        _ => {
            return Err(ReportError::OutNotNamed {
                out: dir.to_path_buf(),
            })
        }
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent
        .canonicalize()
        .map_err(|source| ReportError::OutParent {
            out: dir.to_path_buf(),
            parent: parent.clone(),
            source,
        })?;
    Ok(parent.join(name))
}

/// Refuses to replace anything but an empty folder or an earlier report.
fn check_replaceable(dir: &Path, shown: &Path) -> Result<(), ReportError> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(shown, "inspect the folder", e)),
        Ok(m) if !m.is_dir() => Err(ReportError::OutNotAFolder {
            out: shown.to_path_buf(),
        }),
        Ok(_) => {
            let empty = std::fs::read_dir(dir)
                .map_err(|e| io_error(shown, "read the folder", e))?
                .next()
                .is_none();
            if empty || read_manifest(dir).is_ok() {
                Ok(())
            } else {
                Err(ReportError::OutNotAReport {
                    out: shown.to_path_buf(),
                })
            }
        }
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes the report `files` to `dir` as a whole: into a temporary sibling folder (manifest
/// last), then renamed into place, replacing an earlier report or empty folder at `dir`.
///
/// # Errors
/// [`ReportError::OutNotAFolder`] or [`ReportError::OutNotAReport`] when `dir` holds something
/// other than a report;
/// [`ReportError::Io`] when a file cannot be written or renamed (the temporary folder is
/// removed and any earlier report is left in place).
pub fn write_report(dir: &Path, files: &Files) -> Result<(), ReportError> {
    let target = absolute_out(dir)?;
    check_replaceable(&target, dir)?;
    let parent = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = std::fs::remove_dir_all(&tmp);
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir(&tmp)?;
        for (rel, bytes) in files.iter().filter(|(n, _)| n.as_str() != MANIFEST) {
            write_file(&tmp.join(rel), bytes)?;
        }
        if let Some(m) = files.get(MANIFEST) {
            write_file(&tmp.join(MANIFEST), m)?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io_error(dir, "write the report", e));
    }
    let had_old = target.exists();
    if had_old {
        if let Err(e) = std::fs::rename(&target, &old) {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(io_error(dir, "move the earlier report aside", e));
        }
    }
    if let Err(e) = std::fs::rename(&tmp, &target) {
        if had_old {
            let _ = std::fs::rename(&old, &target);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(io_error(dir, "rename the new report into place", e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// What a manifest records about how to run its plan again.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The plan's name.
    pub name: String,
    /// The plan's text.
    pub text: String,
    /// The plan's folder relative to the report folder; `None` for the embedded plan.
    pub folder: Option<String>,
    /// The generation time recorded, if any.
    pub generated_at: Option<String>,
    /// Output hashes as recorded.
    pub outputs: Vec<(String, String)>,
}

/// Reads what `dir/manifest.json` records.
///
/// # Errors
/// A description of why the manifest is missing or not an alkstats report manifest.
pub fn read_manifest(dir: &Path) -> Result<Recorded, String> {
    let path = dir.join(MANIFEST);
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("{MANIFEST}: cannot read it ({e})"))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{MANIFEST}: not valid JSON ({e})"))?;
    if v["format"] != FORMAT {
        return Err(format!(
            "{MANIFEST}: not an alkstats report manifest (format is not {FORMAT})"
        ));
    }
    let s = |v: &Value| v.as_str().map(str::to_string);
    Ok(Recorded {
        name: s(&v["plan"]["name"]).ok_or(format!("{MANIFEST}: no plan.name"))?,
        text: s(&v["plan"]["text"]).ok_or(format!("{MANIFEST}: no plan.text"))?,
        folder: s(&v["plan"]["folder"]),
        generated_at: s(&v["generated_at"]),
        outputs: v["outputs"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, h)| (k.clone(), h.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// One file that does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// In the fresh run, not in the folder.
    Missing(String),
    /// Different bytes (path, expected sha256, found sha256).
    Differs(String, String, String),
    /// In the folder, not in the fresh run.
    Unexpected(String),
    /// The manifest's own hash of a file disagrees with the file.
    HashMismatch(String),
    /// The manifest cannot be used (why).
    BadManifest(String),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mismatch::Missing(p) => write!(f, "missing     {p}"),
            Mismatch::Differs(p, want, got) => write!(
                f,
                "differs     {p} (expected sha256 {}…, found {}…)",
                &want[..12.min(want.len())],
                &got[..12.min(got.len())]
            ),
            Mismatch::Unexpected(p) => write!(f, "unexpected  {p}"),
            Mismatch::HashMismatch(p) => write!(
                f,
                "tampered    {p} (its sha256 is not the one in {MANIFEST})"
            ),
            Mismatch::BadManifest(why) => write!(f, "bad         {why}"),
        }
    }
}

/// Result of checking a report folder.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// Files compared (those of the fresh run).
    pub compared: usize,
    /// Every file that does not match, sorted by path.
    pub mismatches: Vec<Mismatch>,
}

fn files_under(dir: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel_name = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry.file_type()?.is_dir() {
            files_under(&entry.path(), &rel_name, out)?;
        } else {
            out.push(rel_name);
        }
    }
    Ok(())
}

/// Re-runs the plan recorded in `dir/manifest.json` and compares every file, byte for byte;
/// also checks every hash the manifest records against the file it names.
///
/// # Errors
/// [`ReportError::CheckNoFolder`] when `dir` is not a folder; the errors of running the recorded plan
/// (a data file that has gone, for example). A missing or unusable manifest is a mismatch, not
/// an error.
pub fn check(dir: &Path) -> Result<CheckOutcome, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::CheckNoFolder {
            dir: dir.to_path_buf(),
        });
    }
    let recorded = match read_manifest(dir) {
        Ok(r) => r,
        Err(why) => {
            return Ok(CheckOutcome {
                compared: 0,
                mismatches: vec![Mismatch::BadManifest(format!(
                    "{why}; the report is incomplete or not an alkstats report"
                ))],
            })
        }
    };
    let plan = Plan::parse(&recorded.name, &recorded.text)?;
    let base = match &recorded.folder {
        Some(f) => dir.join(f),
        None => PathBuf::from("."),
    };
    let options = RunOptions {
        generated_at: recorded.generated_at.clone(),
        plan_folder: recorded.folder.clone(),
    };
    let expected = super::generate(&plan, &base, &options)?;
    let mut on_disk = Vec::new();
    files_under(dir, "", &mut on_disk).map_err(|e| io_error(dir, "list the folder", e))?;
    on_disk.sort();
    let mut mismatches = Vec::new();
    for (path, want) in &expected {
        match std::fs::read(dir.join(path)) {
            Err(_) => mismatches.push(Mismatch::Missing(path.clone())),
            Ok(got) if got != *want => mismatches.push(Mismatch::Differs(
                path.clone(),
                sha256_hex(want),
                sha256_hex(&got),
            )),
            Ok(_) => {}
        }
    }
    for path in &on_disk {
        if !expected.contains_key(path) {
            mismatches.push(Mismatch::Unexpected(path.clone()));
        }
    }
    for (path, hash) in &recorded.outputs {
        if let Ok(got) = std::fs::read(dir.join(path)) {
            if sha256_hex(&got) != *hash {
                mismatches.push(Mismatch::HashMismatch(path.clone()));
            }
        }
    }
    mismatches.sort_by(|a, b| key(a).cmp(key(b)));
    Ok(CheckOutcome {
        compared: expected.len(),
        mismatches,
    })
}

fn key(m: &Mismatch) -> &str {
    match m {
        Mismatch::Missing(p)
        | Mismatch::Differs(p, _, _)
        | Mismatch::Unexpected(p)
        | Mismatch::HashMismatch(p)
        | Mismatch::BadManifest(p) => p,
    }
}

/// The current time as UTC RFC 3339 (seconds), for `--timestamp`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_from_unix(secs)
}

/// Formats seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
fn utc_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days to civil date: Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_format_as_utc() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day) 12:34:56 UTC.
        assert_eq!(utc_from_unix(951_827_696), "2000-02-29T12:34:56Z");
        assert_eq!(utc_from_unix(1_735_689_599), "2024-12-31T23:59:59Z");
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        let r = relative_path(Path::new("/a/b/out"), Path::new("/a/plans"));
        assert_eq!(r, PathBuf::from("../../plans"));
        assert_eq!(
            relative_path(Path::new("/a/out"), Path::new("/a")),
            PathBuf::from("..")
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a")),
            PathBuf::from(".")
        );
    }

    #[test]
    fn a_folder_of_other_files_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "precious").unwrap();
        let mut files = Files::new();
        files.insert("index.html".into(), b"x".to_vec());
        let e = write_report(&out, &files).unwrap_err().to_string();
        assert!(e.contains("holds no alkstats report"), "{e}");
        assert_eq!(
            std::fs::read_to_string(out.join("thesis.tex")).unwrap(),
            "precious"
        );
    }

    #[test]
    fn a_folder_without_manifest_fails_the_check() {
        // What an interrupted write would leave if it were ever renamed into place.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "partial").unwrap();
        let outcome = check(dir.path()).unwrap();
        assert_eq!(outcome.mismatches.len(), 1);
        assert!(matches!(outcome.mismatches[0], Mismatch::BadManifest(_)));
    }
}
