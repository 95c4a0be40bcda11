//! Notifications through the API, on both backends: the in-app list, e-mail settings, password
//! reset links (hashed, single-use, time-limited), template overrides and the admin's outbox.

use chrono::TimeDelta;
use lentera_accounts::{Language, Role, RoleGrant};
use lentera_programmes::NotificationKind;
use lentera_storage::notifications::{self as notes, Event};
use serde_json::json;

use crate::api_test;
use crate::support::*;

fn event(user: lentera_accounts::UserId, kind: NotificationKind, subject: &str) -> Event {
    Event { user, kind, subject_id: subject.into(), params: lentera_programmes::notify::sample_params(kind) }
}

/// The reset link's token, as the outbox holds it until the mail is out.
fn reset_token(t: &TestApp) -> Option<String> {
    let items = t.db().write(|c| notes::claim_outbox(c, "test", lentera_storage::now(), TimeDelta::seconds(1), 100)).unwrap();
    let link = items.iter().rev().find(|i| i.kind == NotificationKind::PasswordReset)?.params["link"].as_str()?.to_string();
    // Give the claim back so the next look finds it too.
    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    t.db().write(|c| notes::release(c, &ids, "test")).unwrap();
    link.split("token=").nth(1).map(str::to_string)
}

api_test!(async fn the_in_app_list_counts_unread_and_marks_read(t: &mut TestApp) {
    let me = t.user("saya@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let other = t.user("lain@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (token, _) = t.login("saya@x.go.id").await;
    let now = lentera_storage::now();
    t.db()
        .write(|c| {
            notes::notify_many(c, &[
                event(me, NotificationKind::ExternalTrainingApproved, "t1"),
                event(me, NotificationKind::CertificationExpiring, "c1"),
                event(other, NotificationKind::Overdue, "x"),
            ], now)
        })
        .unwrap();
    // The same event again is not a second notification.
    assert!(!t.db().write(|c| notes::notify(c, &event(me, NotificationKind::CertificationExpiring, "c1"), now)).unwrap());

    let list = t.get("/api/v1/me/notifications", Some(&token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!((list.body["total"].as_i64(), list.body["unread"].as_i64()), (Some(2), Some(2)));
    let first = &list.body["items"][0];
    assert_eq!(first["title"], "Sertifikasi Sertifikat Kompetensi Perawat berakhir 31 Januari 2027");
    assert_eq!(first["link"], "/certifications");
    let id = first["id"].as_str().unwrap().to_string();

    assert_eq!(t.post(&format!("/api/v1/me/notifications/{id}/read"), Some(&token), json!({})).await.status, 204);
    let list = t.get("/api/v1/me/notifications?unread=true", Some(&token)).await;
    assert_eq!((list.body["total"].as_i64(), list.body["unread"].as_i64()), (Some(1), Some(1)));
    assert_eq!(list.body["items"][0]["kind"], "external_training_approved");

    // Someone else's notification is not found.
    let (other_token, _) = t.login("lain@x.go.id").await;
    t.post(&format!("/api/v1/me/notifications/{id}/read"), Some(&other_token), json!({})).await.assert_problem(404, "not_found");
    let all = t.post("/api/v1/me/notifications/read-all", Some(&token), json!({})).await;
    assert_eq!(all.body["marked"], 1);
    assert_eq!(t.get("/api/v1/me/notifications", Some(&token)).await.body["unread"], 0);

    // In the user's language.
    let en = t.user("english@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    t.db()
        .write(|c| {
            lentera_storage::accounts::update_user(c, en, &lentera_storage::accounts::UserUpdate { language: Some(Language::En), ..Default::default() })
        })
        .unwrap();
    t.db().write(|c| notes::notify(c, &event(en, NotificationKind::Overdue, "y"), now)).unwrap();
    let (en_token, _) = t.login("english@x.go.id").await;
    let list = t.get("/api/v1/me/notifications", Some(&en_token)).await;
    assert_eq!(list.body["items"][0]["title"], "Overdue: Pelatihan Manajemen Pemerintahan was due on 15 April 2027");
});

api_test!(async fn users_turn_off_non_essential_e_mails_only(t: &mut TestApp) {
    t.user("saya@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (token, _) = t.login("saya@x.go.id").await;
    let s = t.get("/api/v1/me/notification-settings", Some(&token)).await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body["email"]["deadline_approaching"], true);
    assert!(s.body["essential"].as_array().unwrap().contains(&json!("password_reset")));

    let s = t.patch("/api/v1/me/notification-settings", Some(&token), json!({"email": {"deadline_approaching": false, "overdue": false}})).await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.body["email"]["deadline_approaching"], false);
    assert_eq!(s.body["email"]["course_completed"], true);
    t.patch("/api/v1/me/notification-settings", Some(&token), json!({"email": {"password_reset": false}}))
        .await
        .assert_problem(422, "notification_essential");
    t.patch("/api/v1/me/notification-settings", Some(&token), json!({"email": {"spam": false}}))
        .await
        .assert_problem(422, "unknown_notification_kind");
    let s = t.patch("/api/v1/me/notification-settings", Some(&token), json!({"email": {"overdue": true}})).await;
    assert_eq!((s.body["email"]["overdue"].as_bool(), s.body["email"]["deadline_approaching"].as_bool()), (Some(true), Some(false)));
    t.get("/api/v1/me/notification-settings", None).await.assert_problem(401, "missing_token");
});

api_test!(async fn a_password_reset_link_works_once_and_is_kept_only_as_a_hash(t: &mut TestApp) {
    t.user("lupa@x.go.id", Some("198609262015051001"), None, vec![RoleGrant::global(Role::Learner)]);
    let (_, old_refresh) = t.login("lupa@x.go.id").await;

    // Known or not, the answer is the same.
    for login in ["19860926 201505 1 001", "tidak-ada@x.go.id"] {
        let r = t.post("/api/v1/auth/password-reset", None, json!({"login": login})).await;
        assert_eq!(r.status, 202, "{}", r.body);
    }
    let (queued, _, _) = t.db().read(|c| notes::list_outbox(c, None, 0, 100)).unwrap();
    assert_eq!(queued.len(), 1, "one mail, to the account that exists");
    assert_eq!(queued[0].kind, "password_reset");
    // Asking again at once does not send a second mail.
    assert_eq!(t.post("/api/v1/auth/password-reset", None, json!({"login": "lupa@x.go.id"})).await.status, 202);
    assert_eq!(t.db().read(|c| notes::list_outbox(c, None, 0, 100)).unwrap().0.len(), 1);
    // The admin's view of the queue never shows the link.
    let admin = t.admin().await;
    let view = t.get("/api/v1/admin/outbox", Some(&admin)).await;
    assert!(!view.raw.windows(6).any(|w| w == b"token="), "{}", view.body);

    let token = reset_token(t).unwrap();
    // Only the hash is stored.
    assert!(t.db().read(|c| notes::spend_password_reset(c, &token, lentera_storage::now())).unwrap().is_none());

    t.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "pendek"}))
        .await
        .assert_problem(422, "password_too_short");
    let r = t.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "kata-sandi-baru-1"})).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = t.post("/api/v1/auth/login", None, json!({"login": "lupa@x.go.id", "password": "kata-sandi-baru-1"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Every earlier session has ended, and the link does not work twice.
    t.post("/api/v1/auth/refresh", None, json!({"refresh_token": old_refresh})).await.assert_problem(401, "refresh_invalid");
    t.post("/api/v1/auth/password-reset/confirm", None, json!({"token": token, "new_password": "kata-sandi-baru-2"}))
        .await
        .assert_problem(422, "reset_token_invalid");
    t.post("/api/v1/auth/password-reset/confirm", None, json!({"token": "tebakan", "new_password": "kata-sandi-baru-2"}))
        .await
        .assert_problem(422, "reset_token_invalid");

    // An expired link does not work either.
    let user = t.db().read(|c| lentera_storage::accounts::find_login(c, "lupa@x.go.id")).unwrap().unwrap().id;
    let now = lentera_storage::now();
    let hash = lentera_api::auth::token_hash("kedaluwarsa");
    t.db()
        .write(|c| notes::create_password_reset(c, user, &hash, "/reset-password?token=kedaluwarsa", now - TimeDelta::hours(2), now - TimeDelta::hours(1)))
        .unwrap();
    t.post("/api/v1/auth/password-reset/confirm", None, json!({"token": "kedaluwarsa", "new_password": "kata-sandi-baru-2"}))
        .await
        .assert_problem(422, "reset_token_invalid");
});

api_test!(async fn admins_override_templates_checked_before_they_are_kept(t: &mut TestApp) {
    let admin = t.admin().await;
    let me = t.user("saya@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (learner, _) = t.login("saya@x.go.id").await;
    let list = t.get("/api/v1/admin/notification-templates", Some(&admin)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().unwrap().len(), NotificationKind::ALL.len() * 2);
    t.get("/api/v1/admin/notification-templates", Some(&learner)).await.assert_problem(403, "forbidden");

    let path = "/api/v1/admin/notification-templates/overdue/id";
    let broken = json!({"subject": "Terlambat {{ programme }", "text": "x", "html": "<p>x</p>"});
    let r = t.send(actix_web::test::TestRequest::put().uri(path).insert_header(("authorization", format!("Bearer {admin}"))).set_json(&broken)).await;
    r.assert_problem(422, "template_invalid");
    assert_eq!(r.body["errors"][0]["part"], "subject");
    let unknown = json!({"subject": "Terlambat", "text": "{{ tidak_ada }}", "html": "<p>x</p>"});
    let r = t.send(actix_web::test::TestRequest::put().uri(path).insert_header(("authorization", format!("Bearer {admin}"))).set_json(&unknown)).await;
    r.assert_problem(422, "template_invalid");
    assert_eq!(r.body["errors"][0]["part"], "text");

    let good = json!({"subject": "SEGERA: {{ programme }} lewat tenggat", "text": "Halo {{ name }}, selesaikan {{ programme }}.", "html": "<p>Halo <b>{{ name }}</b></p>"});
    let r = t.send(actix_web::test::TestRequest::put().uri(path).insert_header(("authorization", format!("Bearer {admin}"))).set_json(&good)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["subject"], "SEGERA: Pelatihan Manajemen Pemerintahan lewat tenggat");
    assert!(r.body["html"].as_str().unwrap().contains("<b>Budi Santoso</b>"));

    t.db().write(|c| notes::notify(c, &event(me, NotificationKind::Overdue, "z"), lentera_storage::now())).unwrap();
    let inbox = t.get("/api/v1/me/notifications", Some(&learner)).await;
    assert_eq!(inbox.body["items"][0]["title"], "SEGERA: Pelatihan Manajemen Pemerintahan lewat tenggat");
    assert_eq!(inbox.body["items"][0]["body"], "Halo User saya@x.go.id, selesaikan Pelatihan Manajemen Pemerintahan.");

    let r = t.send(actix_web::test::TestRequest::delete().uri(path).insert_header(("authorization", format!("Bearer {admin}")))).await;
    assert_eq!(r.status, 204);
    let inbox = t.get("/api/v1/me/notifications", Some(&learner)).await;
    assert_eq!(inbox.body["items"][0]["title"], "Terlambat: batas waktu Pelatihan Manajemen Pemerintahan telah lewat");
    let r = t.send(actix_web::test::TestRequest::delete().uri(path).insert_header(("authorization", format!("Bearer {admin}")))).await;
    r.assert_problem(404, "not_found");
    let r = t.send(actix_web::test::TestRequest::delete().uri("/api/v1/admin/notification-templates/nope/id").insert_header(("authorization", format!("Bearer {admin}")))).await;
    r.assert_problem(404, "not_found");
});

api_test!(async fn admins_see_the_queue_and_its_failures(t: &mut TestApp) {
    let admin = t.admin().await;
    let me = t.user("saya@x.go.id", None, None, vec![RoleGrant::global(Role::Learner)]);
    let (learner, _) = t.login("saya@x.go.id").await;
    let now = lentera_storage::now();
    t.db()
        .write(|c| notes::notify_many(c, &[event(me, NotificationKind::Overdue, "a"), event(me, NotificationKind::CourseCompleted, "b")], now))
        .unwrap();
    let items = t.db().write(|c| notes::claim_outbox(c, "w1", now, TimeDelta::minutes(5), 10)).unwrap();
    assert_eq!(items.len(), 2);
    // A second worker finds nothing while the first holds them.
    assert!(t.db().write(|c| notes::claim_outbox(c, "w2", now, TimeDelta::minutes(5), 10)).unwrap().is_empty());
    t.db().write(|c| notes::mark_failed(c, &items[0].id, "w1", "550 mailbox unavailable", None)).unwrap();
    t.db().write(|c| notes::mark_sent(c, &items[1].id, "w1", "saya@x.go.id", now, false)).unwrap();

    let r = t.get("/api/v1/admin/outbox", Some(&admin)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["counts"]["failed"], 1);
    assert_eq!(r.body["counts"]["sent"], 1);
    let failed = t.get("/api/v1/admin/outbox?status=failed", Some(&admin)).await;
    assert_eq!(failed.body["total"], 1);
    assert_eq!(failed.body["items"][0]["last_error"], "550 mailbox unavailable");
    assert_eq!(failed.body["items"][0]["user_email"], "saya@x.go.id");
    t.get("/api/v1/admin/outbox?status=lost", Some(&admin)).await.assert_problem(400, "invalid_query");
    t.get("/api/v1/admin/outbox", Some(&learner)).await.assert_problem(403, "forbidden");

    // A failed message goes back in the queue; a sent one cannot.
    let id = failed.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(t.post(&format!("/api/v1/admin/outbox/{id}/retry"), Some(&admin), json!({})).await.status, 204);
    t.post(&format!("/api/v1/admin/outbox/{}/retry", items[1].id), Some(&admin), json!({})).await.assert_problem(409, "not_failed");
    t.post("/api/v1/admin/outbox/nope/retry", Some(&admin), json!({})).await.assert_problem(404, "not_found");
    let again = t.db().write(|c| notes::claim_outbox(c, "w2", lentera_storage::now(), TimeDelta::minutes(5), 10)).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
});
