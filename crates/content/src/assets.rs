//! Files a course uses besides its lessons (images, attachments, the cover), and reading files
//! inside a course folder without ever leaving it.

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A file of the course, stored once per content (deduplicated by hash) and served at
/// `{asset_base}/{sha256}`.
///
/// SVG and HTML files can carry script: whoever serves `bytes` must do so from a sandboxed
/// origin or with `Content-Security-Policy: sandbox` / `Content-Disposition: attachment`.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    pub size: u64,
    /// The media type guessed from the file name (`image/png`, `application/pdf`, …).
    pub media_type: String,
    /// Every course-relative path with this content, sorted.
    pub paths: Vec<String>,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Asset")
            .field("sha256", &self.sha256)
            .field("size", &self.size)
            .field("media_type", &self.media_type)
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Asset {
    pub fn from_bytes(path: &str, bytes: Vec<u8>) -> Self {
        Self {
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
            media_type: media_type(path),
            paths: vec![path.to_owned()],
            bytes,
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The media type of a file, from its name.
pub fn media_type(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    // Types mime_guess does not know or gets wrong for course material.
    if lower.ends_with(".md") {
        return "text/markdown".to_owned();
    }
    if lower.ends_with(".gift") {
        return "text/plain".to_owned();
    }
    mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        .to_owned()
}

/// Why a file in the course folder cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileIssue {
    NotFound,
    /// The path, or a symlink on the way, leads outside the course folder.
    Escapes,
    NotAFile,
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(String),
}

/// A course folder, canonicalised once; every read is checked to stay inside it.
#[derive(Debug, Clone)]
pub(crate) struct CourseRoot {
    root: PathBuf,
}

impl CourseRoot {
    pub(crate) fn open(path: &Path) -> std::io::Result<Self> {
        let root = fs::canonicalize(path)?;
        if !fs::metadata(&root)?.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "not a directory",
            ));
        }
        Ok(Self { root })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.root
    }

    /// The real path of a course-relative file, if it is a regular file inside the course
    /// after following every symlink.
    pub(crate) fn resolve_file(&self, rel: &str) -> Result<PathBuf, FileIssue> {
        let rel_path = Path::new(rel);
        if rel.is_empty()
            || rel_path
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(FileIssue::Escapes);
        }
        let full = self.root.join(rel_path);
        match fs::symlink_metadata(&full) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileIssue::NotFound),
            Err(e) => return Err(FileIssue::Io(e.to_string())),
        }
        let real = match fs::canonicalize(&full) {
            Ok(real) => real,
            // A dangling symlink.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileIssue::NotFound),
            Err(e) => return Err(FileIssue::Io(e.to_string())),
        };
        if !real.starts_with(&self.root) {
            return Err(FileIssue::Escapes);
        }
        let meta = fs::metadata(&real).map_err(|e| FileIssue::Io(e.to_string()))?;
        if !meta.is_file() {
            return Err(FileIssue::NotAFile);
        }
        Ok(real)
    }

    /// Reads a course-relative file of at most `limit` bytes.
    pub(crate) fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, FileIssue> {
        let real = self.resolve_file(rel)?;
        let file = fs::File::open(&real).map_err(|e| FileIssue::Io(e.to_string()))?;
        let size = file
            .metadata()
            .map_err(|e| FileIssue::Io(e.to_string()))?
            .len();
        if size > limit {
            return Err(FileIssue::TooLarge { size, limit });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // The take() guards against a file that grows while it is read.
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FileIssue::Io(e.to_string()))?;
        if bytes.len() as u64 > limit {
            return Err(FileIssue::TooLarge {
                size: bytes.len() as u64,
                limit,
            });
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(media_type("gambar/diagram.png"), "image/png");
        assert_eq!(media_type("cover.SVG"), "image/svg+xml");
        assert_eq!(
            media_type("lampiran/data.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(media_type("lampiran/panduan.pdf"), "application/pdf");
        assert_eq!(media_type("data.csv"), "text/csv");
        assert_eq!(media_type("kuis/a.gift"), "text/plain");
        assert_eq!(media_type("noext"), "application/octet-stream");
    }

    #[test]
    fn hashes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a = Asset::from_bytes("x/a.txt", b"abc".to_vec());
        assert_eq!(a.size, 3);
        assert!(!format!("{a:?}").contains("bytes"));
    }

    #[test]
    fn reads_stay_inside_the_course() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let course = dir.path().join("course");
        fs::create_dir_all(course.join("gambar")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(course.join("gambar/a.png"), b"png").unwrap_or_else(|e| panic!("{e}"));
        fs::write(dir.path().join("secret.txt"), b"secret").unwrap_or_else(|e| panic!("{e}"));
        let root = CourseRoot::open(&course).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(root.read("gambar/a.png", 100), Ok(b"png".to_vec()));
        assert_eq!(root.read("gambar/none.png", 100), Err(FileIssue::NotFound));
        assert_eq!(root.read("../secret.txt", 100), Err(FileIssue::Escapes));
        assert_eq!(root.read("/etc/passwd", 100), Err(FileIssue::Escapes));
        assert_eq!(root.read("gambar", 100), Err(FileIssue::NotAFile));
        assert_eq!(
            root.read("gambar/a.png", 2),
            Err(FileIssue::TooLarge { size: 3, limit: 2 })
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                dir.path().join("secret.txt"),
                course.join("gambar/link.png"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            std::os::unix::fs::symlink(course.join("gambar/a.png"), course.join("inside.png"))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(root.read("gambar/link.png", 100), Err(FileIssue::Escapes));
            assert_eq!(root.read("inside.png", 100), Ok(b"png".to_vec()));
        }
    }
}
