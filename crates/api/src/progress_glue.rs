//! Keeping stored progress in step with course versions: after a new version is imported, each
//! enrolment's state is rebased onto the new outline (completed lessons that still exist stay
//! completed, removed ones are archived, a completed enrolment stays completed).

use lentera_progress::EnrolmentState;
use lentera_storage::courses;
use lentera_storage::{AnyConnection, StorageError};

pub fn rebase_enrolments(conn: &mut AnyConnection, course_id: &str) -> Result<(), StorageError> {
    let Some(previous) = courses::previous_version(conn, course_id)? else { return Ok(()) };
    let current = courses::course_ref_by_id(conn, course_id)?.current_version_id.ok_or(StorageError::NotFound)?;
    let (old_outline, _) = courses::outline(conn, &previous)?;
    let (new_outline, new_rules) = courses::outline(conn, &current)?;
    for (enrolment_id, state_json) in courses::enrolment_states(conn, course_id)? {
        let state: EnrolmentState = if state_json.trim() == "{}" || state_json.is_empty() {
            continue;
        } else {
            serde_json::from_str(&state_json).map_err(|e| StorageError::Corrupt(format!("enrolment state: {e}")))?
        };
        let rebased = lentera_progress::rebase(state, &old_outline, &new_outline, &new_rules)
            .map_err(|e| StorageError::Corrupt(format!("rebase: {e}")))?;
        courses::store_enrolment_state(conn, &enrolment_id, &rebased)?;
    }
    Ok(())
}
