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
diesel::allow_tables_to_appear_in_same_query!(opds, users, user_roles, refresh_tokens);
