//! The programme and notification tables (migrations `2026-11-27-000005_programmes` and
//! `…-000006_notifications`), with the same portable column types as `schema.rs`: ids as text,
//! UTC `TIMESTAMP`s, JSON as text.

use crate::schema::{courses, enrolments, opds, users};

diesel::table! {
    programmes (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        jp_hundredths -> BigInt,
        electives_needed -> Integer,
        certificate -> Bool,
        owner_id -> Text,
        owner_opd_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programme_courses (programme_id, course_id) {
        programme_id -> Text,
        course_id -> Text,
        position -> Integer,
        required -> Bool,
    }
}

diesel::table! {
    cohorts (id) {
        id -> Text,
        programme_id -> Text,
        name -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        enrol_opens_at -> Timestamp,
        enrol_closes_at -> Timestamp,
        due_at -> Timestamp,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cohort_rules (id) {
        id -> Text,
        cohort_id -> Text,
        kind -> Text,
        value -> Text,
        within_opd_id -> Nullable<Text>,
        rule_key -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    cohort_members (cohort_id, user_id) {
        cohort_id -> Text,
        user_id -> Text,
        rule_id -> Nullable<Text>,
        assigned_by -> Nullable<Text>,
        assigned_at -> Timestamp,
        required_done -> Integer,
        electives_done -> Integer,
        percent -> Integer,
        completed_at -> Nullable<Timestamp>,
        certificate_id -> Nullable<Text>,
    }
}

diesel::table! {
    assignment_jobs (id) {
        id -> Text,
        cohort_id -> Text,
        status -> Text,
        requested_by -> Nullable<Text>,
        assigned -> Integer,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        heartbeat_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        subject_id -> Text,
        params -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        subject_id -> Text,
        params -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        recipient -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notification_settings (user_id, kind) {
        user_id -> Text,
        kind -> Text,
        email -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_templates (kind, language) {
        kind -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(programme_courses -> programmes (programme_id));
diesel::joinable!(programme_courses -> courses (course_id));
diesel::joinable!(cohorts -> programmes (programme_id));
diesel::joinable!(cohort_rules -> cohorts (cohort_id));
diesel::joinable!(cohort_members -> cohorts (cohort_id));
diesel::joinable!(cohort_members -> users (user_id));
diesel::joinable!(assignment_jobs -> cohorts (cohort_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(outbox -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    programmes,
    programme_courses,
    cohorts,
    cohort_rules,
    cohort_members,
    assignment_jobs,
    notifications,
    outbox,
    notification_settings,
    notification_templates,
    password_resets,
);
diesel::allow_tables_to_appear_in_same_query!(programmes, courses);
diesel::allow_tables_to_appear_in_same_query!(programme_courses, courses);
diesel::allow_tables_to_appear_in_same_query!(programme_courses, enrolments);
diesel::allow_tables_to_appear_in_same_query!(cohorts, courses);
diesel::allow_tables_to_appear_in_same_query!(cohort_members, users);
diesel::allow_tables_to_appear_in_same_query!(cohort_members, opds);
diesel::allow_tables_to_appear_in_same_query!(cohort_members, enrolments);
diesel::allow_tables_to_appear_in_same_query!(cohorts, users);
diesel::allow_tables_to_appear_in_same_query!(outbox, users);
diesel::allow_tables_to_appear_in_same_query!(notifications, users);
diesel::allow_tables_to_appear_in_same_query!(programmes, users);
diesel::allow_tables_to_appear_in_same_query!(cohort_rules, users);
