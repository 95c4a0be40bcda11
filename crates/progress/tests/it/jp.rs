use chrono::{TimeZone, Utc};
use lentera_progress::{
    Amount, Approval, ConversionError, DevelopmentForm as F, EntrySource, ExclusionReason, JAKARTA,
    Jp, JpPolicy, JpYear, Language, LedgerEntry, SourceKind, suggest_jp, year_summary,
};
use uuid::Uuid;

#[test]
fn the_year_is_decided_in_jakarta() {
    let late_utc = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
    assert_eq!(JpYear::of(late_utc, JAKARTA), JpYear(2027));
    assert_eq!(JpYear::of_jakarta(late_utc), JpYear(2027));
    assert_eq!(JpYear::of(late_utc, chrono_tz::UTC), JpYear(2026));
    let just_before = Utc.with_ymd_and_hms(2026, 12, 31, 16, 59, 59).unwrap();
    assert_eq!(JpYear::of_jakarta(just_before), JpYear(2026));
    // Papua (WIT, UTC+9) rolls over earlier.
    let wit = Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap();
    assert_eq!(JpYear::of(wit, chrono_tz::Asia::Jayapura), JpYear(2027));
}

#[test]
fn suggested_jp_follow_the_default_table() {
    let days = |d| Amount::Days { days: d };
    assert_eq!(
        suggest_jp(F::Seminar, days(2), false).unwrap(),
        Jp::whole(8)
    );
    assert_eq!(
        suggest_jp(F::Seminar, days(2), true).unwrap(),
        Jp::whole(12)
    );
    assert_eq!(
        suggest_jp(F::Workshop, days(3), false).unwrap(),
        Jp::whole(15)
    );
    assert_eq!(
        suggest_jp(F::Workshop, days(1), true).unwrap(),
        Jp::whole(7)
    );
    let acts = |n| Amount::Activities { activities: n };
    assert_eq!(
        suggest_jp(F::Magang, acts(1), false).unwrap(),
        Jp::whole(20)
    );
    assert_eq!(
        suggest_jp(F::Detasering, acts(1), true).unwrap(),
        Jp::whole(20)
    );
    assert_eq!(
        suggest_jp(F::PertukaranPns, acts(1), false).unwrap(),
        Jp::whole(20)
    );
    assert_eq!(
        suggest_jp(F::PatokBanding, acts(2), false).unwrap(),
        Jp::whole(20)
    );
    let sessions = |s, m| Amount::Sessions {
        sessions: s,
        months: m,
    };
    assert_eq!(
        suggest_jp(F::Coaching, sessions(5, 1), false).unwrap(),
        Jp::whole(10)
    );
    assert_eq!(
        suggest_jp(F::Mentoring, sessions(3, 1), false).unwrap(),
        Jp::whole(6)
    );
    let stated = |jp| Amount::StatedJp { jp };
    assert_eq!(
        suggest_jp(F::DiklatTeknis, stated(Jp::whole(40)), false).unwrap(),
        Jp::whole(40)
    );
    assert_eq!(
        suggest_jp(F::DiklatTeknis, stated(Jp::whole(40)), true).unwrap(),
        Jp::whole(48)
    );
    assert_eq!(
        suggest_jp(F::Kursus, stated(Jp::halves(5)), true).unwrap(),
        Jp::whole(3)
    );
}

#[test]
fn suggested_jp_respect_the_caps() {
    let time = |minutes, days| Amount::Time { minutes, days };
    // E-learning: at most 3 JP a day. 10 hours over 2 days would be 13,5 JP; capped at 6.
    assert_eq!(
        suggest_jp(F::ELearning, time(600, 2), false).unwrap(),
        Jp::whole(6)
    );
    // Under the cap, actual time counts (90 min at 45 min/JP).
    assert_eq!(
        suggest_jp(F::ELearning, time(90, 1), false).unwrap(),
        Jp::whole(2)
    );
    // Self-study and communities of practice: at most 2 JP a day.
    assert_eq!(
        suggest_jp(F::BelajarMandiri, time(300, 1), false).unwrap(),
        Jp::whole(2)
    );
    assert_eq!(
        suggest_jp(F::KomunitasBelajar, time(300, 3), false).unwrap(),
        Jp::whole(6)
    );
    assert_eq!(
        suggest_jp(F::KomunitasBelajar, time(60, 3), false).unwrap(),
        Jp::whole(1)
    );
    // On-the-job guidance: 2 JP a session, at most 2 sessions a month.
    let sessions = |s, m| Amount::Sessions {
        sessions: s,
        months: m,
    };
    assert_eq!(
        suggest_jp(F::BimbinganDiTempatKerja, sessions(5, 1), false).unwrap(),
        Jp::whole(4)
    );
    assert_eq!(
        suggest_jp(F::BimbinganDiTempatKerja, sessions(5, 3), false).unwrap(),
        Jp::whole(10)
    );
    assert_eq!(
        suggest_jp(F::BimbinganDiTempatKerja, sessions(5, 0), false),
        Err(ConversionError::ZeroPeriod)
    );
    assert_eq!(
        suggest_jp(F::ELearning, time(60, 0), false),
        Err(ConversionError::ZeroPeriod)
    );
}

