use lentera_accounts::{Email, Language, Role, RoleGrant};
use lentera_storage::accounts::{self, NewUser};
use lentera_storage::tokens::{self, RefreshOutcome};
use lentera_storage::{both_backends, now};

both_backends!(fn refresh_tokens_rotate_and_reuse_revokes_the_family(t: &TestDb) {
    let db = &t.db;
    let user = db.write(|c| accounts::create_user(c, &NewUser {
        nip: None, name: "Admin".into(), email: Email::parse("admin@x.go.id").unwrap(), opd_id: None,
        jabatan: String::new(), employment_type: None, language: Language::Id, password_hash: None,
        roles: vec![RoleGrant::global(Role::Admin)],
    })).unwrap();
    let later = now() + chrono::TimeDelta::days(1);
    db.write(|c| tokens::insert_refresh(c, user, "fam", "h1", later)).unwrap();
    let first = db.write(|c| tokens::spend_refresh(c, "h1", chrono::TimeDelta::zero())).unwrap();
    assert_eq!(first, RefreshOutcome::Valid { user_id: user, family_id: "fam".into() });
    db.write(|c| tokens::insert_refresh(c, user, "fam", "h2", later)).unwrap();
    assert!(db.read(|c| tokens::family_alive(c, "fam")).unwrap());
    // h1 again: a replay. The family dies, h2 with it.
    assert_eq!(db.write(|c| tokens::spend_refresh(c, "h1", chrono::TimeDelta::zero())).unwrap(), RefreshOutcome::Reused { user_id: user });
    assert_eq!(db.write(|c| tokens::spend_refresh(c, "h2", chrono::TimeDelta::zero())).unwrap(), RefreshOutcome::Revoked);
    assert!(!db.read(|c| tokens::family_alive(c, "fam")).unwrap());
    assert_eq!(db.write(|c| tokens::spend_refresh(c, "nope", chrono::TimeDelta::zero())).unwrap(), RefreshOutcome::Unknown);

    let past = now() - chrono::TimeDelta::seconds(1);
    db.write(|c| tokens::insert_refresh(c, user, "old", "h3", past)).unwrap();
    assert_eq!(db.write(|c| tokens::spend_refresh(c, "h3", chrono::TimeDelta::zero())).unwrap(), RefreshOutcome::Expired);
});

both_backends!(fn a_token_spent_moments_ago_is_honoured_within_the_grace(t: &TestDb) {
    let db = &t.db;
    let user = db.write(|c| accounts::create_user(c, &NewUser {
        nip: None, name: "A".into(), email: Email::parse("a@x.go.id").unwrap(), opd_id: None,
        jabatan: String::new(), employment_type: None, language: Language::Id, password_hash: None,
        roles: vec![RoleGrant::global(Role::Learner)],
    })).unwrap();
    db.write(|c| tokens::insert_refresh(c, user, "fam", "g1", now() + chrono::TimeDelta::days(1))).unwrap();
    let grace = chrono::TimeDelta::seconds(30);
    assert!(matches!(db.write(|c| tokens::spend_refresh(c, "g1", grace)).unwrap(), RefreshOutcome::Valid { .. }));
    assert!(matches!(db.write(|c| tokens::spend_refresh(c, "g1", grace)).unwrap(), RefreshOutcome::Valid { .. }), "a reload racing its refresh keeps the session");
    assert!(db.read(|c| tokens::family_alive(c, "fam")).unwrap());
});
