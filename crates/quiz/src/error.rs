//! Errors of the quiz engine. Parsers do not use these: they report [`crate::Problem`]s with
//! line numbers and keep going.

use serde::{Deserialize, Serialize};

use crate::ids::QuestionId;

/// Serialised as `{"code": "unknown_question", "detail": ...}` so an API can pass it on.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum QuizError {
    #[error("question `{0}` is not in the question bank")]
    UnknownQuestion(QuestionId),

    #[error("question id `{0}` is used by more than one question")]
    DuplicateQuestionId(QuestionId),

    #[error("question `{id}` is invalid: {reason}")]
    InvalidQuestion { id: QuestionId, reason: String },

    #[error(
        "category `{category}` has {available} unused question(s), but {wanted} are to be drawn"
    )]
    NotEnoughQuestions {
        category: String,
        wanted: u32,
        available: usize,
    },

    #[error("question `{0}` appears more than once in the quiz")]
    QuestionRepeated(QuestionId),

    #[error("question `{0}` is not part of this attempt")]
    NotInAttempt(QuestionId),

    #[error("{points} points is outside 0..={max_points} for question `{question_id}`")]
    InvalidManualGrade {
        question_id: QuestionId,
        points: f64,
        max_points: f64,
    },

    #[error("invalid quiz settings: {0}")]
    InvalidSpec(String),
}
