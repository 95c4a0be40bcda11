//! Unpacking an uploaded course (`.zip`, `.tar.gz`) without trusting it: every path is checked
//! before anything is written, links and device files are refused, and sizes, entry counts and
//! compression ratios are limited while decompressing, not after.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The archive formats a course may be uploaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    TarGz,
}

impl ArchiveKind {
    /// The kind from an uploaded file's name (`.zip`, `.tar.gz`, `.tgz`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            Some(Self::Zip)
        } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(Self::TarGz)
        } else {
            None
        }
    }
}

/// Limits on what an archive may unpack to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of all files together, uncompressed.
    pub max_total_bytes: u64,
    /// Files and folders.
    pub max_entries: usize,
    /// Bytes of one file, uncompressed.
    pub max_file_bytes: u64,
    /// Uncompressed ÷ compressed size allowed for a file (zip) or the whole stream (tar.gz).
    pub max_ratio: u64,
    /// Below this many uncompressed bytes the ratio is not checked: small text compresses well.
    pub ratio_grace_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_total_bytes: 500 * 1024 * 1024,
            max_entries: 10_000,
            max_file_bytes: 50 * 1024 * 1024,
            max_ratio: 100,
            ratio_grace_bytes: 1024 * 1024,
        }
    }
}

/// Why an archive was refused. Each case has a stable [`code`](ArchiveError::code).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the archive could not be read: {0}")]
    Corrupt(String),
    #[error("the archive contains no files")]
    Empty,
    #[error("entry {path:?} has an absolute path")]
    AbsolutePath { path: String },
    #[error("entry {path:?} climbs out of the course folder with '..'")]
    PathTraversal { path: String },
    #[error("entry {path:?} has a name that cannot be used as a file name")]
    InvalidName { path: String },
    #[error("entry {path:?} is a symbolic link; links are not allowed")]
    Symlink { path: String },
    #[error("entry {path:?} is a hard link; links are not allowed")]
    Hardlink { path: String },
    #[error("entry {path:?} is a device, pipe or other special file")]
    SpecialFile { path: String },
    #[error("entry {path:?} is encrypted")]
    Encrypted { path: String },
    #[error("entry {path:?} appears more than once")]
    DuplicateEntry { path: String },
    #[error("the archive has more than {limit} entries")]
    TooManyEntries { limit: usize },
    #[error("entry {path:?} is larger than {limit} bytes")]
    FileTooLarge { path: String, limit: u64 },
    #[error("the archive unpacks to more than {limit} bytes")]
    TotalTooLarge { limit: u64 },
    #[error("{path:?} is compressed more than {limit}:1; refusing a possible zip bomb")]
    CompressionRatio { path: String, limit: u64 },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ArchiveError {
    /// A stable snake_case code for the API's problem documents.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Corrupt(_) => "archive_corrupt",
            Self::Empty => "archive_empty",
            Self::AbsolutePath { .. } => "archive_absolute_path",
            Self::PathTraversal { .. } => "archive_path_traversal",
            Self::InvalidName { .. } => "archive_invalid_name",
            Self::Symlink { .. } => "archive_symlink",
            Self::Hardlink { .. } => "archive_hardlink",
            Self::SpecialFile { .. } => "archive_special_file",
            Self::Encrypted { .. } => "archive_encrypted",
            Self::DuplicateEntry { .. } => "archive_duplicate_entry",
            Self::TooManyEntries { .. } => "archive_too_many_entries",
            Self::FileTooLarge { .. } => "archive_file_too_large",
            Self::TotalTooLarge { .. } => "archive_too_large",
            Self::CompressionRatio { .. } => "archive_compression_ratio",
            Self::Io { .. } => "archive_io",
        }
    }

    /// Whether the archive itself is at fault (a 4xx), rather than the server (a 5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Io { .. })
    }
}

/// Unpacks `bytes` into `dest_dir` (created if missing; it should be a fresh, empty folder)
/// and returns the course root: the single top-level folder when the archive has one, else
/// `dest_dir`. macOS metadata (`__MACOSX/`, `.DS_Store`) is skipped. On error, whatever was
/// written is removed again.
pub fn extract_archive(
    bytes: &[u8],
    kind: ArchiveKind,
    dest_dir: &Path,
    limits: &Limits,
) -> Result<PathBuf, ArchiveError> {
    fs::create_dir_all(dest_dir).map_err(|source| ArchiveError::Io {
        path: dest_dir.to_owned(),
        source,
    })?;
    let mut out = Extractor {
        dest: dest_dir,
        limits,
        entries: 0,
        total: 0,
        written: BTreeSet::new(),
        top_level: BTreeSet::new(),
        top_level_files: false,
    };
    let result = match kind {
        ArchiveKind::Zip => out.zip(bytes),
        ArchiveKind::TarGz => out.tar_gz(bytes),
    };
    if let Err(e) = result {
        out.clean_up();
        return Err(e);
    }
    if out.written.is_empty() {
        return Err(ArchiveError::Empty);
    }
    match (out.top_level.len(), out.top_level_files) {
        (1, false) => Ok(out
            .top_level
            .iter()
            .next()
            .map_or_else(|| dest_dir.to_owned(), |d| dest_dir.join(d))),
        _ => Ok(dest_dir.to_owned()),
    }
}

