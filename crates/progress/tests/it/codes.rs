use lentera_progress::{
    CertificateNumber, CertificateNumberError, VerificationCode, VerificationCodeError, mask_nip,
};
use rand::SeedableRng;

#[test]
fn nip_masking_shows_at_most_four_digits_at_each_end() {
    assert_eq!(mask_nip("198609262015051001"), "1986**********1001");
    assert_eq!(mask_nip("19860926 201505 1 001"), "1986**********1001");
    // Never more than half visible on short input.
    assert_eq!(mask_nip("12345678"), "12****78");
    assert_eq!(mask_nip("1234"), "1**4");
    assert_eq!(mask_nip("123"), "***");
    assert_eq!(mask_nip(""), "");
    for len in 0..40 {
        let s: String = (0..len)
            .map(|i| char::from(b'0' + (i % 10) as u8))
            .collect();
        let masked = mask_nip(&s);
        let visible = masked.chars().filter(|c| *c != '*').count();
        assert!(visible <= 8 && visible * 2 <= len, "{s} -> {masked}");
        assert_eq!(masked.chars().count(), len);
    }
}

#[test]
fn certificate_numbers_format_and_parse() {
    let n = CertificateNumber::new("LTR", 2026, 123).unwrap();
    assert_eq!(n.to_string(), "LTR/2026/000123");
    assert_eq!(CertificateNumber::parse("LTR/2026/000123").unwrap(), n);
    let long = CertificateNumber::new("800/BKPSDM-BH", 2026, 1_234_567).unwrap();
    assert_eq!(long.to_string(), "800/BKPSDM-BH/2026/1234567");
    let back = CertificateNumber::parse(&long.to_string()).unwrap();
    assert_eq!(
        (back.prefix(), back.year(), back.sequence()),
        ("800/BKPSDM-BH", 2026, 1_234_567)
    );
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"LTR/2026/000123\"");

    assert!(matches!(
        CertificateNumber::new("ltr", 2026, 1),
        Err(CertificateNumberError::InvalidPrefix(_))
    ));
    assert!(matches!(
        CertificateNumber::new("/LTR", 2026, 1),
        Err(CertificateNumberError::InvalidPrefix(_))
    ));
    assert!(matches!(
        CertificateNumber::new("LTR", 26, 1),
        Err(CertificateNumberError::InvalidYear(26))
    ));
    assert!(matches!(
        CertificateNumber::new("LTR", 2026, 0),
        Err(CertificateNumberError::ZeroSequence)
    ));
    for bad in [
        "LTR2026000123",
        "LTR/26/000123",
        "/2026/000001",
        "LTR/2026/12a",
    ] {
        assert!(CertificateNumber::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn verification_codes_are_ten_unambiguous_characters() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2_000 {
        let code = VerificationCode::generate_with(&mut rng);
        let s = code.as_str();
        assert_eq!(s.len(), 10);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        );
        assert!(!s.contains(['I', 'L', 'O', 'U']), "{s}");
        assert!(VerificationCode::is_valid(s));
        seen.insert(s.to_owned());
    }
    assert_eq!(seen.len(), 2_000);
    assert_ne!(VerificationCode::generate(), VerificationCode::generate());
}

#[test]
fn verification_codes_are_read_leniently_and_checked() {
    let code = VerificationCode::generate();
    let typed = format!(" {} ", code.grouped().to_lowercase());
    assert_eq!(VerificationCode::parse(&typed).unwrap(), code);
    assert_eq!(code.grouped().len(), 11);

    // Crockford's look-alikes map to digits.
    let with_zero = VerificationCode::parse("0000000000").unwrap();
    assert_eq!(VerificationCode::parse("OOOOO-ooooo").unwrap(), with_zero);

    // A single mistyped character is caught by the check character.
    let s = code.as_str();
    let first = s.chars().next().unwrap();
    let other = if first == 'A' { 'B' } else { 'A' };
    let typo: String = std::iter::once(other).chain(s.chars().skip(1)).collect();
    assert_eq!(
        VerificationCode::parse(&typo),
        Err(VerificationCodeError::BadCheck)
    );

    assert_eq!(
        VerificationCode::parse("ABC"),
        Err(VerificationCodeError::Malformed)
    );
    assert_eq!(
        VerificationCode::parse("ABCDEFGHJKU"),
        Err(VerificationCodeError::Malformed)
    );
    assert_eq!(
        VerificationCode::parse("ABCDE!GHJK"),
        Err(VerificationCodeError::Malformed)
    );
    let json = serde_json::to_string(&code).unwrap();
    assert_eq!(
        serde_json::from_str::<VerificationCode>(&json).unwrap(),
        code
    );
    assert!(serde_json::from_str::<VerificationCode>(&format!("\"{typo}\"")).is_err());
}
