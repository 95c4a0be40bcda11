//! `lentera demo-data`: a reproducible synthetic regency (OPDs, learners with realistic NIPs,
//! courses, enrolments with progress and completions) for tests and benchmarks.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use lentera_storage::Db;
use lentera_storage::bulk::{self, BulkEnrolment, BulkUser};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const FIRST: &[&str] = &[
    "Ahmad", "Budi", "Siti", "Dewi", "Rina", "Agus", "Sri", "Hendra", "Yusuf", "Nur", "Rahmat", "Fitri", "Dian",
    "Eko", "Wahyu", "Ani", "Joko", "Lestari", "Andi", "Putri", "Rudi", "Yulia", "Hasan", "Maya", "Irfan", "Nadia",
    "Fauzi", "Ratna", "Taufik", "Indah", "Arif", "Wulan", "Syafrizal", "Zulkifli", "Herlina", "Muhammad",
];
const LAST: &[&str] = &[
    "Santoso", "Hidayat", "Lubis", "Siregar", "Nasution", "Harahap", "Saputra", "Wijaya", "Pratama", "Kurniawan",
    "Rahman", "Syahputra", "Susanti", "Lestari", "Hasibuan", "Nainggolan", "Putra", "Maharani", "Anggraini",
    "Firmansyah", "Ramadhan", "Gunawan", "Setiawan", "Fitriani",
];
const JABATAN: &[&str] = &[
    "Analis Kebijakan", "Pranata Komputer", "Perawat", "Guru", "Bidan", "Auditor", "Pengelola Keuangan",
    "Arsiparis", "Penyuluh", "Analis SDM Aparatur", "Pengadministrasi Umum", "Perencana", "Statistisi",
];

pub struct Options {
    pub learners: usize,
    pub courses: usize,
    pub enrolments_per_learner: usize,
    pub seed: u64,
}

fn nip(rng: &mut ChaCha8Rng, seq: usize, pppk: bool) -> (String, NaiveDate) {
    let birth = NaiveDate::from_ymd_opt(1965, 1, 1).unwrap_or_default() + TimeDelta::days(rng.random_range(0..13_000));
    let tmt_year = (birth.year() + rng.random_range(22..32)).min(2025);
    let tmt_month: u32 = if pppk { 21 } else { rng.random_range(1..=12) };
    let sex = rng.random_range(1..=2);
    // The sequence makes each number unique within a (birth, TMT, sex) group; spread it so that
    // even a million learners never collide.
    let n = format!(
        "{}{:04}{:02}{}{:03}",
        birth.format("%Y%m%d"),
        tmt_year,
        tmt_month,
        sex,
        seq % 999 + 1
    );
    (n, birth)
}

/// Generates the data. Returns (learners, courses, enrolments) written.
pub fn generate(db: &Db, opts: &Options) -> anyhow::Result<(usize, usize, usize)> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // OPDs.
    let opds: Vec<String> = db.write(|c| {
        let mut ids = Vec::new();
        for (name, code) in crate::demo::DEMO_OPDS {
            let opd = match lentera_storage::accounts::find_opd_by_name(c, name)? {
                Some(o) => o,
                None => lentera_storage::accounts::create_opd(c, name, Some(code))?,
            };
            ids.push(opd.id.to_string());
        }
        Ok(ids)
    })?;

    // Courses: small synthetic folders through the real import pipeline.
    let tmp = tempfile::tempdir()?;
    let mut dirs = Vec::new();
    for i in 0..opts.courses {
        let dir = tmp.path().join(format!("sintetis-{i:04}"));
        std::fs::create_dir_all(dir.join("01-materi"))?;
        let jp = [2, 3, 4, 5, 6, 8][i % 6];
        std::fs::write(
            dir.join("course.toml"),
            format!(
                "slug = \"sintetis-{i:04}\"\ntitle = \"Kursus Sintetis {i}\"\nsummary = \"Data uji.\"\ncategory = \"Uji\"\n\
                 level = \"dasar\"\nlanguage = \"id\"\njp = {jp}\nduration_minutes = 90\ntags = []\nvisibility = \"public\"\nself_enrol = true\n"
            ),
        )?;
        for l in 1..=3 {
            std::fs::write(dir.join(format!("01-materi/0{l}-bagian-{l}.md")), format!("---\ntitle: Bagian {l}\n---\n\nIsi bagian {l}.\n"))?;
        }
        dirs.push(dir);
    }
    let imported = lentera_api::course_import::import_dirs(db, &dirs, lentera_api::course_import::Importer::Operator, "demo-data")
        .map_err(|e| match e {
            lentera_api::course_import::ImportError::Invalid(outputs) => anyhow::anyhow!(
                "generated courses are invalid: {}",
                outputs.iter().flat_map(|o| o.problems.iter().map(|p| p.to_string())).collect::<Vec<_>>().join("; ")
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    let course_ids: Vec<String> = imported.iter().map(|r| r.course_id.clone()).collect();

    // Learners, in batches, each batch one transaction.
    let base: NaiveDateTime = NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    let mut enrolled = 0usize;
    let mut seen = std::collections::HashSet::new();
    let chunk = 5_000;
    let mut start = 0;
    while start < opts.learners {
        let end = (start + chunk).min(opts.learners);
        let mut users = Vec::with_capacity(end - start);
        let mut enrolments = Vec::with_capacity((end - start) * opts.enrolments_per_learner);
        for i in start..end {
            let pppk = rng.random_bool(0.2);
            let nip = loop {
                let (candidate, _) = nip(&mut rng, i, pppk);
                if seen.insert(candidate.clone()) {
                    break candidate;
                }
            };
            let id = uuid::Uuid::from_u128(rng.random()).to_string();
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            users.push(BulkUser {
                id: id.clone(),
                nip,
                name: format!("{first} {last}"),
                email: format!("asn{i:07}@batanghari.test"),
                opd_id: opds[rng.random_range(0..opds.len())].clone(),
                jabatan: JABATAN[rng.random_range(0..JABATAN.len())].into(),
                employment_type: if pppk { "PPPK" } else { "PNS" },
                created_at: base,
            });
            let k = opts.enrolments_per_learner.min(course_ids.len());
            let first_course = rng.random_range(0..course_ids.len().max(1));
            for j in 0..k {
                let course = &course_ids[(first_course + j * 7) % course_ids.len()];
                let enrolled_at = base + TimeDelta::hours(rng.random_range(0..16_000));
                let roll: f64 = rng.random();
                let (status, percent, completed_at, score) = if roll < 0.55 {
                    let done = enrolled_at + TimeDelta::hours(rng.random_range(1..600));
                    ("completed", 100, Some(done), Some(f64::from(rng.random_range(60..=100_u8))))
                } else if roll < 0.85 {
                    ("active", rng.random_range(1..100), None, None)
                } else {
                    ("active", 0, None, None)
                };
                enrolments.push(BulkEnrolment {
                    id: uuid::Uuid::from_u128(rng.random()).to_string(),
                    course_id: course.clone(),
                    user_id: id.clone(),
                    status,
                    required: rng.random_bool(0.3),
                    enrolled_at,
                    percent_complete: percent,
                    last_activity_at: (percent > 0).then(|| completed_at.unwrap_or(enrolled_at + TimeDelta::hours(5))),
                    completed_at,
                    score_percent: score,
                });
            }
        }
        enrolled += enrolments.len();
        db.write(|c| {
            bulk::insert_users(c, &users)?;
            bulk::insert_enrolments(c, &enrolments)
        })?;
        start = end;
    }
    Ok((opts.learners, course_ids.len(), enrolled))
}