/// Checks an entry name and turns it into a relative path; `None` for entries to skip.
fn safe_relative_path(name: &str) -> Result<Option<PathBuf>, ArchiveError> {
    let path = || name.to_owned();
    if name.contains('\0') {
        return Err(ArchiveError::InvalidName { path: path() });
    }
    // Archives made on Windows may use '\'; treat it as a separator so "..\x" cannot pass.
    let normalised = name.replace('\\', "/");
    let bytes = normalised.as_bytes();
    if normalised.starts_with('/')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
    {
        return Err(ArchiveError::AbsolutePath { path: path() });
    }
    let mut parts = Vec::new();
    for part in normalised.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(ArchiveError::PathTraversal { path: path() }),
            p if p.chars().any(char::is_control) => {
                return Err(ArchiveError::InvalidName { path: path() });
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() || parts.first() == Some(&"__MACOSX") || parts.last() == Some(&".DS_Store")
    {
        return Ok(None);
    }
    Ok(Some(parts.iter().collect()))
}

struct Extractor<'a> {
    dest: &'a Path,
    limits: &'a Limits,
    entries: usize,
    total: u64,
    written: BTreeSet<PathBuf>,
    top_level: BTreeSet<String>,
    top_level_files: bool,
}

/// Counts the compressed bytes a decoder has pulled, for the tar.gz ratio check.
struct CountingReader<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl Extractor<'_> {
    fn io_error(&self, rel: &Path, source: io::Error) -> ArchiveError {
        ArchiveError::Io {
            path: self.dest.join(rel),
            source,
        }
    }

    fn count_entry(&mut self) -> Result<(), ArchiveError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        Ok(())
    }

    fn note_top_level(&mut self, rel: &Path, is_dir: bool) {
        let mut components = rel.components();
        let first = components
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        let nested = components.next().is_some();
        if let Some(first) = first {
            if nested || is_dir {
                self.top_level.insert(first);
            } else {
                self.top_level_files = true;
            }
        }
    }

    fn make_dir(&mut self, rel: &Path) -> Result<(), ArchiveError> {
        self.note_top_level(rel, true);
        fs::create_dir_all(self.dest.join(rel)).map_err(|e| self.io_error(rel, e))?;
        self.written.insert(rel.to_owned());
        Ok(())
    }

    /// Streams one file to disk, enforcing the size limits and, via `ratio`, the compression
    /// ratio as the bytes arrive.
    fn write_file(
        &mut self,
        rel: &Path,
        name: &str,
        reader: &mut dyn Read,
        ratio: &dyn Fn(u64) -> bool,
    ) -> Result<(), ArchiveError> {
        self.note_top_level(rel, false);
        let target = self.dest.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|e| self.io_error(rel, e))?;
        }
        // create_new: never follow or overwrite anything already there.
        let mut file = match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(ArchiveError::DuplicateEntry {
                    path: name.to_owned(),
                });
            }
            Err(e) => return Err(self.io_error(rel, e)),
        };
        self.written.insert(rel.to_owned());
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ArchiveError::Corrupt(format!("{name}: {e}"))),
            };
            size += n as u64;
            self.total += n as u64;
            if size > self.limits.max_file_bytes {
                return Err(ArchiveError::FileTooLarge {
                    path: name.to_owned(),
                    limit: self.limits.max_file_bytes,
                });
            }
            if self.total > self.limits.max_total_bytes {
                return Err(ArchiveError::TotalTooLarge {
                    limit: self.limits.max_total_bytes,
                });
            }
            if !ratio(size) {
                return Err(ArchiveError::CompressionRatio {
                    path: name.to_owned(),
                    limit: self.limits.max_ratio,
                });
            }
            file.write_all(buf.get(..n).unwrap_or_default())
                .map_err(|e| self.io_error(rel, e))?;
        }
        Ok(())
    }

    fn zip(&mut self, bytes: &[u8]) -> Result<(), ArchiveError> {
        let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes))
            .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        if archive.len() > self.limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        // Refuse on the declared sizes before inflating anything; the real sizes are checked
        // again while inflating, since headers can lie.
        let mut declared = 0u64;
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            declared = declared.saturating_add(entry.size());
        }
        if declared > self.limits.max_total_bytes {
            return Err(ArchiveError::TotalTooLarge {
                limit: self.limits.max_total_bytes,
            });
        }
        for i in 0..archive.len() {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            self.count_entry()?;
            let Some(rel) = safe_relative_path(&name)? else {
                continue;
            };
            if entry.encrypted() {
                return Err(ArchiveError::Encrypted { path: name });
            }
            if let Some(mode) = entry.unix_mode() {
                match mode & 0o170_000 {
                    0o120_000 => return Err(ArchiveError::Symlink { path: name }),
                    0o020_000 | 0o060_000 | 0o010_000 | 0o140_000 => {
                        return Err(ArchiveError::SpecialFile { path: name });
                    }
                    _ => {}
                }
            }
            if entry.is_symlink() {
                return Err(ArchiveError::Symlink { path: name });
            }
            if entry.is_dir() {
                self.make_dir(&rel)?;
                continue;
            }
            if entry.size() > self.limits.max_file_bytes {
                return Err(ArchiveError::FileTooLarge {
                    path: name,
                    limit: self.limits.max_file_bytes,
                });
            }
            let compressed = entry.compressed_size().max(1);
            let limits = self.limits.clone();
            let within_ratio = move |size: u64| {
                size <= limits.ratio_grace_bytes || size / compressed <= limits.max_ratio
            };
            if !within_ratio(entry.size()) {
                return Err(ArchiveError::CompressionRatio {
                    path: name,
                    limit: self.limits.max_ratio,
                });
            }
            self.write_file(&rel, &name, &mut entry, &within_ratio)?;
        }
        Ok(())
    }

    fn tar_gz(&mut self, bytes: &[u8]) -> Result<(), ArchiveError> {
        let consumed = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let counting = CountingReader {
            inner: bytes,
            count: consumed.clone(),
        };
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(counting));
        let entries = archive
            .entries()
            .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        let limits = self.limits.clone();
        for entry in entries {
            let mut entry = entry.map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let kind = entry.header().entry_type();
            if kind == tar::EntryType::XGlobalHeader {
                continue;
            }
            self.count_entry()?;
            let Some(rel) = safe_relative_path(&name)? else {
                continue;
            };
            match kind {
                tar::EntryType::Directory => self.make_dir(&rel)?,
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    if entry.size() > limits.max_file_bytes {
                        return Err(ArchiveError::FileTooLarge {
                            path: name,
                            limit: limits.max_file_bytes,
                        });
                    }
                    // The whole stream's ratio: what has come out so far against what has
                    // gone in (the gzip layer compresses across entries).
                    let before = self.total;
                    let consumed = consumed.clone();
                    let limits = limits.clone();
                    let within_ratio = move |size: u64| {
                        let out = before + size;
                        out <= limits.ratio_grace_bytes
                            || out / consumed.get().max(1) <= limits.max_ratio
                    };
                    self.write_file(&rel, &name, &mut entry, &within_ratio)?;
                }
                tar::EntryType::Symlink => return Err(ArchiveError::Symlink { path: name }),
                tar::EntryType::Link => return Err(ArchiveError::Hardlink { path: name }),
                _ => return Err(ArchiveError::SpecialFile { path: name }),
            }
        }
        Ok(())
    }

    /// Removes what was written, deepest first.
    fn clean_up(&self) {
        for rel in self.written.iter().rev() {
            let path = self.dest.join(rel);
            // Best effort: a folder that still holds files is left.
            let _ = fs::remove_file(&path).or_else(|_| fs::remove_dir(&path));
        }
        for top in &self.top_level {
            let _ = remove_empty_dirs(&self.dest.join(top));
        }
    }
}

