//! The time a question is about, parsed into a window with a start and an end in the host's
//! timezone: "last night" is the previous evening to this morning, "over the past 6 hours" the
//! last six hours, "an hour ago" the hour since then (so both figures can be compared), "since
//! Friday" from Friday's midnight. Calendar arithmetic (days, weeks, DST) is jiff's; English
//! dates ("Dec 1", "2026-12-01", "last friday") are parsed by interim.
//!
//! The grammar reads folded words: numbers ("6", "six", "sechs", "seis"…), units ("hours",
//! "Stunden", "horas", "heures", "uur"…), and the few words that place them in time in each of
//! the six languages ("ago", "vor", "hace", "il y a", "geleden", "há"; "last", "letzten",
//! "últimas", "dernières", "afgelopen"…), plus named periods ("last night", "letzte Nacht",
//! "anoche", "cette nuit", "vannacht", "ontem à noite"…).

use jiff::{civil, Span, Timestamp, ToSpan, Zoned};

/// The span of time a question asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
    /// How the answer names it: "last night", "the last 6 hours", "since an hour ago".
    pub label: String,
    /// A moment the question compares with ("an hour ago", "at 3am"), when it names one.
    pub moment: Option<Timestamp>,
    /// Since the host last booted (the start is then the boot time when it is known).
    pub since_boot: bool,
}

impl Window {
    pub fn seconds(&self) -> i64 {
        self.end.as_second() - self.start.as_second()
    }

    /// `6h`, `30m`, `2d`: the window as the history tool's "last N" form, when it ends now.
    pub fn as_recent(&self, now: Timestamp) -> Option<String> {
        if (now.as_second() - self.end.as_second()).abs() > 60 {
            return None;
        }
        let s = self.seconds().max(60);
        Some(if s % 86_400 == 0 {
            format!("{}d", s / 86_400)
        } else if s % 3_600 == 0 {
            format!("{}h", s / 3_600)
        } else {
            format!("{}m", (s + 59) / 60)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Unit {
    fn span(self, n: i64) -> Span {
        match self {
            Unit::Minute => n.minutes(),
            Unit::Hour => n.hours(),
            Unit::Day => n.days(),
            Unit::Week => n.weeks(),
            Unit::Month => n.months(),
        }
    }

    fn name(self, n: i64) -> String {
        let word = match self {
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        };
        match n {
            1 => word.to_string(),
            n => format!("{n} {word}s"),
        }
    }
}

/// Lower case, accents off, punctuation as spaces (`:` kept for times), digits kept.
fn words(text: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let chars: Vec<char> =
        text.to_lowercase().nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect();
    // A dash between digits belongs to a date (2026-12-01); elsewhere it separates words.
    let digit = |i: Option<&char>| i.is_some_and(|c| c.is_ascii_digit());
    let folded: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            c if c.is_alphanumeric() || c == ':' => c,
            '-' if i > 0 && digit(chars.get(i - 1)) && digit(chars.get(i + 1)) => '-',
            _ => ' ',
        })
        .collect();
    folded.split_whitespace().map(str::to_string).collect()
}

#[rustfmt::skip]
fn number(word: &str) -> Option<i64> {
    Some(match word {
        "a" | "an" | "one" | "ein" | "eine" | "einer" | "einem" | "einen" | "un" | "una" | "uno" | "une" | "een" | "um" | "uma" => 1,
        "couple" | "two" | "zwei" | "dos" | "deux" | "twee" | "dois" | "duas" => 2,
        "few" | "three" | "drei" | "tres" | "trois" | "drie" | "paar" | "par" => 3,
        "four" | "vier" | "cuatro" | "quatre" | "quatro" => 4,
        "five" | "funf" | "cinco" | "cinq" | "vijf" => 5,
        "six" | "sechs" | "seis" | "zes" => 6,
        "twelve" | "zwolf" | "doce" | "douze" | "twaalf" | "doze" => 12,
        "several" | "einigen" | "mehreren" | "varias" | "plusieurs" | "enkele" | "algumas" | "alguns" => 3,
        w => return w.parse().ok().filter(|n: &i64| (1..=9999).contains(n)),
    })
}

#[rustfmt::skip]
fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "minute" | "minutes" | "min" | "mins" | "minuten" | "minuto" | "minutos" | "minuut" => Unit::Minute,
        "hour" | "hours" | "hr" | "hrs" | "h" | "stunde" | "stunden" | "std" | "hora" | "horas" | "heure" | "heures" | "uur" | "uren" => Unit::Hour,
        "day" | "days" | "tag" | "tage" | "tagen" | "dia" | "dias" | "jour" | "jours" | "dag" | "dagen" => Unit::Day,
        "week" | "weeks" | "woche" | "wochen" | "semana" | "semanas" | "semaine" | "semaines" | "weken" => Unit::Week,
        "month" | "months" | "monat" | "monate" | "monaten" | "mes" | "meses" | "mois" | "maand" | "maanden" => Unit::Month,
        _ => return None,
    })
}

