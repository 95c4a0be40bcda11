//! Aiken files as instructors write them.

use lentera_quiz::{ProblemCode, QuestionKind, Response, grade, parse_aiken};

use crate::support::option_id;

#[test]
fn imports_a_typical_file_and_grades_by_option_id() {
    let src = "\
Siapa yang berwenang menetapkan formasi ASN daerah?
A. Bupati
B. Menteri PANRB
C. Kepala OPD
D. Camat
ANSWER: B

Berapa JP minimal pengembangan kompetensi PNS per tahun?
A) 10 JP
B) 20 JP
C) 40 JP
ANSWER: B
";
    let out = parse_aiken(src);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.questions.len(), 2);
    let q = &out.questions[1];
    assert_eq!(
        q.text,
        "Berapa JP minimal pengembangan kompetensi PNS per tahun?"
    );
    assert_eq!(q.source_line, Some(8));
    assert!(matches!(q.kind, QuestionKind::SingleChoice { .. }));
    assert_eq!(
        grade(
            q,
            &Response::SingleChoice {
                option: option_id(q, "20 JP")
            }
        )
        .points,
        1.0
    );
    assert_eq!(
        grade(
            q,
            &Response::SingleChoice {
                option: option_id(q, "10 JP")
            }
        )
        .points,
        0.0
    );
}

#[test]
fn errors_carry_line_numbers() {
    let out =
        parse_aiken("Soal tanpa kunci\nA. satu\nB. dua\n\nSoal berikut\nA. x\nB. y\nANSWER: E\n");
    let found: Vec<(u32, ProblemCode)> = out.problems.iter().map(|p| (p.line, p.code)).collect();
    assert_eq!(
        found,
        [
            (1, ProblemCode::MissingAnswer),
            (8, ProblemCode::AnswerNotAnOption)
        ]
    );
    assert!(
        out.problems[0].message.contains("line 5"),
        "{}",
        out.problems[0].message
    );
}