fn remove_empty_dirs(dir: &Path) -> io::Result<()> {
    if fs::symlink_metadata(dir)?.is_dir() {
        for entry in fs::read_dir(dir)? {
            let _ = remove_empty_dirs(&entry?.path());
        }
        fs::remove_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        let ok = |n: &str| {
            safe_relative_path(n)
                .ok()
                .flatten()
                .map(|p| p.to_string_lossy().into_owned())
        };
        assert_eq!(
            ok("kursus/course.toml").as_deref(),
            Some("kursus/course.toml")
        );
        assert_eq!(ok("./a//b.md").as_deref(), Some("a/b.md"));
        assert_eq!(ok("__MACOSX/._x"), None);
        assert_eq!(ok("a/.DS_Store"), None);
        assert!(matches!(
            safe_relative_path("../x"),
            Err(ArchiveError::PathTraversal { .. })
        ));
        assert!(matches!(
            safe_relative_path("a/../../x"),
            Err(ArchiveError::PathTraversal { .. })
        ));
        assert!(matches!(
            safe_relative_path("a\\..\\..\\x"),
            Err(ArchiveError::PathTraversal { .. })
        ));
        assert!(matches!(
            safe_relative_path("/etc/passwd"),
            Err(ArchiveError::AbsolutePath { .. })
        ));
        assert!(matches!(
            safe_relative_path("C:\\x"),
            Err(ArchiveError::AbsolutePath { .. })
        ));
        assert!(matches!(
            safe_relative_path("a\0b"),
            Err(ArchiveError::InvalidName { .. })
        ));
    }

    #[test]
    fn kinds_from_names() {
        assert_eq!(
            ArchiveKind::from_file_name("Kursus.ZIP"),
            Some(ArchiveKind::Zip)
        );
        assert_eq!(
            ArchiveKind::from_file_name("k.tar.gz"),
            Some(ArchiveKind::TarGz)
        );
        assert_eq!(
            ArchiveKind::from_file_name("k.tgz"),
            Some(ArchiveKind::TarGz)
        );
        assert_eq!(ArchiveKind::from_file_name("k.rar"), None);
    }
}