/// Words that say "before now" after an amount ("6 hours ago") or before it ("vor 6 Stunden").
const AGO_AFTER: &[&str] = &["ago", "geleden", "atras", "auparavant"];
const AGO_BEFORE: &[&[&str]] = &[&["vor"], &["hace"], &["il", "y", "a"], &["ha"], &["faz"]];
/// Words before an amount that say "the most recent": "last 6 hours", "letzten 6 Stunden".
const RECENT: &[&str] = &[
    "last",
    "past",
    "previous",
    "recent",
    "letzten",
    "letzte",
    "vergangenen",
    "vergangene",
    "ultimas",
    "ultimos",
    "ultima",
    "ultimo",
    "pasadas",
    "pasados",
    "dernieres",
    "derniers",
    "derniere",
    "dernier",
    "passees",
    "passes",
    "afgelopen",
    "laatste",
    "voorbije",
    "passadas",
    "passados",
];

/// A named part of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Night,
    /// English "tonight": the night still going before 08:00, else the one beginning at 20:00.
    Tonight,
    Morning,
    Afternoon,
    Evening,
    WholeDay,
}

/// Named periods: phrase (folded words) → (days back, part of that day).
#[rustfmt::skip]
const NAMED: &[(&[&str], i8, Part)] = &[
    (&["last", "night"], 0, Part::Night), (&["overnight"], 0, Part::Night), (&["tonight"], 0, Part::Tonight),
    (&["during", "the", "night"], 0, Part::Night), (&["in", "the", "night"], 0, Part::Night),
    (&["letzte", "nacht"], 0, Part::Night), (&["heute", "nacht"], 0, Part::Night), (&["uber", "nacht"], 0, Part::Night),
    (&["nachts"], 0, Part::Night), (&["in", "der", "nacht"], 0, Part::Night),
    (&["anoche"], 0, Part::Night), (&["esta", "madrugada"], 0, Part::Night), (&["de", "madrugada"], 0, Part::Night),
    (&["durante", "la", "noche"], 0, Part::Night), (&["por", "la", "noche"], 0, Part::Night),
    (&["cette", "nuit"], 0, Part::Night), (&["la", "nuit", "derniere"], 0, Part::Night), (&["pendant", "la", "nuit"], 0, Part::Night),
    (&["vannacht"], 0, Part::Night), (&["afgelopen", "nacht"], 0, Part::Night), (&["vorige", "nacht"], 0, Part::Night),
    (&["ontem", "a", "noite"], 0, Part::Night), (&["esta", "noite"], 0, Part::Night), (&["durante", "a", "noite"], 0, Part::Night),
    (&["noite", "passada"], 0, Part::Night), (&["de", "noite"], 0, Part::Night),
    (&["this", "morning"], 0, Part::Morning), (&["heute", "morgen"], 0, Part::Morning), (&["heute", "fruh"], 0, Part::Morning),
    (&["heute", "vormittag"], 0, Part::Morning), (&["esta", "manana"], 0, Part::Morning), (&["ce", "matin"], 0, Part::Morning),
    (&["vanochtend"], 0, Part::Morning), (&["vanmorgen"], 0, Part::Morning), (&["esta", "manha"], 0, Part::Morning),
    (&["hoje", "de", "manha"], 0, Part::Morning),
    (&["this", "afternoon"], 0, Part::Afternoon), (&["heute", "nachmittag"], 0, Part::Afternoon), (&["esta", "tarde"], 0, Part::Afternoon),
    (&["cet", "apres", "midi"], 0, Part::Afternoon), (&["vanmiddag"], 0, Part::Afternoon), (&["hoje", "a", "tarde"], 0, Part::Afternoon),
    (&["this", "evening"], 0, Part::Evening), (&["heute", "abend"], 0, Part::Evening), (&["ce", "soir"], 0, Part::Evening),
    (&["vanavond"], 0, Part::Evening), (&["hoje", "a", "noite"], 0, Part::Evening),
    (&["yesterday", "morning"], 1, Part::Morning), (&["yesterday", "afternoon"], 1, Part::Afternoon),
    (&["yesterday", "evening"], 1, Part::Evening), (&["gestern", "morgen"], 1, Part::Morning),
    (&["gestern", "nachmittag"], 1, Part::Afternoon), (&["gestern", "abend"], 1, Part::Evening),
    (&["ayer", "por", "la", "manana"], 1, Part::Morning), (&["ayer", "por", "la", "tarde"], 1, Part::Afternoon),
    (&["ayer", "por", "la", "noche"], 1, Part::Evening), (&["hier", "matin"], 1, Part::Morning),
    (&["hier", "apres", "midi"], 1, Part::Afternoon), (&["hier", "soir"], 1, Part::Evening),
    (&["gisterochtend"], 1, Part::Morning), (&["gistermiddag"], 1, Part::Afternoon), (&["gisteravond"], 1, Part::Evening),
    (&["ontem", "de", "manha"], 1, Part::Morning), (&["ontem", "a", "tarde"], 1, Part::Afternoon),
    (&["yesterday"], 1, Part::WholeDay), (&["gestern"], 1, Part::WholeDay), (&["ayer"], 1, Part::WholeDay),
    (&["hier"], 1, Part::WholeDay), (&["gisteren"], 1, Part::WholeDay), (&["ontem"], 1, Part::WholeDay),
    (&["earlier", "today"], 0, Part::WholeDay), (&["today"], 0, Part::WholeDay), (&["heute"], 0, Part::WholeDay),
    (&["hoy"], 0, Part::WholeDay), (&["aujourd", "hui"], 0, Part::WholeDay), (&["vandaag"], 0, Part::WholeDay),
    (&["hoje"], 0, Part::WholeDay),
];

