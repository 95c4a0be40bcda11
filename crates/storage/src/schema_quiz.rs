//! The quiz tables (migration `2026-11-27-000003_quizzes`), with the same portable column types
//! as `schema.rs`: ids as text, UTC `TIMESTAMP`s, JSON as text (the quiz engine's serde types).

use crate::schema::{course_versions, courses, users};

diesel::table! {
    quizzes (id) {
        id -> Text,
        course_id -> Text,
        version_id -> Text,
        quiz_key -> Text,
        title -> Text,
        role -> Text,
        origin -> Text,
        source_path -> Nullable<Text>,
        format -> Text,
        spec -> Text,
        intro -> Nullable<Text>,
        questions -> Text,
        question_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    bank_questions (id) {
        id -> Text,
        course_id -> Text,
        question_key -> Text,
        category -> Nullable<Text>,
        kind -> Text,
        question -> Text,
        revision -> Integer,
        updated_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quiz_attempts (id) {
        id -> Text,
        quiz_id -> Text,
        course_id -> Text,
        quiz_key -> Text,
        user_id -> Text,
        number -> Integer,
        seed -> BigInt,
        time_limit_minutes -> Nullable<Integer>,
        responses -> Text,
        manual_grades -> Text,
        started_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Text>,
        grade -> Nullable<Text>,
        points -> Nullable<Double>,
        max_points -> Nullable<Double>,
        percent -> Nullable<Double>,
        pass_state -> Nullable<Text>,
        needs_grading -> Bool,
        regraded_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quiz_attempt_papers (attempt_id) {
        attempt_id -> Text,
        plan -> Text,
        questions -> Text,
    }
}

diesel::joinable!(quizzes -> courses (course_id));
diesel::joinable!(quiz_attempt_papers -> quiz_attempts (attempt_id));
diesel::joinable!(quizzes -> course_versions (version_id));
diesel::joinable!(bank_questions -> courses (course_id));
diesel::joinable!(quiz_attempts -> quizzes (quiz_id));
diesel::joinable!(quiz_attempts -> users (user_id));

// Only pairs that involve a quiz table: the pairs among the older tables live in schema.rs.
diesel::allow_tables_to_appear_in_same_query!(quizzes, bank_questions, quiz_attempts);
diesel::allow_tables_to_appear_in_same_query!(quizzes, courses);
diesel::allow_tables_to_appear_in_same_query!(quizzes, course_versions);
diesel::allow_tables_to_appear_in_same_query!(quizzes, users);
diesel::allow_tables_to_appear_in_same_query!(bank_questions, courses);
diesel::allow_tables_to_appear_in_same_query!(quiz_attempts, courses);
diesel::allow_tables_to_appear_in_same_query!(quiz_attempts, users);
diesel::allow_tables_to_appear_in_same_query!(quiz_attempts, course_versions);
diesel::allow_tables_to_appear_in_same_query!(quiz_attempt_papers, quiz_attempts);
diesel::allow_tables_to_appear_in_same_query!(quiz_attempt_papers, users);
