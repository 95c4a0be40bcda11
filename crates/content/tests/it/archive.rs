//! Uploaded archives, built in memory: good ones unpack to a loadable course, hostile ones are
//! refused with the right error and leave nothing behind.

use std::io::{Cursor, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use lentera_content::{ArchiveError, ArchiveKind, Limits, extract_archive, load_course_dir};
use zip::write::SimpleFileOptions;

const MANIFEST: &str = "slug = \"dari-arsip\"\ntitle = \"Dari Arsip\"\nsummary = \"Diunggah.\"\ncategory = \"Umum\"\nlevel = \"dasar\"\njp = 1\nduration_minutes = 30\n";
const LESSON: &str = "---\ntitle: Satu\n---\n\n![g](gambar/a.png)\n";

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        if name.ends_with('/') {
            w.add_directory(*name, deflated()).unwrap();
        } else {
            w.start_file(*name, deflated()).unwrap();
            w.write_all(data).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// A tar.gz; names are written into the header raw, so hostile ones (`../x`) get through.
fn tar_gz_of(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    for (name, kind, data, link) in entries {
        let mut header = tar::Header::new_gnu();
        {
            let raw = &mut header.as_old_mut().name;
            raw.fill(0);
            raw[..name.len()].copy_from_slice(name.as_bytes());
        }
        header.set_entry_type(*kind);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        if let Some(link) = link {
            header.set_link_name(link).unwrap();
        }
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_zip_with_one_top_folder_unpacks_to_a_loadable_course() {
    let bytes = zip_of(&[
        ("kursus/", b""),
        ("kursus/course.toml", MANIFEST.as_bytes()),
        ("kursus/01-modul/01-satu.md", LESSON.as_bytes()),
        ("kursus/01-modul/gambar/a.png", b"\x89PNG fake"),
        ("__MACOSX/kursus/._course.toml", b"resource fork"),
    ]);
    let dest = tempfile::tempdir().unwrap();
    let root = extract_archive(&bytes, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap();
    assert_eq!(root, dest.path().join("kursus"));
    assert!(!dest.path().join("__MACOSX").exists());
    let course = load_course_dir(&root).into_result().unwrap();
    assert_eq!(course.manifest.slug.as_str(), "dari-arsip");
    assert_eq!(course.assets.len(), 1);
}

#[test]
fn a_tar_gz_unpacks_too() {
    use tar::EntryType::{Directory, Regular};
    let bytes = tar_gz_of(&[
        ("kursus/", Directory, b"", None),
        ("kursus/course.toml", Regular, MANIFEST.as_bytes(), None),
        (
            "kursus/01-modul/01-satu.md",
            Regular,
            LESSON.as_bytes(),
            None,
        ),
        (
            "kursus/01-modul/gambar/a.png",
            Regular,
            b"\x89PNG fake",
            None,
        ),
    ]);
    let dest = tempfile::tempdir().unwrap();
    let root =
        extract_archive(&bytes, ArchiveKind::TarGz, dest.path(), &Limits::default()).unwrap();
    assert_eq!(root, dest.path().join("kursus"));
    assert!(load_course_dir(&root).into_result().is_ok());
}

#[test]
fn a_flat_archive_is_its_own_root() {
    let bytes = zip_of(&[
        ("course.toml", MANIFEST.as_bytes()),
        ("01-modul/01-satu.md", LESSON.as_bytes()),
    ]);
    let dest = tempfile::tempdir().unwrap();
    let root = extract_archive(&bytes, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap();
    assert_eq!(root, dest.path());
}

#[test]
fn path_traversal_is_refused_and_nothing_is_left() {
    let outer = tempfile::tempdir().unwrap();
    let dest = outer.path().join("unggahan");
    let bytes = zip_of(&[
        ("kursus/course.toml", MANIFEST.as_bytes()),
        ("kursus/../../jahat.txt", b"pwned"),
    ]);
    let err = extract_archive(&bytes, ArchiveKind::Zip, &dest, &Limits::default()).unwrap_err();
    assert!(
        matches!(err, ArchiveError::PathTraversal { ref path } if path == "kursus/../../jahat.txt"),
        "{err}"
    );
    assert_eq!(err.code(), "archive_path_traversal");
    assert!(!outer.path().join("jahat.txt").exists());
    assert!(listing(&dest).is_empty(), "{:?}", listing(&dest));

    use tar::EntryType::Regular;
    let tgz = tar_gz_of(&[("../jahat.txt", Regular, b"pwned", None)]);
    let err = extract_archive(&tgz, ArchiveKind::TarGz, &dest, &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::PathTraversal { .. }), "{err}");
    let backslash = zip_of(&[("kursus\\..\\..\\jahat.txt", b"pwned")]);
    let err = extract_archive(&backslash, ArchiveKind::Zip, &dest, &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::PathTraversal { .. }), "{err}");
    assert!(!outer.path().join("jahat.txt").exists());
}

#[test]
fn absolute_paths_are_refused() {
    let dest = tempfile::tempdir().unwrap();
    let bytes = zip_of(&[("/tmp/jahat.txt", b"pwned")]);
    let err =
        extract_archive(&bytes, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::AbsolutePath { .. }), "{err}");
    use tar::EntryType::Regular;
    let tgz = tar_gz_of(&[("/etc/cron.d/jahat", Regular, b"pwned", None)]);
    let err =
        extract_archive(&tgz, ArchiveKind::TarGz, dest.path(), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::AbsolutePath { .. }), "{err}");
}

#[test]
fn links_and_device_files_are_refused() {
    let dest = tempfile::tempdir().unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("kursus/course.toml", deflated()).unwrap();
    w.write_all(MANIFEST.as_bytes()).unwrap();
    w.add_symlink(
        "kursus/gambar.png",
        "/etc/passwd",
        SimpleFileOptions::default(),
    )
    .unwrap();
    let bytes = w.finish().unwrap().into_inner();
    let err =
        extract_archive(&bytes, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, ArchiveError::Symlink { ref path } if path == "kursus/gambar.png"),
        "{err}"
    );
    assert!(
        listing(dest.path()).is_empty(),
        "{:?}",
        listing(dest.path())
    );

    use tar::EntryType::{Block, Char, Fifo, Link, Regular, Symlink};
    for (kind, expected) in [
        (Symlink, "archive_symlink"),
        (Link, "archive_hardlink"),
        (Char, "archive_special_file"),
        (Block, "archive_special_file"),
        (Fifo, "archive_special_file"),
    ] {
        let tgz = tar_gz_of(&[
            ("kursus/a.txt", Regular, b"a", None),
            ("kursus/b", kind, b"", Some("/etc/passwd")),
        ]);
        let err =
            extract_archive(&tgz, ArchiveKind::TarGz, dest.path(), &Limits::default()).unwrap_err();
        assert_eq!(err.code(), expected, "{err}");
        assert!(
            listing(dest.path()).is_empty(),
            "{:?}",
            listing(dest.path())
        );
    }
}

#[test]
fn zip_bombs_are_refused_by_ratio() {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let bytes = zip_of(&[("kursus/bom.csv", &zeros)]);
    assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
    let dest = tempfile::tempdir().unwrap();
    let err =
        extract_archive(&bytes, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, ArchiveError::CompressionRatio { ref path, limit: 100 } if path == "kursus/bom.csv"),
        "{err}"
    );
    assert!(err.is_client_error());
    assert!(listing(dest.path()).is_empty());

    use tar::EntryType::Regular;
    let tgz = tar_gz_of(&[("kursus/bom.csv", Regular, &zeros, None)]);
    let err =
        extract_archive(&tgz, ArchiveKind::TarGz, dest.path(), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, ArchiveError::CompressionRatio { .. }),
        "{err}"
    );

    // Well-compressible files under the grace size are fine.
    let small = zip_of(&[("kursus/kecil.csv", &zeros[..512 * 1024])]);
    assert!(extract_archive(&small, ArchiveKind::Zip, dest.path(), &Limits::default()).is_ok());
}