#[test]
fn the_wrong_unit_is_refused_not_guessed() {
    let err = suggest_jp(
        F::Seminar,
        Amount::Sessions {
            sessions: 2,
            months: 1,
        },
        false,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ConversionError::WrongUnit {
            form: F::Seminar,
            expected: "days"
        }
    ));
    assert!(suggest_jp(F::DiklatTeknis, Amount::Days { days: 3 }, false).is_err());
}

#[test]
fn an_admin_can_change_a_conversion() {
    let mut policy = JpPolicy {
        minutes_per_jp: 60,
        ..JpPolicy::default()
    };
    policy.conversions.insert(
        F::Seminar,
        lentera_progress::ConversionRule::PerDay {
            jp: Jp::whole(3),
            abroad_jp: Jp::whole(5),
        },
    );
    assert_eq!(
        policy
            .suggest_jp(F::Seminar, Amount::Days { days: 2 }, false)
            .unwrap(),
        Jp::whole(6)
    );
    assert_eq!(
        policy
            .suggest_jp(
                F::ELearning,
                Amount::Time {
                    minutes: 90,
                    days: 1
                },
                false
            )
            .unwrap(),
        Jp::halves(3)
    );
}

#[test]
fn forms_carry_their_siasn_ids_and_indonesian_names() {
    let all: Vec<_> = F::all().collect();
    assert_eq!(all.len(), 25);
    assert_eq!(F::DiklatStruktural.siasn_id(), 1);
    assert_eq!(F::KlasikalLainnya.siasn_id(), 13);
    assert_eq!(F::Coaching.siasn_id(), 14);
    assert_eq!(F::NonKlasikalLainnya.siasn_id(), 25);
    assert_eq!(
        F::BimbinganDiTempatKerja.name(Language::Id),
        "Bimbingan di Tempat Kerja"
    );
    assert_eq!(
        F::BimbinganDiTempatKerja.name(Language::En),
        "On-the-job guidance"
    );
    for f in all {
        assert_eq!(F::from_siasn_id(f.siasn_id()), Some(f));
    }
}

fn entry(n: u128, y: i32, m: u32, d: u32, jp: Jp, source: EntrySource) -> LedgerEntry {
    LedgerEntry {
        id: Uuid::from_u128(n),
        title: format!("Kegiatan {n}"),
        provider: "BKPSDM Kabupaten Batang Hari".into(),
        completed_at: Utc.with_ymd_and_hms(y, m, d, 3, 0, 0).unwrap(),
        jp,
        source,
    }
}

fn course() -> EntrySource {
    EntrySource::Course {
        course_id: "etika-asn".into(),
    }
}

fn external(approval: Approval) -> EntrySource {
    EntrySource::External {
        form: F::Seminar,
        approval,
        proof: Some("bukti/123.pdf".into()),
    }
}

#[test]
fn the_year_summary_counts_courses_and_approved_external_records() {
    let mut new_year = entry(6, 2026, 12, 31, Jp::whole(4), course());
    new_year.completed_at = Utc.with_ymd_and_hms(2026, 12, 31, 17, 30, 0).unwrap();
    let entries = vec![
        entry(1, 2026, 2, 1, Jp::whole(6), course()),
        entry(2, 2026, 3, 1, Jp::halves(5), course()),
        entry(3, 2026, 4, 1, Jp::whole(6), external(Approval::Approved)),
        entry(4, 2026, 5, 1, Jp::whole(8), external(Approval::Pending)),
        entry(5, 2026, 6, 1, Jp::whole(8), external(Approval::Rejected)),
        new_year,
        entry(7, 2025, 6, 1, Jp::whole(20), course()),
        entry(1, 2026, 2, 1, Jp::whole(6), course()),
    ];
    let summary = year_summary(&entries, JpYear(2026), &JpPolicy::default());
    assert_eq!(summary.by_source.courses, Jp::halves(17));
    assert_eq!(summary.by_source.external, Jp::whole(6));
    assert_eq!(summary.earned, Jp::halves(29));
    assert_eq!(summary.target, Jp::whole(20));
    assert_eq!(summary.remaining, Jp::halves(11));
    assert!(!summary.target_met());
    assert_eq!(summary.to_string(), "14,5 / 20 JP");
    assert_eq!(summary.label(Language::En), "14.5 / 20 JP");
    assert_eq!(summary.breakdown.len(), 6);
    let reasons: Vec<_> = summary
        .breakdown
        .iter()
        .map(|l| l.excluded_because)
        .collect();
    assert_eq!(
        reasons,
        vec![
            None,
            Some(ExclusionReason::Duplicate),
            None,
            None,
            Some(ExclusionReason::PendingApproval),
            Some(ExclusionReason::Rejected)
        ]
    );
    assert_eq!(summary.breakdown[3].source, SourceKind::External);

    let next = year_summary(&entries, JpYear(2027), &JpPolicy::default());
    assert_eq!(next.earned, Jp::whole(4));
    assert_eq!(next.to_string(), "4 / 20 JP");
}

#[test]
fn the_target_is_configurable_and_remaining_never_negative() {
    let policy = JpPolicy {
        yearly_target: Jp::whole(24),
        ..JpPolicy::default()
    };
    let entries = vec![entry(1, 2026, 2, 1, Jp::whole(30), course())];
    let summary = year_summary(&entries, JpYear(2026), &policy);
    assert!(summary.target_met());
    assert_eq!(summary.remaining, Jp::ZERO);
    assert_eq!(summary.to_string(), "30 / 24 JP");
}
