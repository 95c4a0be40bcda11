//! Notifications: the events that cause them, which of them a user may silence, and what each says
//! in Indonesian and English. Templates are minijinja; the HTML part is escaped automatically, the
//! subject and plain-text parts are not (they are not HTML). Admins may override any template;
//! [`check_template`] renders an override against sample parameters before it is accepted.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use lentera_accounts::Language;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What happened. With the user and the subject's id it forms a message's unique key, so the same
/// event never reaches the same person twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    ProgrammeAssigned,
    DeadlineApproaching,
    Overdue,
    CourseCompleted,
    ProgrammeCompleted,
    ExternalTrainingApproved,
    ExternalTrainingRejected,
    CertificationExpiring,
    PasswordReset,
}

impl NotificationKind {
    pub const ALL: [Self; 9] = [
        Self::ProgrammeAssigned,
        Self::DeadlineApproaching,
        Self::Overdue,
        Self::CourseCompleted,
        Self::ProgrammeCompleted,
        Self::ExternalTrainingApproved,
        Self::ExternalTrainingRejected,
        Self::CertificationExpiring,
        Self::PasswordReset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProgrammeAssigned => "programme_assigned",
            Self::DeadlineApproaching => "deadline_approaching",
            Self::Overdue => "overdue",
            Self::CourseCompleted => "course_completed",
            Self::ProgrammeCompleted => "programme_completed",
            Self::ExternalTrainingApproved => "external_training_approved",
            Self::ExternalTrainingRejected => "external_training_rejected",
            Self::CertificationExpiring => "certification_expiring",
            Self::PasswordReset => "password_reset",
        }
    }

    /// Essential e-mails cannot be turned off: a password reset link, and being told one has been
    /// assigned a mandatory programme.
    pub fn essential(self) -> bool {
        matches!(self, Self::PasswordReset | Self::ProgrammeAssigned)
    }

    /// Shown in the in-app list too (a password reset link belongs in the mailbox only).
    pub fn in_app(self) -> bool {
        !matches!(self, Self::PasswordReset)
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown notification kind {s:?}"))
    }
}

/// The three parts of a message, as templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    pub subject: String,
    pub text: String,
    /// The HTML body's content; the layout around it (and the footer) is fixed.
    pub html: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rendered {
    /// One line.
    pub subject: String,
    pub text: String,
    /// A whole HTML document.
    pub html: String,
}

/// Everything a message is rendered from.
#[derive(Debug, Clone)]
pub struct RenderInput<'a> {
    pub kind: NotificationKind,
    pub language: Language,
    /// The recipient's name.
    pub recipient: &'a str,
    /// The server's public address (`public_url`); empty for in-app text, whose links stay relative.
    pub base_url: &'a str,
    /// The event's facts: an object whose keys the templates use (`link` is a path in the web app).
    pub params: &'a serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{part}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct TemplateError {
    /// `subject`, `text` or `html`.
    pub part: String,
    pub line: Option<usize>,
    pub message: String,
}

const MONTHS_ID: [&str; 12] =
    ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

fn parse_when(s: &str) -> Option<(NaiveDate, Option<(u32, u32)>)> {
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
    {
        // Stored times are UTC; people read them in Jakarta time.
        let local = chrono_tz::Asia::Jakarta.from_utc_datetime(&t);
        return Some((local.date_naive(), Some((local.hour(), local.minute()))));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| (d, None))
}

fn format_date(lang: Language, s: &str, with_time: bool) -> String {
    let Some((date, time)) = parse_when(s) else { return s.to_string() };
    let months = if lang == Language::En { MONTHS_EN } else { MONTHS_ID };
    let month = months.get(date.month0() as usize).copied().unwrap_or("");
    let day = format!("{} {month} {}", date.day(), date.year());
    match (with_time, time) {
        (true, Some((h, m))) if lang == Language::En => format!("{day}, {h:02}:{m:02} WIB"),
        (true, Some((h, m))) => format!("{day} pukul {h:02}.{m:02} WIB"),
        _ => day,
    }
}

fn environment(lang: Language, undefined: UndefinedBehavior) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(undefined);
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.add_filter("date", move |v: String| format_date(lang, &v, false));
    env.add_filter("datetime", move |v: String| format_date(lang, &v, true));
    env
}