#[test]
fn size_and_count_limits() {
    let limits = Limits {
        max_entries: 3,
        max_file_bytes: 1000,
        max_total_bytes: 1500,
        ..Limits::default()
    };
    let dest = tempfile::tempdir().unwrap();
    let many = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3"), ("d", b"4")]);
    let err = extract_archive(&many, ArchiveKind::Zip, dest.path(), &limits).unwrap_err();
    assert!(
        matches!(err, ArchiveError::TooManyEntries { limit: 3 }),
        "{err}"
    );

    let big = vec![b'x'; 1001];
    let one_big = zip_of(&[("besar.txt", &big)]);
    let err = extract_archive(&one_big, ArchiveKind::Zip, dest.path(), &limits).unwrap_err();
    assert!(
        matches!(err, ArchiveError::FileTooLarge { limit: 1000, .. }),
        "{err}"
    );

    let medium = vec![b'y'; 900];
    let too_much = zip_of(&[("a.txt", &medium), ("b.txt", &medium)]);
    let err = extract_archive(&too_much, ArchiveKind::Zip, dest.path(), &limits).unwrap_err();
    assert!(
        matches!(err, ArchiveError::TotalTooLarge { limit: 1500 }),
        "{err}"
    );

    use tar::EntryType::Regular;
    let tgz = tar_gz_of(&[
        ("a.txt", Regular, &medium, None),
        ("b.txt", Regular, &medium, None),
    ]);
    let err = extract_archive(&tgz, ArchiveKind::TarGz, dest.path(), &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::TotalTooLarge { .. }), "{err}");
    assert!(
        listing(dest.path()).is_empty(),
        "{:?}",
        listing(dest.path())
    );
}

#[test]
fn corrupt_empty_and_duplicate_archives() {
    let dest = tempfile::tempdir().unwrap();
    let err = extract_archive(
        b"not an archive",
        ArchiveKind::Zip,
        dest.path(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err}");
    let err = extract_archive(
        b"not gzip either",
        ArchiveKind::TarGz,
        dest.path(),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt(_)), "{err}");
    let empty = zip_of(&[]);
    let err =
        extract_archive(&empty, ArchiveKind::Zip, dest.path(), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Empty), "{err}");

    use tar::EntryType::Regular;
    let dup = tar_gz_of(&[
        ("a.txt", Regular, b"1", None),
        ("./a.txt", Regular, b"2", None),
    ]);
    let err =
        extract_archive(&dup, ArchiveKind::TarGz, dest.path(), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::DuplicateEntry { .. }), "{err}");
}