/// This/last week or month, by their words.
#[rustfmt::skip]
const CALENDAR: &[(&[&str], Unit, i8)] = &[
    (&["this", "week"], Unit::Week, 0), (&["diese", "woche"], Unit::Week, 0), (&["esta", "semana"], Unit::Week, 0),
    (&["cette", "semaine"], Unit::Week, 0), (&["deze", "week"], Unit::Week, 0),
    (&["last", "week"], Unit::Week, 1), (&["letzte", "woche"], Unit::Week, 1), (&["vorige", "woche"], Unit::Week, 1),
    (&["semana", "pasada"], Unit::Week, 1), (&["semaine", "derniere"], Unit::Week, 1), (&["vorige", "week"], Unit::Week, 1),
    (&["afgelopen", "week"], Unit::Week, 1), (&["semana", "passada"], Unit::Week, 1),
    (&["this", "month"], Unit::Month, 0), (&["diesen", "monat"], Unit::Month, 0), (&["este", "mes"], Unit::Month, 0),
    (&["ce", "mois"], Unit::Month, 0), (&["deze", "maand"], Unit::Month, 0),
    (&["last", "month"], Unit::Month, 1), (&["letzten", "monat"], Unit::Month, 1), (&["mes", "pasado"], Unit::Month, 1),
    (&["mois", "dernier"], Unit::Month, 1), (&["vorige", "maand"], Unit::Month, 1), (&["mes", "passado"], Unit::Month, 1),
];