fn template_error(part: &str, e: &minijinja::Error) -> TemplateError {
    TemplateError {
        part: part.to_string(),
        line: e.line(),
        message: e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind())),
    }
}

fn join_url(base: &str, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        return link.to_string();
    }
    let base = base.trim_end_matches('/');
    if link.is_empty() {
        return if base.is_empty() { "/".into() } else { base.to_string() };
    }
    let sep = if link.starts_with('/') { "" } else { "/" };
    format!("{base}{sep}{link}")
}

fn context(input: &RenderInput<'_>) -> serde_json::Value {
    let mut ctx = match input.params {
        serde_json::Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let link = ctx.get("link").and_then(|l| l.as_str()).unwrap_or("").to_string();
    ctx.insert("name".into(), json!(input.recipient));
    ctx.insert("url".into(), json!(join_url(input.base_url, &link)));
    ctx.insert("settings_url".into(), json!(join_url(input.base_url, "/settings/notifications")));
    ctx.insert("language".into(), json!(input.language.as_str()));
    serde_json::Value::Object(ctx)
}

fn render_with(template: &Template, input: &RenderInput<'_>, undefined: UndefinedBehavior) -> Result<Rendered, TemplateError> {
    let env = environment(input.language, undefined);
    let ctx = Value::from(minijinja::value::Serde(context(input)));
    let part = |name: &str, source: &str| {
        env.render_named_str(name, source, ctx.clone()).map_err(|e| template_error(name.trim_end_matches(".html"), &e))
    };
    let subject = part("subject", &template.subject)?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if subject.is_empty() {
        return Err(TemplateError { part: "subject".into(), line: None, message: "the subject renders empty".into() });
    }
    let text = part("text", &template.text)?;
    let content = part("html.html", &template.html)?;
    let (footer_text, footer_html) = footer(input);
    let text = format!("{}\n\n-- \n{footer_text}\n", text.trim_end());
    let html = layout(input.language, &subject, &content, &footer_html);
    Ok(Rendered { subject, text, html })
}

/// Renders a message. Parameters a template names but the event lacks render empty, so a message
/// still goes out after an admin edits a template carelessly; [`check_template`] is the strict gate.
pub fn render(template: &Template, input: &RenderInput<'_>) -> Result<Rendered, TemplateError> {
    render_with(template, input, UndefinedBehavior::Chainable)
}

/// The in-app form of a message: its subject as the title and its plain text as the body
/// (without the e-mail footer); links stay relative when `base_url` is empty.
pub fn render_in_app(template: &Template, input: &RenderInput<'_>) -> Result<(String, String), TemplateError> {
    let env = environment(input.language, UndefinedBehavior::Chainable);
    let ctx = Value::from(minijinja::value::Serde(context(input)));
    let title = env.render_named_str("subject", &template.subject, ctx.clone()).map_err(|e| template_error("subject", &e))?;
    let body = env.render_named_str("text", &template.text, ctx).map_err(|e| template_error("text", &e))?;
    Ok((title.split_whitespace().collect::<Vec<_>>().join(" "), body.trim().to_string()))
}

/// Checks a template (e.g. an admin's override) by rendering it strictly against sample
/// parameters of its kind: syntax errors and unknown names are refused, with the part and line.
pub fn check_template(kind: NotificationKind, language: Language, template: &Template) -> Result<Rendered, TemplateError> {
    let params = sample_params(kind);
    let input = RenderInput { kind, language, recipient: "Budi Santoso", base_url: "https://lentera.example.go.id", params: &params };
    render_with(template, &input, UndefinedBehavior::Strict)
}

fn footer(input: &RenderInput<'_>) -> (String, String) {
    let settings = join_url(input.base_url, "/settings/notifications");
    let (sent, optout) = match input.language {
        Language::En => (
            "This message was sent by Lentera, the learning platform for civil servants.",
            "You can turn off e-mails like this one in your notification settings:",
        ),
        Language::Id => (
            "Pesan ini dikirim otomatis oleh Lentera, platform pembelajaran ASN.",
            "Anda dapat mematikan e-mail seperti ini di pengaturan notifikasi:",
        ),
    };
    if input.kind.essential() {
        (sent.to_string(), escape(sent))
    } else {
        (
            format!("{sent}\n{optout} {settings}"),
            format!("{}<br>{} <a href=\"{}\">{}</a>", escape(sent), escape(optout), escape(&settings), escape(&settings)),
        )
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(lang: Language, subject: &str, content: &str, footer_html: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:16px;background:#f5f5f4;font-family:Arial,Helvetica,sans-serif;color:#1c1917;line-height:1.5\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px\">\n\
         <p style=\"margin:0 0 16px;font-weight:bold;color:#b45309\">Lentera</p>\n{content}\n\
         <hr style=\"border:none;border-top:1px solid #e7e5e4;margin:24px 0 12px\">\n\
         <p style=\"font-size:12px;color:#78716c;margin:0\">{footer_html}</p>\n</div>\n</body>\n</html>\n",
        lang = lang.as_str(),
        title = escape(subject),
    )
}

/// Parameters that show what each kind's templates may use (the admin API lists them, and
/// [`check_template`] renders against them).
pub fn sample_params(kind: NotificationKind) -> serde_json::Value {
    let programme = json!({
        "programme": "Pelatihan Manajemen Pemerintahan",
        "cohort": "Angkatan I 2027",
        "due_at": "2027-04-15T00:00:00",
        "jp": 40.0,
        "percent": 50,
        "link": "/programmes/0190c7a2-0000-7000-8000-000000000000",
    });
    match kind {
        NotificationKind::ProgrammeAssigned => {
            let mut v = programme;
            v["courses"] = json!([
                {"title": "Etika Pelayanan Publik", "required": true},
                {"title": "Manajemen Risiko", "required": false}
            ]);
            v["electives_needed"] = json!(1);
            v
        }
        NotificationKind::DeadlineApproaching => {
            let mut v = programme;
            v["days"] = json!(7);
            v
        }
        NotificationKind::Overdue => programme,
        NotificationKind::CourseCompleted => json!({
            "course": "Etika Pelayanan Publik",
            "jp": 4.0,
            "certificate_code": "LNT-7Q4M-2K9X",
            "link": "/courses/etika-pelayanan-publik",
        }),
        NotificationKind::ProgrammeCompleted => {
            let mut v = programme;
            v["percent"] = json!(100);
            v["certificate_code"] = json!("LNT-9H2C-4TQZ");
            v
        }
        NotificationKind::ExternalTrainingApproved => json!({
            "title": "Bimbingan Teknis Penyusunan SAKIP",
            "jp": 10.0,
            "link": "/jp",
        }),
        NotificationKind::ExternalTrainingRejected => json!({
            "title": "Bimbingan Teknis Penyusunan SAKIP",
            "reason": "Sertifikat yang diunggah tidak terbaca",
            "link": "/jp",
        }),
        NotificationKind::CertificationExpiring => json!({
            "certification": "Sertifikat Kompetensi Perawat",
            "expires_on": "2027-01-31",
            "link": "/certifications",
        }),
        NotificationKind::PasswordReset => json!({
            "expires_at": "2026-11-27T11:00:00",
            "link": "/reset-password?token=contoh",
        }),
    }
}

/// The template a kind has until an admin overrides it.
pub fn default_template(kind: NotificationKind, language: Language) -> Template {
    let (subject, text, html) = match (kind, language) {
        (NotificationKind::ProgrammeAssigned, Language::Id) => (
            "Penugasan program: {{ programme }} ({{ cohort }})",
            "Yth. {{ name }},\n\nAnda ditugaskan mengikuti program {{ programme }}, {{ cohort }}.\n\
             Batas waktu penyelesaian: {{ due_at | date }}.{% if jp %} Program ini bernilai {{ jp }} JP.{% endif %}\n\n\
             Kursus dalam program ini:\n{% for c in courses %}- {{ c.title }}{% if not c.required %} (pilihan){% endif %}\n{% endfor %}\
             {% if electives_needed %}Selesaikan semua kursus wajib dan {{ electives_needed }} kursus pilihan.\n{% endif %}\n\
             Mulai belajar: {{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Anda ditugaskan mengikuti program <strong>{{ programme }}</strong>, {{ cohort }}.<br>\
             Batas waktu penyelesaian: <strong>{{ due_at | date }}</strong>.{% if jp %} Program ini bernilai {{ jp }} JP.{% endif %}</p>\n\
             <p>Kursus dalam program ini:</p>\n<ul>{% for c in courses %}<li>{{ c.title }}{% if not c.required %} (pilihan){% endif %}</li>{% endfor %}</ul>\n\
             {% if electives_needed %}<p>Selesaikan semua kursus wajib dan {{ electives_needed }} kursus pilihan.</p>\n{% endif %}\
             <p><a href=\"{{ url }}\">Mulai belajar</a></p>",
        ),
        (NotificationKind::ProgrammeAssigned, Language::En) => (
            "Programme assignment: {{ programme }} ({{ cohort }})",
            "Dear {{ name }},\n\nYou have been assigned to the programme {{ programme }}, {{ cohort }}.\n\
             Deadline: {{ due_at | date }}.{% if jp %} The programme is worth {{ jp }} JP.{% endif %}\n\n\
             Courses in this programme:\n{% for c in courses %}- {{ c.title }}{% if not c.required %} (elective){% endif %}\n{% endfor %}\
             {% if electives_needed %}Complete every required course and {{ electives_needed }} elective(s).\n{% endif %}\n\
             Start learning: {{ url }}",
            "<p>Dear {{ name }},</p>\n<p>You have been assigned to the programme <strong>{{ programme }}</strong>, {{ cohort }}.<br>\
             Deadline: <strong>{{ due_at | date }}</strong>.{% if jp %} The programme is worth {{ jp }} JP.{% endif %}</p>\n\
             <p>Courses in this programme:</p>\n<ul>{% for c in courses %}<li>{{ c.title }}{% if not c.required %} (elective){% endif %}</li>{% endfor %}</ul>\n\
             {% if electives_needed %}<p>Complete every required course and {{ electives_needed }} elective(s).</p>\n{% endif %}\
             <p><a href=\"{{ url }}\">Start learning</a></p>",
        ),
        (NotificationKind::DeadlineApproaching, Language::Id) => (
            "Pengingat: batas waktu {{ programme }} tinggal {{ days }} hari",
            "Yth. {{ name }},\n\nBatas waktu program {{ programme }} ({{ cohort }}) adalah {{ due_at | date }}, \
             tinggal {{ days }} hari lagi. Kemajuan Anda saat ini {{ percent }}%.\n\nLanjutkan belajar: {{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Batas waktu program <strong>{{ programme }}</strong> ({{ cohort }}) adalah \
             <strong>{{ due_at | date }}</strong>, tinggal {{ days }} hari lagi. Kemajuan Anda saat ini {{ percent }}%.</p>\n\
             <p><a href=\"{{ url }}\">Lanjutkan belajar</a></p>",
        ),
        (NotificationKind::DeadlineApproaching, Language::En) => (
            "Reminder: {{ programme }} is due in {{ days }} day(s)",
            "Dear {{ name }},\n\nThe programme {{ programme }} ({{ cohort }}) is due on {{ due_at | date }}, \
             {{ days }} day(s) from now. Your progress so far: {{ percent }}%.\n\nContinue learning: {{ url }}",
            "<p>Dear {{ name }},</p>\n<p>The programme <strong>{{ programme }}</strong> ({{ cohort }}) is due on \
             <strong>{{ due_at | date }}</strong>, {{ days }} day(s) from now. Your progress so far: {{ percent }}%.</p>\n\
             <p><a href=\"{{ url }}\">Continue learning</a></p>",
        ),
        (NotificationKind::Overdue, Language::Id) => (
            "Terlambat: batas waktu {{ programme }} telah lewat",
            "Yth. {{ name }},\n\nBatas waktu program {{ programme }} ({{ cohort }}) adalah {{ due_at | date }} dan \
             program ini belum Anda selesaikan (kemajuan {{ percent }}%). Segera selesaikan atau hubungi pengelola \
             kepegawaian di OPD Anda.\n\n{{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Batas waktu program <strong>{{ programme }}</strong> ({{ cohort }}) adalah \
             <strong>{{ due_at | date }}</strong> dan program ini belum Anda selesaikan (kemajuan {{ percent }}%). \
             Segera selesaikan atau hubungi pengelola kepegawaian di OPD Anda.</p>\n<p><a href=\"{{ url }}\">Buka program</a></p>",
        ),
        (NotificationKind::Overdue, Language::En) => (
            "Overdue: {{ programme }} was due on {{ due_at | date }}",
            "Dear {{ name }},\n\nThe programme {{ programme }} ({{ cohort }}) was due on {{ due_at | date }} and is not \
             complete yet (progress {{ percent }}%). Please complete it or contact your agency's HR officer.\n\n{{ url }}",
            "<p>Dear {{ name }},</p>\n<p>The programme <strong>{{ programme }}</strong> ({{ cohort }}) was due on \
             <strong>{{ due_at | date }}</strong> and is not complete yet (progress {{ percent }}%). Please complete it \
             or contact your agency's HR officer.</p>\n<p><a href=\"{{ url }}\">Open the programme</a></p>",
        ),
        (NotificationKind::CourseCompleted, Language::Id) => (
            "Selamat! Anda menyelesaikan kursus {{ course }}",
            "Yth. {{ name }},\n\nAnda telah menyelesaikan kursus {{ course }}{% if jp %} dan memperoleh {{ jp }} JP{% endif %}.\
             {% if certificate_code %}\nNomor verifikasi sertifikat: {{ certificate_code }}.{% endif %}\n\n{{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Anda telah menyelesaikan kursus <strong>{{ course }}</strong>{% if jp %} dan \
             memperoleh {{ jp }} JP{% endif %}.</p>\n{% if certificate_code %}<p>Nomor verifikasi sertifikat: \
             <strong>{{ certificate_code }}</strong></p>\n{% endif %}<p><a href=\"{{ url }}\">Lihat kursus dan sertifikat</a></p>",
        ),
        (NotificationKind::CourseCompleted, Language::En) => (
            "Congratulations! You completed {{ course }}",
            "Dear {{ name }},\n\nYou have completed the course {{ course }}{% if jp %} and earned {{ jp }} JP{% endif %}.\
             {% if certificate_code %}\nCertificate verification code: {{ certificate_code }}.{% endif %}\n\n{{ url }}",
            "<p>Dear {{ name }},</p>\n<p>You have completed the course <strong>{{ course }}</strong>{% if jp %} and earned \
             {{ jp }} JP{% endif %}.</p>\n{% if certificate_code %}<p>Certificate verification code: \
             <strong>{{ certificate_code }}</strong></p>\n{% endif %}<p><a href=\"{{ url }}\">See the course and certificate</a></p>",
        ),
        (NotificationKind::ProgrammeCompleted, Language::Id) => (
            "Selamat! Anda menyelesaikan program {{ programme }}",
            "Yth. {{ name }},\n\nAnda telah menyelesaikan program {{ programme }} ({{ cohort }}){% if jp %} senilai {{ jp }} JP{% endif %}.\
             {% if certificate_code %}\nNomor verifikasi sertifikat program: {{ certificate_code }}.{% endif %}\n\n{{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Anda telah menyelesaikan program <strong>{{ programme }}</strong> ({{ cohort }})\
             {% if jp %} senilai {{ jp }} JP{% endif %}.</p>\n{% if certificate_code %}<p>Nomor verifikasi sertifikat program: \
             <strong>{{ certificate_code }}</strong></p>\n{% endif %}<p><a href=\"{{ url }}\">Lihat program</a></p>",
        ),
        (NotificationKind::ProgrammeCompleted, Language::En) => (
            "Congratulations! You completed the programme {{ programme }}",
            "Dear {{ name }},\n\nYou have completed the programme {{ programme }} ({{ cohort }}){% if jp %}, worth {{ jp }} JP{% endif %}.\
             {% if certificate_code %}\nProgramme certificate verification code: {{ certificate_code }}.{% endif %}\n\n{{ url }}",
            "<p>Dear {{ name }},</p>\n<p>You have completed the programme <strong>{{ programme }}</strong> ({{ cohort }})\
             {% if jp %}, worth {{ jp }} JP{% endif %}.</p>\n{% if certificate_code %}<p>Programme certificate verification code: \
             <strong>{{ certificate_code }}</strong></p>\n{% endif %}<p><a href=\"{{ url }}\">See the programme</a></p>",
        ),
        (NotificationKind::ExternalTrainingApproved, Language::Id) => (
            "Pelatihan eksternal disetujui: {{ title }}",
            "Yth. {{ name }},\n\nCatatan pelatihan eksternal Anda \"{{ title }}\" telah disetujui{% if jp %}; {{ jp }} JP \
             ditambahkan ke capaian tahun ini{% endif %}.\n\n{{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Catatan pelatihan eksternal Anda <strong>{{ title }}</strong> telah disetujui\
             {% if jp %}; {{ jp }} JP ditambahkan ke capaian tahun ini{% endif %}.</p>\n<p><a href=\"{{ url }}\">Lihat capaian JP</a></p>",
        ),
        (NotificationKind::ExternalTrainingApproved, Language::En) => (
            "External training approved: {{ title }}",
            "Dear {{ name }},\n\nYour external training record \"{{ title }}\" has been approved{% if jp %}; {{ jp }} JP \
             were added to this year's total{% endif %}.\n\n{{ url }}",
            "<p>Dear {{ name }},</p>\n<p>Your external training record <strong>{{ title }}</strong> has been approved\
             {% if jp %}; {{ jp }} JP were added to this year's total{% endif %}.</p>\n<p><a href=\"{{ url }}\">See your JP</a></p>",
        ),
        (NotificationKind::ExternalTrainingRejected, Language::Id) => (
            "Pelatihan eksternal ditolak: {{ title }}",
            "Yth. {{ name }},\n\nCatatan pelatihan eksternal Anda \"{{ title }}\" tidak disetujui.\
             {% if reason %}\nAlasan: {{ reason }}{% endif %}\n\nPerbaiki dan ajukan kembali: {{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Catatan pelatihan eksternal Anda <strong>{{ title }}</strong> tidak disetujui.</p>\n\
             {% if reason %}<p>Alasan: {{ reason }}</p>\n{% endif %}<p><a href=\"{{ url }}\">Perbaiki dan ajukan kembali</a></p>",
        ),
        (NotificationKind::ExternalTrainingRejected, Language::En) => (
            "External training not approved: {{ title }}",
            "Dear {{ name }},\n\nYour external training record \"{{ title }}\" was not approved.\
             {% if reason %}\nReason: {{ reason }}{% endif %}\n\nCorrect it and submit it again: {{ url }}",
            "<p>Dear {{ name }},</p>\n<p>Your external training record <strong>{{ title }}</strong> was not approved.</p>\n\
             {% if reason %}<p>Reason: {{ reason }}</p>\n{% endif %}<p><a href=\"{{ url }}\">Correct it and submit it again</a></p>",
        ),
        (NotificationKind::CertificationExpiring, Language::Id) => (
            "Sertifikasi {{ certification }} berakhir {{ expires_on | date }}",
            "Yth. {{ name }},\n\nSertifikasi Anda \"{{ certification }}\" berlaku sampai {{ expires_on | date }}. \
             Perpanjang sebelum tanggal itu dan unggah bukti yang baru.\n\n{{ url }}",
            "<p>Yth. {{ name }},</p>\n<p>Sertifikasi Anda <strong>{{ certification }}</strong> berlaku sampai \
             <strong>{{ expires_on | date }}</strong>. Perpanjang sebelum tanggal itu dan unggah bukti yang baru.</p>\n\
             <p><a href=\"{{ url }}\">Lihat sertifikasi</a></p>",
        ),
        (NotificationKind::CertificationExpiring, Language::En) => (
            "Certification {{ certification }} expires on {{ expires_on | date }}",
            "Dear {{ name }},\n\nYour certification \"{{ certification }}\" is valid until {{ expires_on | date }}. \
             Renew it before then and upload the new proof.\n\n{{ url }}",
            "<p>Dear {{ name }},</p>\n<p>Your certification <strong>{{ certification }}</strong> is valid until \
             <strong>{{ expires_on | date }}</strong>. Renew it before then and upload the new proof.</p>\n\
             <p><a href=\"{{ url }}\">See your certifications</a></p>",
        ),
        (NotificationKind::PasswordReset, Language::Id) => (
            "Atur ulang kata sandi Lentera",
            "Yth. {{ name }},\n\nKami menerima permintaan untuk mengatur ulang kata sandi akun Lentera Anda. \
             Buka tautan berikut untuk membuat kata sandi baru. Tautan ini berlaku sampai {{ expires_at | datetime }} \
             dan hanya dapat dipakai sekali:\n\n{{ url }}\n\nJika Anda tidak memintanya, abaikan e-mail ini; \
             kata sandi Anda tidak berubah.",
            "<p>Yth. {{ name }},</p>\n<p>Kami menerima permintaan untuk mengatur ulang kata sandi akun Lentera Anda. \
             Tautan ini berlaku sampai <strong>{{ expires_at | datetime }}</strong> dan hanya dapat dipakai sekali.</p>\n\
             <p><a href=\"{{ url }}\">Buat kata sandi baru</a></p>\n<p>Jika Anda tidak memintanya, abaikan e-mail ini; \
             kata sandi Anda tidak berubah.</p>",
        ),
        (NotificationKind::PasswordReset, Language::En) => (
            "Reset your Lentera password",
            "Dear {{ name }},\n\nWe received a request to reset the password of your Lentera account. Open the link \
             below to choose a new password. It works until {{ expires_at | datetime }} and only once:\n\n{{ url }}\n\n\
             If you did not ask for this, ignore this e-mail; your password has not changed.",
            "<p>Dear {{ name }},</p>\n<p>We received a request to reset the password of your Lentera account. The link \
             works until <strong>{{ expires_at | datetime }}</strong> and only once.</p>\n\
             <p><a href=\"{{ url }}\">Choose a new password</a></p>\n<p>If you did not ask for this, ignore this e-mail; \
             your password has not changed.</p>",
        ),
    };
    Template { subject: subject.into(), text: text.into(), html: html.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(kind: NotificationKind, language: Language, params: &'a serde_json::Value) -> RenderInput<'a> {
        RenderInput { kind, language, recipient: "Siti Rahma", base_url: "https://lentera.batanghari.go.id/", params }
    }

    #[test]
    fn every_default_template_passes_its_own_strict_check() {
        for kind in NotificationKind::ALL {
            for lang in [Language::Id, Language::En] {
                let r = check_template(kind, lang, &default_template(kind, lang)).unwrap_or_else(|e| panic!("{kind} {lang:?}: {e}"));
                assert!(!r.subject.contains('\n'));
                assert!(r.html.contains("<!DOCTYPE html>"));
                assert!(r.text.contains("Lentera"));
            }
        }
    }

    #[test]
    fn an_assignment_reads_in_indonesian_with_jakarta_dates_and_an_absolute_link() {
        let kind = NotificationKind::ProgrammeAssigned;
        let params = sample_params(kind);
        let r = render(&default_template(kind, Language::Id), &input(kind, Language::Id, &params)).unwrap();
        assert_eq!(r.subject, "Penugasan program: Pelatihan Manajemen Pemerintahan (Angkatan I 2027)");
        assert!(r.text.starts_with("Yth. Siti Rahma,"), "{}", r.text);
        // 2027-04-15T00:00 UTC is 07:00 on the same day in Jakarta.
        assert!(r.text.contains("Batas waktu penyelesaian: 15 April 2027."), "{}", r.text);
        assert!(r.text.contains("- Manajemen Risiko (pilihan)"), "{}", r.text);
        assert!(r.text.contains("https://lentera.batanghari.go.id/programmes/0190c7a2"), "{}", r.text);
        assert!(r.html.contains("<li>Etika Pelayanan Publik</li>"), "{}", r.html);
        // Essential: no opt-out line.
        assert!(!r.text.contains("pengaturan notifikasi"));
        let en = render(&default_template(kind, Language::En), &input(kind, Language::En, &params)).unwrap();
        assert!(en.subject.starts_with("Programme assignment"));
    }

    #[test]
    fn the_html_part_escapes_what_people_typed_and_the_text_part_keeps_it() {
        let kind = NotificationKind::ExternalTrainingRejected;
        let params = json!({"title": "Bimtek <script>alert(1)</script> & \"SAKIP\"", "reason": "<b>blur</b>", "link": "/jp"});
        let r = render(&default_template(kind, Language::Id), &input(kind, Language::Id, &params)).unwrap();
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(r.html.contains("&lt;b&gt;blur&lt;&#x2f;b&gt;") || r.html.contains("&lt;b&gt;blur&lt;/b&gt;"), "{}", r.html);
        assert!(r.text.contains("Bimtek <script>alert(1)</script> & \"SAKIP\""));
        assert!(r.subject.contains("<script>"), "the subject is not HTML");
        // Not essential: the footer says how to turn these off.
        assert!(r.text.contains("https://lentera.batanghari.go.id/settings/notifications"), "{}", r.text);
    }

    #[test]
    fn dates_are_shown_in_jakarta_time_in_each_language() {
        assert_eq!(format_date(Language::Id, "2026-12-31T17:30:00", false), "1 Januari 2027");
        assert_eq!(format_date(Language::Id, "2026-11-27T03:05:00.123456", true), "27 November 2026 pukul 10.05 WIB");
        assert_eq!(format_date(Language::En, "2026-11-27T03:05:00", true), "27 November 2026, 10:05 WIB");
        assert_eq!(format_date(Language::En, "2027-01-31", false), "31 January 2027");
        assert_eq!(format_date(Language::En, "soon", false), "soon");
    }

    #[test]
    fn a_broken_override_is_refused_with_part_and_line() {
        let kind = NotificationKind::Overdue;
        let mut t = default_template(kind, Language::Id);
        t.text = "Baris satu\n{{ programme }\n".into();
        let e = check_template(kind, Language::Id, &t).unwrap_err();
        assert_eq!((e.part.as_str(), e.line), ("text", Some(2)), "{e}");
        let mut t = default_template(kind, Language::Id);
        t.html = "<p>{{ tidak_ada }}</p>".into();
        let e = check_template(kind, Language::Id, &t).unwrap_err();
        assert_eq!(e.part, "html", "{e}");
        let mut t = default_template(kind, Language::Id);
        t.subject = "{% if false %}x{% endif %}".into();
        assert_eq!(check_template(kind, Language::Id, &t).unwrap_err().part, "subject");
    }

    #[test]
    fn the_in_app_form_has_no_footer_and_relative_links() {
        let kind = NotificationKind::DeadlineApproaching;
        let params = sample_params(kind);
        let input = RenderInput { kind, language: Language::Id, recipient: "Siti", base_url: "", params: &params };
        let (title, body) = render_in_app(&default_template(kind, Language::Id), &input).unwrap();
        assert_eq!(title, "Pengingat: batas waktu Pelatihan Manajemen Pemerintahan tinggal 7 hari");
        assert!(body.ends_with("Lanjutkan belajar: /programmes/0190c7a2-0000-7000-8000-000000000000"), "{body}");
        assert!(!body.contains("Pesan ini dikirim"));
    }

    #[test]
    fn a_missing_parameter_renders_empty_at_send_time() {
        let kind = NotificationKind::Overdue;
        let t = Template { subject: "Terlambat {{ programme }}".into(), text: "{{ nothing.deeper }}x".into(), html: "<p>{{ nope }}</p>".into() };
        let params = json!({"programme": "P"});
        let r = render(&t, &input(kind, Language::Id, &params)).unwrap();
        assert_eq!(r.subject, "Terlambat P");
        assert!(r.text.starts_with('x'));
    }

    #[test]
    fn kinds_round_trip_and_know_what_is_essential() {
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>().unwrap(), k);
        }
        assert!(NotificationKind::PasswordReset.essential());
        assert!(!NotificationKind::PasswordReset.in_app());
        assert!(!NotificationKind::DeadlineApproaching.essential());
        assert!(NotificationKind::DeadlineApproaching.in_app());
    }

    #[test]
    fn links_join_the_public_url_once() {
        assert_eq!(join_url("https://x.go.id/", "/a"), "https://x.go.id/a");
        assert_eq!(join_url("https://x.go.id", "a"), "https://x.go.id/a");
        assert_eq!(join_url("", "/a"), "/a");
        assert_eq!(join_url("https://x.go.id", "https://other/a"), "https://other/a");
    }
}
