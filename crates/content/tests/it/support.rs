//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use lentera_content::{Problem, ProblemCode, RenderContext};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn read_fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).unwrap()
}

/// Asserts that `problems` holds a problem with this code, file and place.
#[track_caller]
pub fn assert_problem(
    problems: &[Problem],
    code: ProblemCode,
    file: &str,
    line: Option<u32>,
    column: Option<u32>,
) {
    let found = problems
        .iter()
        .any(|p| p.code == code && p.file == file && p.line == line && p.column == column);
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        found,
        "expected {code} in {file} at {line:?}:{column:?}; got:\n{}",
        listed.join("\n")
    );
}

/// A context like the loader builds for `01-pengantar/01-apa-itu-data.md`, whose body starts
/// on line 5 of the file.
pub fn sample_context() -> RenderContext {
    let mut ctx = RenderContext::new("pengelolaan-data", "/api/v1/assets")
        .for_lesson("01-pengantar/01-apa-itu-data.md", 5);
    for (path, sha) in [
        ("01-pengantar/gambar/diagram.png", "aaaa"),
        ("01-pengantar/gambar/tabel.png", "bbbb"),
        ("01-pengantar/lampiran/latihan.xlsx", "cccc"),
    ] {
        ctx.assets.insert(path.into(), sha.into());
    }
    ctx.lessons
        .insert("02-latihan/01-rumus.md".into(), "rumus".into());
    ctx.lessons.insert(
        "01-pengantar/01-apa-itu-data.md".into(),
        "apa-itu-data".into(),
    );
    ctx.quizzes
        .insert("kuis/ujian-akhir.quiz.md".into(), "ujian-akhir".into());
    ctx
}

/// A course folder built in a temporary directory.
pub struct TempCourse {
    pub dir: tempfile::TempDir,
}

impl TempCourse {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("kursus")
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn with_manifest(self, slug: &str) -> Self {
        self.write(
            "course.toml",
            format!(
                "slug = \"{slug}\"\ntitle = \"Uji\"\nsummary = \"Uji.\"\ncategory = \"Umum\"\nlevel = \"dasar\"\njp = 1\nduration_minutes = 30\n"
            ),
        );
        self
    }
}