/// "since": the words before a day or an event that start a window there.
const SINCE: &[&str] = &["since", "seit", "seitdem", "desde", "depuis", "sinds", "sinde"];
const REBOOT: &[&str] = &[
    "reboot",
    "restart",
    "boot",
    "neustart",
    "reboot",
    "reinicio",
    "arranque",
    "redemarrage",
    "herstart",
    "opstart",
    "reinicializacao",
];

#[rustfmt::skip]
fn weekday(word: &str) -> Option<jiff::civil::Weekday> {
    use jiff::civil::Weekday::*;
    Some(match word {
        "monday" | "montag" | "lunes" | "lundi" | "maandag" | "segunda" => Monday,
        "tuesday" | "dienstag" | "martes" | "mardi" | "dinsdag" | "terca" => Tuesday,
        "wednesday" | "mittwoch" | "miercoles" | "mercredi" | "woensdag" | "quarta" => Wednesday,
        "thursday" | "donnerstag" | "jueves" | "jeudi" | "donderdag" | "quinta" => Thursday,
        "friday" | "freitag" | "viernes" | "vendredi" | "vrijdag" | "sexta" => Friday,
        "saturday" | "samstag" | "sabado" | "samedi" | "zaterdag" => Saturday,
        "sunday" | "sonntag" | "domingo" | "dimanche" | "zondag" => Sunday,
        _ => return None,
    })
}

fn starts_with(words: &[String], at: usize, phrase: &[&str]) -> bool {
    phrase.iter().enumerate().all(|(i, p)| words.get(at + i).is_some_and(|w| w == p))
}

/// Whether `text` names a time at all (whatever the time of day it is asked).
pub fn names_a_time(text: &str) -> bool {
    use std::sync::OnceLock;
    static NOON: OnceLock<Zoned> = OnceLock::new();
    let noon = NOON.get_or_init(|| {
        jiff::civil::date(2026, 6, 17).at(23, 59, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).expect("a valid time")
    });
    window(text, noon, None).is_some()
}

/// The window `text` names, relative to `now` (in the host's timezone), if it names one.
/// `boot` is when the host last booted, for "since the reboot".
pub fn window(text: &str, now: &Zoned, boot: Option<Timestamp>) -> Option<Window> {
    let words = words(text);
    for at in 0..words.len() {
        if let Some(w) = at_position(&words, at, now, boot) {
            return Some(w);
        }
    }
    None
}

fn recent(now: &Zoned, n: i64, unit: Unit, label: String, moment: bool) -> Option<Window> {
    let start = now.checked_sub(unit.span(n)).ok()?;
    Some(Window {
        start: start.timestamp(),
        end: now.timestamp(),
        label,
        moment: moment.then(|| start.timestamp()),
        since_boot: false,
    })
}

