//! Progress rules for Lentera: which learning events are accepted, how they fold into an
//! enrolment's state, when a course counts as complete, how JP (jam pelajaran) add up over a
//! year, how certificate numbers and verification codes look, and how completions are exported
//! as xAPI statements.
//!
//! **Architecture Invariant:** this crate knows nothing of diesel, actix-web, files, the network
//! or the clock: it takes plain values (including "now") and returns plain values, so every rule
//! here is unit-tested without a server or a database. Storage persists what these functions
//! return; the API calls them.

mod codes;
mod completion;
mod event;
mod jp;
mod lang;
#[cfg(feature = "openapi")]
mod openapi;
mod outline;
mod state;
mod xapi;

pub use codes::{
    CertificateNumber, CertificateNumberError, VerificationCode, VerificationCodeError, mask_nip,
};
pub use completion::{CompletionRules, CompletionVerdict, Missing, RequiredLessons, evaluate};
pub use event::{
    EventKind, EventLimits, LearningEvent, Rejection, RejectionCode, validate, validate_with,
};
pub use jp::{
    Amount, Approval, BreakdownLine, ConversionError, ConversionRule, DevelopmentForm, EntrySource,
    ExclusionReason, FormCategory, JAKARTA, Jp, JpError, JpPolicy, JpYear, LedgerEntry, SourceKind,
    SourceTotals, YearSummary, suggest_jp, year_summary,
};
pub use lang::Language;
pub use outline::{CourseOutline, OutlineLesson};
pub use state::{
    EnrolmentState, EnrolmentStatus, LessonMark, PositionMark, RebaseError, TimeEntry, apply,
    rebase, submit_feedback,
};
pub use xapi::{
    XapiAccount, XapiActivity, XapiActor, XapiAgent, XapiConfig, XapiContext,
    XapiContextActivities, XapiDefinition, XapiObject, XapiOutcome, XapiParent, XapiResult,
    XapiScore, XapiStatement, XapiVerb, statement, statement_id,
};
