//! Item analysis in the manner of Moodle's quiz statistics report: how hard each question was,
//! how well it separates stronger from weaker learners, which options were chosen, and how
//! consistent the test is as a whole.
//!
//! Only submitted attempts with no grade pending are counted. Which attempts to pass in is the
//! caller's choice; Moodle's default is each learner's first attempt, which avoids counting
//! learners who retried after seeing the answers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::attempt::GradedAttempt;
use crate::bank::QuestionBank;
use crate::grade::{Response, normalise_text, parse_number};
use crate::ids::QuestionId;
use crate::model::{Question, QuestionKind};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuizStatistics {
    /// Attempts counted.
    pub attempts: usize,
    /// Mean of the attempts' percentages.
    pub mean_percent: Option<f64>,
    pub median_percent: Option<f64>,
    /// Sample standard deviation (n − 1) of the percentages; needs two attempts.
    pub standard_deviation: Option<f64>,
    /// Cronbach's alpha, the test's internal consistency. Defined only when every attempt had
    /// the same questions (no random draws), there are at least two questions and two attempts,
    /// and the total scores vary.
    pub cronbach_alpha: Option<f64>,
    /// In order of first appearance.
    pub questions: Vec<QuestionStatistics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionStatistics {
    pub question_id: QuestionId,
    /// Attempts that contained the question.
    pub attempts: usize,
    /// Mean score as a fraction of the maximum, 0..1 (Moodle shows it ×100). Low = hard.
    pub facility_index: Option<f64>,
    /// Sample standard deviation of the score fraction.
    pub standard_deviation: Option<f64>,
    /// Correlation, −1..1, between the score on this question and the score on the rest of the
    /// test (the corrected item–total correlation; Moodle shows it ×100). Near 0 or negative:
    /// the question does not tell stronger learners from weaker ones, or its key is wrong.
    /// `None` when either score does not vary.
    pub discrimination_index: Option<f64>,
    /// Attempts that left the question unanswered.
    pub no_response: usize,
    /// How often each option or answer was given. Choice questions list every option, even
    /// ones nobody chose (a distractor nobody picks is doing no work).
    pub responses: Vec<ResponseCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseCount {
    /// Option id, `true`/`false`, the normalised text typed, or `prompt=choice` for matching.
    pub key: String,
    /// Human-readable form of the response.
    pub label: String,
    /// Credit the response earns, when known (fraction, −1..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    pub count: usize,
}

/// Per-question and whole-test statistics from graded attempts. Questions missing from `bank`
/// still get score statistics, only without response counts.
pub fn item_analysis(attempts: &[GradedAttempt], bank: &QuestionBank) -> QuizStatistics {
    let counted: Vec<&GradedAttempt> = attempts
        .iter()
        .filter(|a| a.attempt.submitted_at.is_some() && a.grade.complete)
        .collect();

    let percents: Vec<f64> = counted.iter().map(|a| a.grade.percent).collect();

    // Question order of first appearance, and per question the (score fraction, rest fraction,
    // points) of each attempt that had it.
    let mut order: Vec<QuestionId> = Vec::new();
    let mut samples: BTreeMap<QuestionId, Vec<Sample>> = BTreeMap::new();
    for a in &counted {
        for slot in &a.grade.questions {
            let g = &slot.grade;
            if g.max_points <= 0.0 {
                continue;
            }
            let rest_max = a.grade.max_points - g.max_points;
            let rest = if rest_max > 0.0 {
                Some(((a.grade.points - g.points) / rest_max).clamp(0.0, 1.0))
            } else {
                None
            };
            if !samples.contains_key(&slot.question_id) {
                order.push(slot.question_id.clone());
            }
            samples
                .entry(slot.question_id.clone())
                .or_default()
                .push(Sample {
                    fraction: g.fraction(),
                    rest,
                    points: g.points,
                });
        }
    }

    let questions = order
        .iter()
        .map(|id| {
            let s = samples.get(id).map(Vec::as_slice).unwrap_or_default();
            let fractions: Vec<f64> = s.iter().map(|x| x.fraction).collect();
            let paired: Vec<(f64, f64)> = s
                .iter()
                .filter_map(|x| x.rest.map(|r| (x.fraction, r)))
                .collect();
            let (no_response, responses) = match bank.get(id) {
                Some(q) => response_counts(q, &counted),
                None => (0, Vec::new()),
            };
            QuestionStatistics {
                question_id: id.clone(),
                attempts: s.len(),
                facility_index: mean(&fractions),
                standard_deviation: sample_sd(&fractions),
                discrimination_index: correlation(&paired),
                no_response,
                responses,
            }
        })
        .collect();

    QuizStatistics {
        attempts: counted.len(),
        mean_percent: mean(&percents),
        median_percent: median(&percents),
        standard_deviation: sample_sd(&percents),
        cronbach_alpha: cronbach_alpha(&counted, &samples, &order),
        questions,
    }
}

struct Sample {
    fraction: f64,
    rest: Option<f64>,
    points: f64,
}

fn cronbach_alpha(
    counted: &[&GradedAttempt],
    samples: &BTreeMap<QuestionId, Vec<Sample>>,
    order: &[QuestionId],
) -> Option<f64> {
    let n = counted.len();
    let k = order.len();
    if n < 2 || k < 2 {
        return None;
    }
    // Every attempt must hold exactly the same scored questions.
    let same_set = samples.values().all(|s| s.len() == n)
        && counted.iter().all(|a| {
            a.grade
                .questions
                .iter()
                .filter(|q| q.grade.max_points > 0.0)
                .count()
                == k
        });
    if !same_set {
        return None;
    }
    let item_variances: f64 = order
        .iter()
        .map(|id| {
            let points: Vec<f64> = samples
                .get(id)
                .map(|s| s.iter().map(|x| x.points).collect())
                .unwrap_or_default();
            sample_variance(&points).unwrap_or(0.0)
        })
        .sum();
    let totals: Vec<f64> = counted.iter().map(|a| a.grade.points).collect();
    let total_variance = sample_variance(&totals)?;
    if total_variance <= f64::EPSILON {
        return None;
    }
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - item_variances / total_variance))
}

