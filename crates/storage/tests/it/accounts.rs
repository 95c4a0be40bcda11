use lentera_accounts::{Email, EmploymentType, HrScope, Language, Nip, Role, RoleGrant, parse_user_csv};
use lentera_storage::accounts::{self, ImportOptions, NewUser, UserFilter, UserUpdate};
use lentera_storage::{StorageError, both_backends};

fn new_user(nip: &str, email: &str, opd: Option<lentera_accounts::OpdId>) -> NewUser {
    NewUser {
        nip: Some(Nip::parse(nip).unwrap()),
        name: format!("Pegawai {email}"),
        email: Email::parse(email).unwrap(),
        opd_id: opd,
        jabatan: "Analis".into(),
        employment_type: Some(EmploymentType::Pns),
        language: Language::Id,
        password_hash: Some("hash".into()),
        roles: vec![RoleGrant::global(Role::Learner)],
    }
}

both_backends!(fn create_read_update_and_duplicates(t: &TestDb) {
    let db = &t.db;
    let opd = db.write(|c| accounts::create_opd(c, "Dinas Kesehatan", Some("DINKES"))).unwrap();
    let id = db.write(|c| accounts::create_user(c, &new_user("198609262015051001", "budi@x.go.id", Some(opd.id)))).unwrap();
    let user = db.read(|c| accounts::get_user(c, id)).unwrap();
    assert_eq!(user.nip.as_deref(), Some("198609262015051001"));
    assert_eq!(user.opd.as_ref().unwrap().name, "Dinas Kesehatan");
    assert_eq!(user.roles, vec![RoleGrant::global(Role::Learner)]);

    let dup_nip = db.write(|c| accounts::create_user(c, &new_user("198609262015051001", "lain@x.go.id", None)));
    assert!(matches!(dup_nip, Err(StorageError::Duplicate { ref field }) if field == "nip"), "{dup_nip:?}");
    let dup_email = db.write(|c| accounts::create_user(c, &new_user("198701012010012002", "budi@x.go.id", None)));
    assert!(matches!(dup_email, Err(StorageError::Duplicate { ref field }) if field == "email"), "{dup_email:?}");
    let dup_opd = db.write(|c| accounts::create_opd(c, "dinas  KESEHATAN", None));
    assert!(matches!(dup_opd, Err(StorageError::Duplicate { ref field }) if field == "name"), "{dup_opd:?}");

    let hr = RoleGrant { role: Role::Hr, opd: Some(opd.id) };
    db.write(|c| accounts::update_user(c, id, &UserUpdate {
        name: Some("Budi S.".into()),
        roles: Some(vec![RoleGrant::global(Role::Learner), hr]),
        language: Some(Language::En),
        ..Default::default()
    })).unwrap();
    let user = db.read(|c| accounts::get_user(c, id)).unwrap();
    assert_eq!(user.name, "Budi S.");
    assert_eq!(user.language, Language::En);
    assert_eq!(user.roles.len(), 2);
    assert!(user.roles.contains(&hr));

    let login = db.read(|c| accounts::find_login(c, "19860926 201505 1 001")).unwrap().unwrap();
    assert_eq!(login.id, id);
    let login = db.read(|c| accounts::find_login(c, " BUDI@x.go.id")).unwrap().unwrap();
    assert_eq!(login.id, id);
    assert!(db.read(|c| accounts::find_login(c, "nobody@x.go.id")).unwrap().is_none());

    db.write(|c| accounts::set_active(c, id, false)).unwrap();
    assert!(!db.read(|c| accounts::auth_facts(c, id)).unwrap().unwrap().active);
});

both_backends!(fn listing_filters_by_scope_text_and_pages(t: &TestDb) {
    let db = &t.db;
    let a = db.write(|c| accounts::create_opd(c, "Inspektorat", None)).unwrap();
    let b = db.write(|c| accounts::create_opd(c, "Bappeda", None)).unwrap();
    db.write(|c| accounts::create_user(c, &new_user("198609262015051001", "satu@x.go.id", Some(a.id)))).unwrap();
    db.write(|c| accounts::create_user(c, &new_user("198701012010012002", "dua@x.go.id", Some(a.id)))).unwrap();
    db.write(|c| accounts::create_user(c, &new_user("199002022018011003", "tiga_100%@x.go.id", Some(b.id)))).unwrap();
    let filter = |scope, q: Option<&str>| UserFilter { q: q.map(str::to_string), opd: None, role: None, active: None, scope, offset: 0, limit: 2 };

    let (page, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::All, None))).unwrap();
    assert_eq!((page.len(), total), (2, 3));
    let (page, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::Opds(vec![b.id]), None))).unwrap();
    assert_eq!((page.len(), total), (1, 1));
    assert_eq!(page[0].email, "tiga_100%@x.go.id");
    // Case-insensitive, and LIKE's wildcards in the query are taken literally.
    let (_, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::All, Some("PEGAWAI")))).unwrap();
    assert_eq!(total, 3);
    let (_, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::All, Some("_100%")))).unwrap();
    assert_eq!(total, 1);
    let (_, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::All, Some("%")))).unwrap();
    assert_eq!(total, 1);
    let (_, total) = db.read(|c| accounts::list_users(c, &filter(HrScope::All, Some("19870101")))).unwrap();
    assert_eq!(total, 1);
});

both_backends!(fn import_is_all_or_nothing_unless_skipping(t: &TestDb) {
    let db = &t.db;
    let dinkes = db.write(|c| accounts::create_opd(c, "Dinas Kesehatan", None)).unwrap();
    db.write(|c| accounts::create_opd(c, "Dinas Sosial", None)).unwrap();
    db.write(|c| accounts::create_user(c, &new_user("199002022018011003", "ada@x.go.id", None))).unwrap();
    let csv = "nip,nama,email,opd,jabatan,jenis\n\
        198609262015051001,Budi,budi@x.go.id,Dinas Kesehatan,Perawat,PNS\n\
        198701012010012002,Siti,siti@x.go.id,Dinas Pariwisata,Staf,PNS\n\
        199002022018011003,Ani,ani@x.go.id,Dinas Sosial,Staf,PPPK\n\
        199105052019032004,Rina,rina@x.go.id,dinas sosial,Staf,PPPK\n";
    let (rows, parse_problems) = parse_user_csv(csv.as_bytes());
    assert!(parse_problems.is_empty());
    let all = HrScope::All;
    let refused = db.write(|c| accounts::import_users(c, &rows, ImportOptions { skip_invalid: false, scope: &all, parse_problems: vec![], dry_run: false })).unwrap();
    let problems = refused.unwrap_err();
    let got: Vec<(u64, &str)> = problems.iter().map(|p| (p.row, p.code.as_str())).collect();
    assert_eq!(got, vec![(3, "unknown_opd"), (4, "duplicate_nip")]);
    let count = |db: &lentera_storage::Db| db.read(|c| accounts::list_users(c, &UserFilter { q: None, opd: None, role: None, active: None, scope: HrScope::All, offset: 0, limit: 100 })).unwrap().1;
    assert_eq!(count(db), 1, "nothing written when the file has problems");

    // A scoped officer may only import into their own OPD.
    let scoped = HrScope::Opds(vec![dinkes.id]);
    let outcome = db.write(|c| accounts::import_users(c, &rows, ImportOptions { skip_invalid: true, scope: &scoped, parse_problems: vec![], dry_run: false })).unwrap().unwrap();
    assert_eq!((outcome.created, outcome.skipped), (1, 3));
    assert!(outcome.problems.iter().any(|p| p.row == 5 && p.code == "opd_out_of_scope"));
    assert_eq!(count(db), 2);
});