fn at_position(words: &[String], at: usize, now: &Zoned, boot: Option<Timestamp>) -> Option<Window> {
    let word = words[at].as_str();
    // "6 hours ago", "an hour ago", "2 dagen geleden".
    if let (Some(n), Some(u), Some(after)) = (number(word), words.get(at + 1).and_then(|w| unit(w)), words.get(at + 2))
    {
        if AGO_AFTER.contains(&after.as_str()) {
            return recent(now, n, u, format!("since {} ago", article(n, u)), true);
        }
    }
    // "vor 6 Stunden", "hace una hora", "il y a une heure", "há uma hora".
    for lead in AGO_BEFORE {
        if starts_with(words, at, lead) {
            let i = at + lead.len();
            if let (Some(n), Some(u)) = (words.get(i).and_then(|w| number(w)), words.get(i + 1).and_then(|w| unit(w))) {
                return recent(now, n, u, format!("since {} ago", article(n, u)), true);
            }
            if let Some(u) = words.get(i).and_then(|w| unit(w)) {
                return recent(now, 1, u, format!("since {} ago", article(1, u)), true);
            }
        }
    }
    // "last 6 hours", "past couple of days", "letzten 6 Stunden", "ces 6 dernières heures".
    if RECENT.contains(&word)
        || word == "ces"
        || word == "these"
        || word == "de" && words.get(at + 1).is_some_and(|w| w == "afgelopen")
    {
        let mut i = at + 1;
        while words.get(i).is_some_and(|w| matches!(w.as_str(), "of" | "the" | "few" | "couple") && number(w).is_none())
        {
            i += 1;
        }
        let skip_filler = |mut i: usize| {
            while words.get(i).is_some_and(|w| matches!(w.as_str(), "of" | "the" | "de")) {
                i += 1;
            }
            i
        };
        if let Some(n) = words.get(i).and_then(|w| number(w)) {
            let j = skip_filler(i + 1);
            if let Some(u) = words.get(j).and_then(|w| unit(w)) {
                return recent(now, n, u, format!("the last {}", u.name(n)), false);
            }
            // "ces 6 dernières heures": the amount, then the recent-word, then the unit.
            if words.get(j).is_some_and(|w| RECENT.contains(&w.as_str())) {
                if let Some(u) = words.get(j + 1).and_then(|w| unit(w)) {
                    return recent(now, n, u, format!("the last {}", u.name(n)), false);
                }
            }
        }
        if let Some(u) = words.get(i).and_then(|w| unit(w)) {
            if !matches!(u, Unit::Week | Unit::Month) || RECENT[..4].contains(&word) {
                return recent(now, 1, u, format!("the last {}", u.name(1)), false);
            }
        }
    }
    // "in the last hour" handled above; "6 hours" after "for"/"over": "over 6 hours".
    for (phrase, u, back) in CALENDAR {
        if starts_with(words, at, phrase) {
            return calendar(now, *u, *back);
        }
    }
    if SINCE.contains(&word) {
        let mut i = at + 1;
        while words.get(i).is_some_and(|w| {
            matches!(
                w.as_str(),
                "the" | "dem" | "der" | "el" | "le" | "de" | "o" | "a" | "last" | "letzten" | "letztem" | "la"
            )
        }) {
            i += 1;
        }
        if let Some(day) = words.get(i).and_then(|w| weekday(w)) {
            return since_weekday(now, day);
        }
        if words.get(i).is_some_and(|w| REBOOT.contains(&w.as_str())) {
            let start = boot.unwrap_or_else(|| now.timestamp());
            return Some(Window {
                start,
                end: now.timestamp(),
                label: "since the last boot".into(),
                moment: None,
                since_boot: true,
            });
        }
        if let Some(named) = NAMED.iter().find(|(p, _, _)| starts_with(words, i, p)) {
            let w = named_window(now, named.1, named.2)?;
            return Some(Window { end: now.timestamp(), label: format!("since {}", w.label), ..w });
        }
    }
    if let Some((_, back, part)) = NAMED.iter().find(|(p, _, _)| starts_with(words, at, p)) {
        return named_window(now, *back, *part);
    }
    // "at 3am", "um 3 Uhr", "a las 3", "vers 3h", "om 3 uur", "às 03:12".
    if matches!(word, "at" | "um" | "las" | "vers" | "om" | "as" | "around" | "gegen" | "sobre" | "rond") {
        if let Some(t) = words.get(at + 1).and_then(|w| clock(w, words.get(at + 2).map(String::as_str))) {
            return around(now, t);
        }
    }
    // English dates: "on dec 1", "2026-12-01", "last friday".
    if word == "on" || word.contains('-') && word.len() == 10 {
        let phrase: Vec<&str> = words[at..].iter().take(3).map(String::as_str).collect();
        let phrase = phrase.join(" ");
        let phrase = phrase.trim_start_matches("on ");
        for take in (1..=3).rev() {
            let candidate: Vec<&str> = phrase.split(' ').take(take).collect();
            if let Ok(day) = interim::parse_date_string(&candidate.join(" "), now.clone(), interim::Dialect::Uk) {
                let start = day.start_of_day().ok()?;
                let end = start.checked_add(1.day()).ok()?;
                return Some(Window {
                    label: format!("on {}", start.strftime("%b %-d")),
                    start: start.timestamp(),
                    end: end.timestamp().min(now.timestamp()),
                    moment: None,
                    since_boot: false,
                });
            }
        }
    }
    None
}

