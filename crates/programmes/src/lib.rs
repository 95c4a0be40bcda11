//! Programmes, as plain rules: when is a programme complete, is a cohort's calendar sound, who does
//! an assignment rule reach and what may an hr officer assign, when is a deadline reminder due, how
//! long to wait before retrying a message, and what each notification says.
//!
//! **Architecture Invariant:** no diesel, no actix, no I/O and no clock: plain values in, plain
//! values out; the caller passes `now`. Storage applies these rules in SQL where it must (e.g.
//! matching a rule against ten thousand users) and tests check the two agree.

mod cohort;
mod completion;
pub mod notify;
mod rules;
mod schedule;

pub use cohort::{CohortDates, CohortError};
pub use completion::{
    CourseId, ProgrammeCourse, ProgrammeError, ProgrammeProgress, check_programme, default_jp_hundredths,
    programme_complete,
};
pub use notify::{NotificationKind, RenderInput, Rendered, Template, TemplateError};
pub use rules::{
    AssignTo, NipRow, Person, Rule, RuleKind, RuleTarget, ScopeError, normalise_position, parse_nip_list, parse_nips,
    scope_rules,
};
pub use schedule::{is_overdue, reminder_stage, retry_delay};