fn response_counts(
    question: &Question,
    attempts: &[&GradedAttempt],
) -> (usize, Vec<ResponseCount>) {
    let responses: Vec<Option<&Response>> = attempts
        .iter()
        .filter(|a| a.attempt.plan.slot(&question.id).is_some())
        .map(|a| a.attempt.responses.get(&question.id))
        .collect();
    let no_response = responses.iter().filter(|r| r.is_none()).count();
    let given = responses.into_iter().flatten();
    let counts = match &question.kind {
        QuestionKind::SingleChoice { choices, .. }
        | QuestionKind::MultipleResponse { choices, .. } => {
            let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
            for r in given {
                let chosen: BTreeSet<&str> = match r {
                    Response::SingleChoice { option } => [option.as_str()].into(),
                    Response::MultipleResponse { options } => {
                        options.iter().map(|o| o.as_str()).collect()
                    }
                    _ => BTreeSet::new(),
                };
                for c in chosen {
                    *tally.entry(c).or_default() += 1;
                }
            }
            choices
                .iter()
                .map(|c| ResponseCount {
                    key: c.id.to_string(),
                    label: c.text.clone(),
                    weight: Some(c.weight),
                    count: tally.get(c.id.as_str()).copied().unwrap_or(0),
                })
                .collect()
        }
        QuestionKind::TrueFalse { correct, .. } => {
            let (mut yes, mut no) = (0, 0);
            for r in given {
                match r {
                    Response::TrueFalse { value: true } => yes += 1,
                    Response::TrueFalse { value: false } => no += 1,
                    _ => {}
                }
            }
            let w = |v: bool| Some(if v == *correct { 1.0 } else { 0.0 });
            vec![
                ResponseCount {
                    key: "true".into(),
                    label: "Benar / True".into(),
                    weight: w(true),
                    count: yes,
                },
                ResponseCount {
                    key: "false".into(),
                    label: "Salah / False".into(),
                    weight: w(false),
                    count: no,
                },
            ]
        }
        QuestionKind::ShortAnswer {
            answers,
            case_sensitive,
            normalise_whitespace,
        } => {
            let norm = |t: &str| normalise_text(t, *case_sensitive, *normalise_whitespace);
            tally_by(given.filter_map(|r| match r {
                Response::ShortAnswer { text } => {
                    let key = norm(text);
                    let weight = answers
                        .iter()
                        .filter(|a| norm(&a.text) == key)
                        .map(|a| a.weight)
                        .reduce(f64::max);
                    Some((key.clone(), key, Some(weight.unwrap_or(0.0))))
                }
                _ => None,
            }))
        }
        QuestionKind::Numeric { answers, .. } => tally_by(given.filter_map(|r| match r {
            Response::Numeric { input } => {
                let value = parse_number(input);
                let key = value.map_or_else(|| input.trim().to_string(), |v| format!("{v}"));
                let weight = value.map(|v| {
                    answers
                        .iter()
                        .filter(|a| a.value.accepts(v))
                        .map(|a| a.weight)
                        .reduce(f64::max)
                        .unwrap_or(0.0)
                });
                Some((key.clone(), key, weight))
            }
            _ => None,
        })),
        QuestionKind::Matching { pairs, choices, .. } => {
            let text = |id: &crate::ids::OptionId| {
                choices
                    .iter()
                    .find(|c| c.id == *id)
                    .map_or_else(|| id.to_string(), |c| c.text.clone())
            };
            tally_by(given.flat_map(|r| {
                match r {
                    Response::Matching { pairs: answered } => pairs
                        .iter()
                        .filter_map(|p| {
                            answered.get(&p.id).map(|c| {
                                (
                                    format!("{}={}", p.id, c),
                                    format!("{} → {}", p.prompt, text(c)),
                                    Some(if *c == p.answer { 1.0 } else { 0.0 }),
                                )
                            })
                        })
                        .collect::<Vec<_>>(),
                    _ => Vec::new(),
                }
            }))
        }
        QuestionKind::Ordering { items, .. } => tally_by(given.filter_map(|r| match r {
            Response::Ordering { order } => {
                let key = order
                    .iter()
                    .map(|o| o.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let label = order
                    .iter()
                    .map(|o| {
                        items
                            .iter()
                            .find(|i| i.id == *o)
                            .map_or(o.as_str(), |i| i.text.as_str())
                    })
                    .collect::<Vec<_>>()
                    .join(" → ");
                Some((key, label, None))
            }
            _ => None,
        })),
        QuestionKind::Essay { .. } | QuestionKind::Description => Vec::new(),
    };
    (no_response, counts)
}

/// Counts identical keys; most frequent first, then by key.
fn tally_by(items: impl Iterator<Item = (String, String, Option<f64>)>) -> Vec<ResponseCount> {
    let mut map: BTreeMap<String, ResponseCount> = BTreeMap::new();
    for (key, label, weight) in items {
        map.entry(key.clone())
            .or_insert(ResponseCount {
                key,
                label,
                weight,
                count: 0,
            })
            .count += 1;
    }
    let mut out: Vec<ResponseCount> = map.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

fn sample_variance(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    Some(xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64)
}

fn sample_sd(xs: &[f64]) -> Option<f64> {
    sample_variance(xs).map(f64::sqrt)
}

/// Pearson correlation; `None` with fewer than two pairs or when either side is constant.
fn correlation(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    if sxx <= 1e-12 || syy <= 1e-12 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::attempt::{Attempt, build_attempt};
    use crate::ids::OptionId;
    use crate::model::{Choice, TextFormat};
    use crate::spec::QuizSpec;
    use chrono::{TimeZone, Utc};

    fn mc(id: &str) -> Question {
        let choice = |c: &str, w: f64| Choice {
            id: OptionId::new(c),
            text: format!("{id}-{c}"),
            weight: w,
            feedback: None,
        };
        Question {
            id: QuestionId::new(id),
            title: id.into(),
            text: "?".into(),
            text_format: TextFormat::Markdown,
            default_points: 1.0,
            category: None,
            tags: vec![],
            general_feedback: None,
            kind: QuestionKind::SingleChoice {
                choices: vec![
                    choice("right", 1.0),
                    choice("wrong1", 0.0),
                    choice("wrong2", 0.0),
                ],
                shuffle: true,
            },
            source_line: None,
        }
    }

    /// Five learners, three one-point questions (1 = right, 0 = wrong):
    ///
    /// ```text
    ///            Q1 Q2 Q3  total  percent
    /// learner 1   1  1  1    3    100
    /// learner 2   1  1  0    2     66.67
    /// learner 3   1  0  1    2     66.67
    /// learner 4   0  1  0    1     33.33
    /// learner 5   0  0  0    0      0
    /// ```
    ///
    /// By hand:
    /// - mean percent = (100 + 66.67 + 66.67 + 33.33 + 0) / 5 = 53.33; median = 66.67;
    ///   sample SD: deviations 46.67, 13.33, 13.33, −20, −53.33; squares sum to 5777.78;
    ///   / 4 = 1444.44; √ = 38.006.
    /// - facility: Q1 = 3/5 = 0.6, Q2 = 0.6, Q3 = 2/5 = 0.4.
    /// - discrimination of Q1: x = (1,1,1,0,0); rest of test as a fraction of its 2 points
    ///   y = (1, .5, .5, .5, 0). Means .6 and .5; deviations dx = (.4,.4,.4,−.6,−.6),
    ///   dy = (.5,0,0,0,−.5); Σdxdy = .2 + .3 = .5; Σdx² = 1.2; Σdy² = .5;
    ///   r = .5 / √(1.2 × .5) = .5 / √.6 = 0.6455.
    /// - Q2: x = (1,1,0,1,0), y = (1,.5,1,0,0): Σdxdy = .4×.5 + .4×0 + (−.6)(.5) + .4(−.5) + (−.6)(−.5)
    ///   = .2 − .3 − .2 + .3 = 0 → r = 0.
    /// - Q3: x = (1,0,1,0,0), y = (1,1,.5,.5,0): means .4, .6;
    ///   Σdxdy = .6×.4 − .4×.4 − .6×.1 + .4×.1 + .4×.6 = .24 − .16 − .06 + .04 + .24 = .3;
    ///   Σdx² = 1.2; Σdy² = .7; r = .3 / √.84 = 0.3273.
    /// - Cronbach's alpha: item variances (n − 1) are each 1.2 / 4 = 0.3, total 0.9; totals
    ///   (3,2,2,1,0) have mean 1.6 and variance (1.96+.16+.16+.36+2.56)/4 = 1.3;
    ///   alpha = 3/2 × (1 − 0.9/1.3) = 0.4615.
    #[test]
    fn hand_computed_example() {
        let bank = QuestionBank::new(vec![mc("q1"), mc("q2"), mc("q3")]).unwrap();
        let spec = QuizSpec::simple("k", "k", vec!["q1".into(), "q2".into(), "q3".into()]);
        let plan = build_attempt(&spec, &bank, 1).unwrap();
        let table = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]];
        let attempts: Vec<GradedAttempt> = table
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let t = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
                let mut a = Attempt::new(1, plan.clone(), t);
                a.submitted_at = Some(t);
                for (q, right) in row.iter().enumerate() {
                    // Learner 5 leaves Q3 blank; the others pick an option.
                    if i == 4 && q == 2 {
                        continue;
                    }
                    let option = if *right == 1 { "right" } else { "wrong1" };
                    a.responses.insert(
                        format!("q{}", q + 1).as_str().into(),
                        Response::SingleChoice {
                            option: option.into(),
                        },
                    );
                }
                GradedAttempt::grade(a, &bank).unwrap()
            })
            .collect();
        let s = item_analysis(&attempts, &bank);
        let close = |a: Option<f64>, b: f64| assert!((a.unwrap() - b).abs() < 1e-3, "{a:?} != {b}");
        assert_eq!(s.attempts, 5);
        close(s.mean_percent, 53.333);
        close(s.median_percent, 66.667);
        close(s.standard_deviation, 38.006);
        close(s.cronbach_alpha, 0.4615);
        let q = |i: usize| &s.questions[i];
        close(q(0).facility_index, 0.6);
        close(q(1).facility_index, 0.6);
        close(q(2).facility_index, 0.4);
        close(q(0).discrimination_index, 0.6455);
        close(q(1).discrimination_index, 0.0);
        close(q(2).discrimination_index, 0.3273);
        // Distractors of Q3: right ×2, wrong1 ×2, wrong2 never chosen, one blank.
        let counts: Vec<(&str, usize)> = q(2)
            .responses
            .iter()
            .map(|r| (r.key.as_str(), r.count))
            .collect();
        assert_eq!(counts, [("right", 2), ("wrong1", 2), ("wrong2", 0)]);
        assert_eq!(q(2).no_response, 1);
    }

    #[test]
    fn alpha_needs_the_same_questions_and_variation() {
        let bank = QuestionBank::new(vec![mc("q1"), mc("q2")]).unwrap();
        let t = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).unwrap();
        let make = |ids: Vec<&str>, right: bool| {
            let spec =
                QuizSpec::simple("k", "k", ids.iter().map(|i| QuestionId::new(*i)).collect());
            let mut a = Attempt::new(1, build_attempt(&spec, &bank, 1).unwrap(), t);
            a.submitted_at = Some(t);
            for id in ids {
                let option = if right { "right" } else { "wrong2" };
                a.responses.insert(
                    id.into(),
                    Response::SingleChoice {
                        option: option.into(),
                    },
                );
            }
            GradedAttempt::grade(a, &bank).unwrap()
        };
        let mixed = vec![
            make(vec!["q1", "q2"], true),
            make(vec!["q1"], false),
            make(vec!["q2"], true),
        ];
        let s = item_analysis(&mixed, &bank);
        assert_eq!(s.cronbach_alpha, None);
        let constant = vec![make(vec!["q1", "q2"], true), make(vec!["q1", "q2"], true)];
        let s = item_analysis(&constant, &bank);
        assert_eq!(
            (s.cronbach_alpha, s.questions[0].discrimination_index),
            (None, None)
        );
        assert_eq!(item_analysis(&[], &bank).mean_percent, None);
        // Unsubmitted attempts are ignored.
        let mut open = make(vec!["q1", "q2"], true);
        open.attempt.submitted_at = None;
        assert_eq!(item_analysis(&[open], &bank).attempts, 0);
    }
}
