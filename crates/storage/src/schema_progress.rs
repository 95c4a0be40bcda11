//! The progress tables (migration `2026-11-27-000004_progress`), with the same portable column
//! types as `schema.rs`: ids as text, UTC `TIMESTAMP`s, calendar dates as `DATE`, JSON as text.

use crate::schema::{courses, enrolments, opds, users};

diesel::table! {
    progress_events (user_id, client_id) {
        user_id -> Text,
        client_id -> Text,
        course_id -> Text,
        kind -> Text,
        payload -> Text,
        occurred_at -> Timestamp,
        received_at -> Timestamp,
    }
}

diesel::table! {
    jp_ledger (id) {
        id -> Text,
        user_id -> Text,
        course_id -> Text,
        enrolment_id -> Text,
        title -> Text,
        jp_hundredths -> BigInt,
        completed_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    proof_files (id) {
        id -> Text,
        user_id -> Text,
        file_name -> Text,
        media_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        data -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    external_trainings (id) {
        id -> Text,
        user_id -> Text,
        form -> Text,
        title -> Text,
        provider -> Text,
        start_date -> Date,
        end_date -> Date,
        abroad -> Bool,
        amount -> Text,
        suggested_jp_hundredths -> Nullable<BigInt>,
        claimed_jp_hundredths -> BigInt,
        jp_hundredths -> BigInt,
        certificate_number -> Nullable<Text>,
        proof_id -> Nullable<Text>,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    professional_certifications (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        issuer -> Text,
        number -> Text,
        issued_on -> Date,
        expires_on -> Nullable<Date>,
        proof_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificate_sequences (year) {
        year -> Integer,
        last_value -> Integer,
    }
}

diesel::table! {
    certificates (id) {
        id -> Text,
        enrolment_id -> Text,
        user_id -> Text,
        course_id -> Text,
        number -> Text,
        verification_code -> Text,
        learner_name -> Text,
        nip -> Nullable<Text>,
        course_title -> Text,
        jp_hundredths -> BigInt,
        completed_at -> Timestamp,
        issued_at -> Timestamp,
        revision -> Integer,
        pdf -> Nullable<Binary>,
        pdf_revision -> Nullable<Integer>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        max_attempts -> Integer,
        run_after -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        result -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    xapi_records (id) {
        id -> Text,
        user_id -> Text,
        course_id -> Text,
        verb -> Text,
        quiz_key -> Nullable<Text>,
        score_percent -> Nullable<Double>,
        event_client_id -> Text,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(progress_events -> users (user_id));
diesel::joinable!(jp_ledger -> users (user_id));
diesel::joinable!(jp_ledger -> enrolments (enrolment_id));
diesel::joinable!(external_trainings -> proof_files (proof_id));
diesel::joinable!(professional_certifications -> proof_files (proof_id));
diesel::joinable!(certificates -> courses (course_id));
diesel::joinable!(certificates -> enrolments (enrolment_id));
diesel::joinable!(xapi_records -> courses (course_id));
diesel::joinable!(external_trainings -> users (user_id));
diesel::joinable!(professional_certifications -> users (user_id));
diesel::joinable!(proof_files -> users (user_id));
diesel::joinable!(certificates -> users (user_id));
diesel::joinable!(xapi_records -> users (user_id));

// Only pairs that involve a progress table: the pairs among the older tables live in schema.rs.
diesel::allow_tables_to_appear_in_same_query!(
    progress_events,
    jp_ledger,
    proof_files,
    external_trainings,
    professional_certifications,
    certificate_sequences,
    certificates,
    jobs,
    xapi_records
);
diesel::allow_tables_to_appear_in_same_query!(progress_events, users);
diesel::allow_tables_to_appear_in_same_query!(progress_events, courses);
diesel::allow_tables_to_appear_in_same_query!(progress_events, enrolments);
diesel::allow_tables_to_appear_in_same_query!(jp_ledger, users);
diesel::allow_tables_to_appear_in_same_query!(jp_ledger, courses);
diesel::allow_tables_to_appear_in_same_query!(jp_ledger, enrolments);
diesel::allow_tables_to_appear_in_same_query!(external_trainings, users);
diesel::allow_tables_to_appear_in_same_query!(external_trainings, opds);
diesel::allow_tables_to_appear_in_same_query!(professional_certifications, users);
diesel::allow_tables_to_appear_in_same_query!(professional_certifications, opds);
diesel::allow_tables_to_appear_in_same_query!(proof_files, users);
diesel::allow_tables_to_appear_in_same_query!(certificates, users);
diesel::allow_tables_to_appear_in_same_query!(certificates, courses);
diesel::allow_tables_to_appear_in_same_query!(certificates, enrolments);
diesel::allow_tables_to_appear_in_same_query!(certificates, opds);
diesel::allow_tables_to_appear_in_same_query!(xapi_records, users);
diesel::allow_tables_to_appear_in_same_query!(xapi_records, courses);
diesel::allow_tables_to_appear_in_same_query!(xapi_records, opds);