/// "an hour", "6 hours".
fn article(n: i64, u: Unit) -> String {
    if n == 1 {
        let name = u.name(1);
        if name.starts_with('h') {
            format!("an {name}")
        } else {
            format!("a {name}")
        }
    } else {
        u.name(n)
    }
}

/// `3am`, `3`, `03:12`, `3h`, `15h30`, with "am"/"pm"/"uhr"/"uur" after.
fn clock(word: &str, next: Option<&str>) -> Option<civil::Time> {
    let (digits, suffix) = word.split_at(word.find(|c: char| !c.is_ascii_digit() && c != ':').unwrap_or(word.len()));
    let suffix = if suffix.is_empty() { next.unwrap_or("") } else { suffix };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?),
        None => (digits.parse::<i8>().ok()?, 0),
    };
    let h = match suffix {
        "pm" if h < 12 => h + 12,
        "am" if h == 12 => 0,
        _ => h,
    };
    if !(0..24).contains(&h) || !(0..60).contains(&m) || digits.is_empty() {
        return None;
    }
    civil::Time::new(h, m, 0, 0).ok()
}

/// Half an hour either side of the last time the clock showed `t`.
fn around(now: &Zoned, t: civil::Time) -> Option<Window> {
    let mut moment = now.date().to_datetime(t).to_zoned(now.time_zone().clone()).ok()?;
    if moment.timestamp() > now.timestamp() {
        moment = moment.checked_sub(1.day()).ok()?;
    }
    let start = moment.checked_sub(30.minutes()).ok()?;
    let end = moment.checked_add(30.minutes()).ok()?;
    Some(Window {
        label: format!("around {}", moment.strftime("%H:%M")),
        start: start.timestamp(),
        end: end.timestamp().min(now.timestamp()),
        moment: Some(moment.timestamp()),
        since_boot: false,
    })
}

/// A named part of today or an earlier day, in local time (DST included, by jiff).
fn named_window(now: &Zoned, back: i8, part: Part) -> Option<Window> {
    let (start, end, label) = named_span(now, back, part)?;
    if start.timestamp() > now.timestamp() {
        return None;
    }
    Some(Window {
        start: start.timestamp(),
        end: end.timestamp().min(now.timestamp()),
        label,
        moment: None,
        since_boot: false,
    })
}

/// A part of today the question names that has not begun yet ("this evening" asked at 13:00,
/// "tonight" asked in the afternoon), as the answer names it: "this evening (18:00–23:00 UTC)".
/// `None` when the question names a time that has begun, or none.
pub fn not_begun(text: &str, now: &Zoned) -> Option<String> {
    let words = words(text);
    (0..words.len()).find_map(|at| {
        let (_, back, part) = NAMED.iter().find(|(p, _, _)| starts_with(&words, at, p))?;
        let (start, _, label) = named_span(now, *back, *part)?;
        (start.timestamp() > now.timestamp()).then_some(label)
    })
}

