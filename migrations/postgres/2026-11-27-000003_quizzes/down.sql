DROP TABLE quiz_attempts;
DROP TABLE bank_questions;
DROP TABLE quizzes;
