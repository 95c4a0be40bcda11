//! `lentera serve --demo`: on an empty database, the OPDs of a regency and one account per role,
//! so the whole product can be tried on a laptop. Never use on a real deployment.

use lentera_accounts::{Email, EmploymentType, Language, Nip, Role, RoleGrant};
use lentera_storage::Db;
use lentera_storage::accounts::{self, NewUser};

/// The agencies of Kabupaten Batang Hari used for the demo (PRODUCT.md lists them).
pub const DEMO_OPDS: &[(&str, &str)] = &[
    ("Sekretariat Daerah", "SETDA"),
    ("Sekretariat DPRD", "SETWAN"),
    ("Inspektorat", "INSP"),
    ("Badan Perencanaan Pembangunan Daerah", "BAPPEDA"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM"),
    ("Dinas Pendidikan dan Kebudayaan", "DISDIKBUD"),
    ("Dinas Kesehatan", "DINKES"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR"),
    ("Dinas Sosial", "DINSOS"),
    ("Dinas Perhubungan", "DISHUB"),
    ("Dinas Komunikasi dan Informatika", "DISKOMINFO"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "DUKCAPIL"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    ("Satuan Polisi Pamong Praja", "SATPOLPP"),
    ("RSUD Hamba Muara Bulian", "RSUD"),
    ("Kecamatan Muara Bulian", "KEC-MBL"),
    ("Kecamatan Muara Tembesi", "KEC-MTB"),
    ("Kecamatan Mersam", "KEC-MRS"),
    ("Kecamatan Batin XXIV", "KEC-B24"),
    ("Kecamatan Pemayung", "KEC-PMY"),
    ("Kecamatan Maro Sebo Ulu", "KEC-MSU"),
    ("Kecamatan Bajubang", "KEC-BJB"),
    ("Kecamatan Maro Sebo Ilir", "KEC-MSI"),
];

struct DemoUser {
    email: &'static str,
    name: &'static str,
    nip: Option<&'static str>,
    opd: &'static str,
    jabatan: &'static str,
    kind: Option<EmploymentType>,
    roles: &'static [Role],
    hr_scoped: bool,
}

const DEMO_USERS: &[DemoUser] = &[
    DemoUser { email: "admin@lentera.test", name: "Admin Lentera", nip: None, opd: "Dinas Komunikasi dan Informatika", jabatan: "Pranata Komputer", kind: None, roles: &[Role::Admin], hr_scoped: false },
    DemoUser { email: "bkpsdm@lentera.test", name: "Rahmawati, S.Psi.", nip: Some("198203142006042003"), opd: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", jabatan: "Analis SDM Aparatur", kind: Some(EmploymentType::Pns), roles: &[Role::Hr, Role::Learner], hr_scoped: false },
    DemoUser { email: "hr.dinkes@lentera.test", name: "dr. Yusuf Hidayat", nip: Some("198507222010011004"), opd: "Dinas Kesehatan", jabatan: "Kepala Subbagian Umum dan Kepegawaian", kind: Some(EmploymentType::Pns), roles: &[Role::Hr, Role::Learner], hr_scoped: true },
    DemoUser { email: "widyaiswara@lentera.test", name: "Drs. Hendra Gunawan, M.Si.", nip: Some("197304111998031005"), opd: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", jabatan: "Widyaiswara Ahli Madya", kind: Some(EmploymentType::Pns), roles: &[Role::Instructor, Role::Learner], hr_scoped: false },
    DemoUser { email: "mentor@lentera.test", name: "Ir. Syafrizal, M.T.", nip: Some("196908151995031002"), opd: "Dinas Komunikasi dan Informatika", jabatan: "Kepala Dinas", kind: Some(EmploymentType::Pns), roles: &[Role::Mentor, Role::Learner], hr_scoped: false },
    DemoUser { email: "budi@lentera.test", name: "Budi Santoso, S.Kom.", nip: Some("198609262015051001"), opd: "Dinas Komunikasi dan Informatika", jabatan: "Pranata Komputer Ahli Pertama", kind: Some(EmploymentType::Pns), roles: &[Role::Learner], hr_scoped: false },
    DemoUser { email: "siti@lentera.test", name: "Siti Aminah, A.Md.Kep.", nip: Some("199204052022212002"), opd: "Dinas Kesehatan", jabatan: "Perawat Terampil", kind: Some(EmploymentType::Pppk), roles: &[Role::Learner], hr_scoped: false },
];

/// Seeds OPDs and demo accounts when the database has no users yet. Returns whether it seeded.
pub fn seed(db: &Db, password_hash: &str) -> anyhow::Result<bool> {
    let empty = db.read(|c| {
        accounts::list_users(c, &accounts::UserFilter {
            q: None, opd: None, role: None, active: None,
            scope: lentera_accounts::HrScope::All, offset: 0, limit: 1,
        })
    })?.1 == 0;
    if !empty {
        return Ok(false);
    }
    db.write(|c| {
        for (name, code) in DEMO_OPDS {
            if accounts::find_opd_by_name(c, name)?.is_none() {
                accounts::create_opd(c, name, Some(code))?;
            }
        }
        for u in DEMO_USERS {
            let opd = accounts::find_opd_by_name(c, u.opd)?.map(|o| o.id);
            let roles = u
                .roles
                .iter()
                .map(|r| RoleGrant { role: *r, opd: if *r == Role::Hr && u.hr_scoped { opd } else { None } })
                .collect();
            let email = Email::parse(u.email).map_err(|e| lentera_storage::StorageError::Corrupt(e.to_string()))?;
            let nip = u.nip.map(Nip::parse).transpose().map_err(|e| lentera_storage::StorageError::Corrupt(e.to_string()))?;
            accounts::create_user(c, &NewUser {
                nip,
                name: u.name.into(),
                email,
                opd_id: opd,
                jabatan: u.jabatan.into(),
                employment_type: u.kind,
                language: Language::Id,
                password_hash: Some(password_hash.to_string()),
                roles,
            })?;
        }
        Ok(())
    })?;
    Ok(true)
}

pub fn print_accounts(password: &str) {
    println!("\nLentera demo accounts (password for all: {password})");
    for u in DEMO_USERS {
        let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
        let scope = if u.hr_scoped { format!(" (hr: {} only)", u.opd) } else { String::new() };
        println!("  {:<26} {:<20} {}{}", u.email, u.nip.unwrap_or("-"), roles.join(", "), scope);
    }
    println!();
}

/// Imports every course folder under `dir` (unchanged courses are left as they are).
pub fn import_content(db: &Db, dir: &std::path::Path) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!(dir = %dir.display(), "no sample course folder; skipping the course import");
        return Ok(());
    };
    let mut dirs: Vec<std::path::PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.join("course.toml").exists()).collect();
    dirs.sort();
    use lentera_api::course_import::{ImportError, Importer, import_dirs};
    match import_dirs(db, &dirs, Importer::Operator, "demo") {
        Ok(results) => {
            for r in results.iter().filter(|r| !r.unchanged) {
                tracing::info!(course = %r.slug, version = r.version, "sample course imported");
            }
            // Let the demo instructor author the sample courses.
            if let Some(instructor) = db.read(|c| lentera_storage::accounts::find_login(c, "widyaiswara@lentera.test"))? {
                db.write(|c| {
                    for r in &results {
                        lentera_storage::courses::add_instructor(c, &r.course_id, instructor.id)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        }
        Err(ImportError::Invalid(outputs)) => {
            for o in outputs {
                for p in o.problems {
                    eprintln!("{}/{p}", o.path);
                }
            }
            anyhow::bail!("the sample courses have errors; nothing was imported")
        }
        Err(e) => Err(e.into()),
    }
}