/// The start, end and name (with its hours, but for a whole day) of a named part of a day.
fn named_span(now: &Zoned, back: i8, part: Part) -> Option<(Zoned, Zoned, String)> {
    let tz = now.time_zone().clone();
    let day = now.date().checked_sub((back as i64).days()).ok()?;
    let at = |d: civil::Date, h: i8| d.to_datetime(civil::time(h, 0, 0, 0)).to_zoned(tz.clone()).ok();
    let (start, end, label) = match part {
        Part::Night => {
            // The night that ended this morning, or the one still going before 08:00.
            let end_day = if now.hour() < 8 { now.date() } else { day };
            let start = at(end_day.checked_sub(1.day()).ok()?, 20)?;
            (start, at(end_day, 8)?, "last night".to_string())
        }
        Part::Tonight => {
            // Before 08:00 the night still going; from then on the one that begins at 20:00.
            let start_day = if now.hour() < 8 { now.date().checked_sub(1.day()).ok()? } else { now.date() };
            (at(start_day, 20)?, at(start_day.checked_add(1.day()).ok()?, 8)?, "tonight".to_string())
        }
        // "this morning" asked at 02:00 is since midnight.
        Part::Morning if back == 0 && now.hour() < 6 => (at(day, 0)?, at(day, 12)?, "this morning".into()),
        Part::Morning => {
            (at(day, 6)?, at(day, 12)?, if back == 0 { "this morning" } else { "yesterday morning" }.into())
        }
        Part::Afternoon => {
            (at(day, 12)?, at(day, 18)?, if back == 0 { "this afternoon" } else { "yesterday afternoon" }.into())
        }
        Part::Evening => {
            (at(day, 18)?, at(day, 23)?, if back == 0 { "this evening" } else { "yesterday evening" }.into())
        }
        Part::WholeDay => {
            let start = day.to_zoned(tz.clone()).ok()?;
            (start.clone(), start.checked_add(1.day()).ok()?, if back == 0 { "today" } else { "yesterday" }.into())
        }
    };
    let span = format!("{}–{}", start.strftime("%H:%M"), end.strftime("%H:%M %Z"));
    let label = if matches!(part, Part::WholeDay) { label } else { format!("{label} ({span})") };
    Some((start, end, label))
}

/// This or last week (from Monday) or month (from the 1st).
fn calendar(now: &Zoned, unit: Unit, back: i8) -> Option<Window> {
    let tz = now.time_zone().clone();
    let today = now.date();
    let this_start = match unit {
        Unit::Week => today.checked_sub((today.weekday().to_monday_zero_offset() as i64).days()).ok()?,
        _ => today.first_of_month(),
    };
    let start_day = if back == 0 { this_start } else { this_start.checked_sub(unit.span(1)).ok()? };
    let end_day = if back == 0 { today.checked_add(1.day()).ok()? } else { this_start };
    let start = start_day.to_zoned(tz.clone()).ok()?;
    let end = end_day.to_zoned(tz).ok()?;
    let label = match (unit, back) {
        (Unit::Week, 0) => "this week",
        (Unit::Week, _) => "last week",
        (_, 0) => "this month",
        _ => "last month",
    };
    Some(Window {
        start: start.timestamp(),
        end: end.timestamp().min(now.timestamp()),
        label: label.into(),
        moment: None,
        since_boot: false,
    })
}

/// From the last `day` before today, at midnight, until now.
fn since_weekday(now: &Zoned, day: civil::Weekday) -> Option<Window> {
    let today = now.date();
    let mut back = (today.weekday().to_monday_zero_offset() - day.to_monday_zero_offset()).rem_euclid(7) as i64;
    if back == 0 {
        back = 7;
    }
    let start = today.checked_sub(back.days()).ok()?.to_zoned(now.time_zone().clone()).ok()?;
    Some(Window {
        label: format!("since {}", start.strftime("%A")),
        start: start.timestamp(),
        end: now.timestamp(),
        moment: None,
        since_boot: false,
    })
}

#[cfg(test)]
mod tests;
