//! The one schema, written for both backends with portable column types: ids are UUIDs as text,
//! times are UTC `TIMESTAMP`s, booleans are `BOOLEAN` (an integer in SQLite).

diesel::table! {
    opds (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        nip -> Nullable<Text>,
        name -> Text,
        email -> Text,
        opd_id -> Nullable<Text>,
        jabatan -> Text,
        employment_type -> Nullable<Text>,
        language -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_roles (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        opd_id -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(users -> opds (opd_id));
diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::table! {
    courses (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        summary -> Text,
        category -> Text,
        level -> Text,
        language -> Text,
        jp_hundredths -> BigInt,
        duration_minutes -> Integer,
        tags -> Text,
        cover_sha256 -> Nullable<Text>,
        visibility -> Text,
        self_enrol -> Bool,
        completion -> Text,
        search_text -> Text,
        current_version_id -> Nullable<Text>,
        lesson_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_versions (id) {
        id -> Text,
        course_id -> Text,
        number -> Integer,
        fingerprint -> Text,
        manifest -> Text,
        source -> Text,
        imported_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    course_instructors (course_id, user_id) {
        course_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    course_modules (id) {
        id -> Text,
        version_id -> Text,
        module_key -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        position -> Integer,
    }
}

diesel::table! {
    lessons (id) {
        id -> Text,
        version_id -> Text,
        module_id -> Text,
        lesson_key -> Text,
        title -> Text,
        required -> Bool,
        duration_minutes -> Nullable<Integer>,
        position -> Integer,
        path -> Text,
        markdown -> Text,
        html -> Text,
        toc -> Text,
        reading_minutes -> Integer,
        word_count -> Integer,
        content_hash -> Text,
    }
}

diesel::table! {
    version_files (version_id, path) {
        version_id -> Text,
        path -> Text,
        sha256 -> Text,
    }
}

diesel::table! {
    enrolments (id) {
        id -> Text,
        course_id -> Text,
        user_id -> Text,
        status -> Text,
        required -> Bool,
        due_at -> Nullable<Timestamp>,
        enrolled_by -> Nullable<Text>,
        enrolled_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        percent_complete -> Integer,
        last_lesson_key -> Nullable<Text>,
        last_activity_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        state -> Text,
        score_percent -> Nullable<Double>,
    }
}

diesel::table! {
    assets (sha256) {
        sha256 -> Text,
        media_type -> Text,
        size -> BigInt,
        data -> Binary,
        created_at -> Timestamp,
    }
}

diesel::joinable!(course_versions -> courses (course_id));
diesel::joinable!(lessons -> course_versions (version_id));
diesel::joinable!(lessons -> course_modules (module_id));
diesel::joinable!(enrolments -> courses (course_id));
diesel::joinable!(enrolments -> users (user_id));
diesel::joinable!(course_instructors -> courses (course_id));
diesel::allow_tables_to_appear_in_same_query!(
    opds, users, user_roles, refresh_tokens,
    courses, course_versions, course_instructors, course_modules, lessons, version_files, enrolments, assets,
    mentorships
);

diesel::table! {
    mentorships (id) {
        id -> Text,
        mentor_id -> Text,
        mentee_id -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}
