//! Lentera's quiz engine: the question model, the learner's view of a question (with every
//! secret stripped), grading, attempts (random draws, time rules, pass marks, grading methods,
//! regrading, reviews), item analysis, and parsers for Moodle GIFT, Aiken and Lentera's Markdown
//! quiz format (`*.quiz.md`).
//!
//! **Architecture Invariant:** this crate is pure: it knows nothing of HTTP or SQL (no actix, no
//! diesel, no database) and does no I/O. It takes plain values and returns plain values, every
//! one of them serde-serialisable, so the storage crate can keep them as JSON and the API crate
//! can send them as they are. Randomness comes only from seeds the caller passes in.
//!
//! Parsers never fail and never panic: they return what they could read plus a list of
//! [`Problem`]s with line and column.

mod aiken;
mod attempt;
mod bank;
mod error;
mod gift;
mod grade;
mod ids;
mod learner;
mod markdown;
mod model;
mod problem;
mod rng;
mod spec;
mod stats;

pub use aiken::parse_aiken;
pub use attempt::{
    Attempt, AttemptGrade, AttemptPlan, AttemptReview, FinalGrade, GradedAttempt, ManualGrade,
    PassState, Regrade, RegradeChange, RegradeWarning, ReviewItem, Slot, SlotGrade, build_attempt,
    final_grade, grade_attempt, regrade_attempt, review_attempt,
};
pub use bank::{QuestionBank, normalise_category};
pub use error::QuizError;
pub use gift::parse_gift;
pub use grade::{
    Feedback, Grade, GradeState, Response, grade, grade_response, manual_grade, normalise_text,
    ordering_fraction, parse_number,
};
pub use ids::{OptionId, QuestionId, is_valid_id, slugify};
pub use learner::{LearnerKind, LearnerOption, LearnerQuestion, OptionShuffle};
pub use markdown::{QuizDocument, parse_quiz_markdown};
pub use model::{
    BLANK_MARKER, Choice, CorrectAnswer, MatchChoice, MatchPair, NumericAnswer, NumericValue,
    OrderItem, OrderingScoring, Question, QuestionKind, TextAnswer, TextFormat, build_matching,
    unique_option_id,
};
pub use problem::{ParseOutput, Problem, ProblemCode, Severity};
pub use spec::{
    GradingMethod, QuizRole, QuizSpec, ReviewLevel, ReviewMoment, ReviewPolicy, Section, deadline,
    is_submission_late,
};
pub use stats::{QuestionStatistics, QuizStatistics, ResponseCount, item_analysis};
