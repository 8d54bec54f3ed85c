//! How the builtin model says `get_events`: a short timeline in the host's local time, what
//! belongs together said once ("**sonarr** died 4× between 03:12 and 03:40 CET, exit code 1,
//! started again each time; last log line: …", "was unhealthy from 03:00 to 03:10"), the
//! crashes counted first, the quiet stretches named, and the stretches not watched said as
//! unknown rather than quiet. In the situation report, one paragraph of what stood out.

use homelab_common::clock::parse_rfc3339;
use homelab_schemas::monitoring::{Event, EventKind, Events};
use homelab_understanding::{Kind, Understanding as Topics};

use super::{
    answer::capitalised,
    reports::{bullets, plural, text},
    say,
};

/// A stretch without events this long is said to be quiet.
const QUIET_SECONDS: i64 = 3 * 3600;
/// Events said as one when the second follows the first within this long (a stop and its exit).
const TOGETHER_SECONDS: i64 = 60;
/// A container started again this soon after it died was restarted (by its policy or by hand).
const RESTARTED_WITHIN: i64 = 600;
/// Repeats each within this long of the one before are one line (a restart loop).
const GROUP_SECONDS: i64 = 1800;
/// Gaps listed at most; the rest are counted.
const LISTED_GAPS: usize = 3;

/// The events in prose: a timeline for a question about the past, one paragraph in the
/// situation report.
pub fn events(e: &Events, topics: &Topics) -> String {
    if topics.has(Kind::Overview) && !topics.has(Kind::Events) {
        return brief(e);
    }
    timeline(e, topics)
}

/// Times said in the host's zone, with the day when the window spans more than one.
struct Clock<'a> {
    zone: Option<&'a str>,
    days: bool,
}

impl Clock<'_> {
    fn of(e: &Events) -> Clock<'_> {
        let span = secs(&e.until) - secs(&e.since);
        Clock { zone: Some(e.timezone.as_str()), days: span > 24 * 3600 }
    }

    fn at(&self, rfc3339: &str) -> String {
        if self.days {
            say::when(rfc3339, self.zone)
        } else {
            say::clock(rfc3339, self.zone)
        }
    }

    fn unix(&self, seconds: i64) -> String {
        let zone = homelab_common::clock::HostZone::named(self.zone.unwrap_or("UTC"));
        self.at(&zone.rfc3339(seconds))
    }
}

fn secs(rfc3339: &str) -> i64 {
    parse_rfc3339(rfc3339).unwrap_or(0)
}

fn end_of(e: &Event) -> i64 {
    e.last_at.as_deref().map_or_else(|| secs(&e.at), secs)
}

/// `**sonarr**`, with its host when several answered.
fn who(e: &Event) -> String {
    match &e.host {
        Some(host) => format!("**{}** (on {})", text(&e.subject), text(host)),
        None => format!("**{}**", text(&e.subject)),
    }
}

fn quoted(line: &str) -> String {
    format!("`{}`", line.replace('`', "'"))
}

/// A crash: a non-zero exit that no signal asked for, or an out-of-memory kill.
struct Crash {
    subject: String,
    count: u32,
    /// Some of `count` fell outside the window (a loop counted as one record).
    partly_outside: bool,
    how: String,
}

/// One line of the timeline: when it began and ended, what it says.
struct Line {
    start: i64,
    end: i64,
    said: String,
}

/// The events not yet said, of `kinds`, about `i`'s subject, within `[from, to]` (repeats kept
/// as one event: reaching into it): marked as said and summed into one (count, last time, last
/// exit code and log line), or `None` when there are none.
fn take_all(events: &[Event], said: &mut [bool], i: usize, kinds: &[EventKind], from: i64, to: i64) -> Option<Event> {
    take_up_to(events, said, i, (kinds, &|_| true), (from, to), u32::MAX)
}

/// The kinds of event wanted, and which of those fit.
type Wanted<'a> = (&'a [EventKind], &'a dyn Fn(&Event) -> bool);

/// [`take_all`] within `(from, to)`, but no more than `most` occurrences in all: a container
/// stopped once takes the one exit that followed, not a crash loop recorded as one event that
/// began then.
fn take_up_to(
    events: &[Event],
    said: &mut [bool],
    i: usize,
    (kinds, fits): Wanted,
    (from, to): (i64, i64),
    most: u32,
) -> Option<Event> {
    let e = &events[i];
    let mut sum: Option<Event> = None;
    for j in 0..events.len() {
        let f = &events[j];
        let (at, last) = (secs(&f.at), end_of(f));
        if j == i
            || said[j]
            || !kinds.contains(&f.kind)
            || !fits(f)
            || f.subject != e.subject
            || f.host != e.host
            || last < from
            || at > to
        {
            continue;
        }
        if sum.as_ref().map_or(0, |s| s.count).saturating_add(f.count) > most {
            continue;
        }
        said[j] = true;
        sum = Some(match sum {
            None => f.clone(),
            Some(mut s) => {
                s.count = s.count.saturating_add(f.count);
                s.last_at = Some(f.last_at.clone().unwrap_or_else(|| f.at.clone()));
                s.partly_outside |= f.partly_outside;
                s.exit_code = f.exit_code.or(s.exit_code);
                s.log_line = f.log_line.clone().or(s.log_line);
                s
            }
        });
    }
    sum
}

/// Event `i` with its repeats (the same thing to the same container, each within
/// [`GROUP_SECONDS`] of the one before) summed in: a restart loop is one line.
fn with_repeats(events: &[Event], said: &mut [bool], i: usize) -> Event {
    let mut e = events[i].clone();
    let chains = matches!(
        e.kind,
        EventKind::Died | EventKind::OomKilled | EventKind::Killed | EventKind::Started | EventKind::Restarted
    );
    if !chains {
        return e;
    }
    for j in i + 1..events.len() {
        let f = &events[j];
        let repeat = !said[j]
            && f.kind == e.kind
            && f.subject == e.subject
            && f.host == e.host
            && f.exit_code == e.exit_code
            && f.signal == e.signal;
        // A loop's starts, and a start after a death, are said with the deaths they follow, not
        // summed into an earlier start.
        if !repeat
            || (f.kind == EventKind::Started
                && (loop_starts(events, said, j) || death_between(events, said, &e, end_of(&e), secs(&f.at))))
        {
            continue;
        }
        if secs(&f.at) - end_of(&e) > GROUP_SECONDS {
            break;
        }
        said[j] = true;
        e.count = e.count.saturating_add(f.count);
        e.last_at = Some(f.last_at.clone().unwrap_or_else(|| f.at.clone()));
        e.partly_outside |= f.partly_outside;
        e.log_line = f.log_line.clone().or(e.log_line);
    }
    e
}

/// `died 4× between 03:12 and 03:40 CET`, `died 2× at 03:12 CET` or `died`; repeats counted
/// past the window say so.
fn times(verb: &str, e: &Event, clock: &Clock) -> String {
    let (first, last) = (clock.at(&e.at), clock.unix(end_of(e)));
    let when = if first == last { format!("at {first}") } else { format!("between {first} and {last}") };
    match e.count {
        1 => verb.to_string(),
        n if e.partly_outside => format!("{verb} {n}× {when} ({OUTSIDE})"),
        n => format!("{verb} {n}× {when}"),
    }
}

/// Said of repeats kept as one record that reaches past the window asked.
const OUTSIDE: &str = "counted together with repeats outside this window; how many fell inside it is not known";

/// `started again each time`, `started again at 03:13 CET`: the starts that followed `e` (a
/// death, an OOM kill) within [`RESTARTED_WITHIN`].
fn started_again(
    events: &[Event],
    said: &mut [bool],
    i: usize,
    e: &Event,
    clock: &Clock,
    end: &mut i64,
) -> Option<String> {
    let s = take_all(events, said, i, &[EventKind::Started], secs(&e.at), end_of(e) + RESTARTED_WITHIN)?;
    *end = (*end).max(end_of(&s));
    // A loop's starts kept as one event begin with the start before the first death.
    let after = if secs(&s.at) < secs(&e.at) { s.count.saturating_sub(1) } else { s.count };
    Some(match (e.count, after) {
        // Only a start before the death (times that could not be read): said as a start.
        (_, 0) => format!("started at {}", clock.at(&s.at)),
        (n, m) if n > 1 && m >= n => "started again each time".to_string(),
        (_, 1) => format!("started again at {}", clock.at(&s.at)),
        (_, m) => format!("started again {m}×, last at {}", clock.unix(end_of(&s))),
    })
}

/// Whether a death or an out-of-memory kill of `e`'s container, not yet said, came within
/// `[from, to]`.
fn death_between(events: &[Event], said: &[bool], e: &Event, from: i64, to: i64) -> bool {
    events.iter().enumerate().any(|(j, f)| {
        !said[j]
            && matches!(f.kind, EventKind::Died | EventKind::OomKilled)
            && f.subject == e.subject
            && f.host == e.host
            && (from..=to).contains(&secs(&f.at))
    })
}

/// Whether event `i` is a loop's starts, kept as one event, that a death or an out-of-memory kill
/// of the same container within it will say ("died 14×, …, started again each time").
fn loop_starts(events: &[Event], said: &[bool], i: usize) -> bool {
    let e = &events[i];
    let (start, end) = (secs(&e.at), end_of(e));
    e.kind == EventKind::Started
        && e.count > 1
        && events.iter().enumerate().skip(i + 1).any(|(j, f)| {
            !said[j]
                && matches!(f.kind, EventKind::Died | EventKind::OomKilled)
                && f.subject == e.subject
                && f.host == e.host
                && (start..=end).contains(&secs(&f.at))
        })
}

/// The lines of the timeline, and the crashes among them.
fn lines(events: &[Event], clock: &Clock) -> (Vec<Line>, Vec<Crash>) {
    let mut said = vec![false; events.len()];
    let mut lines = Vec::new();
    let mut crashes = Vec::new();
    // First the events in order, leaving a loop's starts to the deaths they follow; then whatever
    // is left (starts whose deaths were said another way).
    for defer in [true, false] {
        for i in 0..events.len() {
            if said[i] || (defer && loop_starts(events, &said, i)) {
                continue;
            }
            said[i] = true;
            let e = &with_repeats(events, &mut said, i);
            let (start, mut end) = (secs(&e.at), end_of(e));
            let soon = end + TOGETHER_SECONDS;
            let phrase = match e.kind {
                EventKind::Died => {
                    let mut parts = vec![times("died", e, clock)];
                    if let Some(code) = e.exit_code {
                        parts.push(format!("exit code {code}"));
                    }
                    parts.extend(started_again(events, &mut said, i, e, clock, &mut end));
                    if e.exit_code != Some(0) {
                        crashes.push(Crash {
                            subject: who(e),
                            count: e.count,
                            partly_outside: e.partly_outside,
                            how: e.exit_code.map(|c| format!("exit code {c}")).unwrap_or_default(),
                        });
                    }
                    let mut phrase = parts.join(", ");
                    if let Some(line) = &e.log_line {
                        phrase.push_str(&format!("; last log line: {}", quoted(line)));
                    }
                    phrase
                }
                EventKind::OomKilled => {
                    // Docker can report running out of memory many times for one death (27
                    // reports and one exit 137, seen on the eval fixture), and some without one
                    // (a process in it was killed): the deaths are what is counted, the reports
                    // said beside them.
                    let killed_by_it = |d: &Event| oom_death(d, e);
                    let died =
                        take_up_to(events, &mut said, i, (&[EventKind::Died], &killed_by_it), (start, soon), e.count);
                    let mut parts = Vec::new();
                    match &died {
                        Some(d) => {
                            let mut killed = e.clone();
                            killed.count = d.count;
                            killed.partly_outside |= d.partly_outside;
                            killed.last_at = d.last_at.clone().or_else(|| (d.count > 1).then(|| d.at.clone()));
                            parts.push(times("was killed for running out of memory", &killed, clock));
                            if e.count > d.count {
                                parts.push(format!("Docker reported running out of memory {}×", e.count));
                            }
                            if let Some(code) = d.exit_code {
                                parts.push(format!("exit code {code}"));
                            }
                            parts.extend(started_again(events, &mut said, i, &killed, clock, &mut end));
                            crashes.push(Crash {
                                subject: who(e),
                                count: d.count,
                                partly_outside: e.partly_outside || d.partly_outside,
                                how: "out of memory".into(),
                            });
                        }
                        None => parts.push(times("ran out of memory", e, clock)),
                    }
                    let mut phrase = parts.join(", ");
                    if let Some(line) = died.as_ref().and_then(|d| d.log_line.as_ref()) {
                        phrase.push_str(&format!("; last log line: {}", quoted(line)));
                    }
                    phrase
                }
                EventKind::Killed => {
                    let died =
                        take_up_to(events, &mut said, i, (&[EventKind::Died], &|_| true), (start, soon), e.count);
                    let verb = match e.signal.as_deref().unwrap_or_default().trim_start_matches("SIG") {
                        "15" | "TERM" => "was stopped".to_string(),
                        "9" | "KILL" => "was killed (SIGKILL)".to_string(),
                        other => format!("was sent signal {}", text(other)),
                    };
                    let mut phrase = times(&verb, e, clock);
                    if let Some(code) = died.and_then(|d| d.exit_code) {
                        phrase.push_str(&format!(", exit code {code}"));
                    }
                    phrase
                }
                EventKind::Destroyed => {
                    let kinds = [EventKind::Updated, EventKind::Created];
                    match take_up_to(
                        events,
                        &mut said,
                        i,
                        (&kinds, &|_| true),
                        (start, end + RESTARTED_WITHIN),
                        e.count,
                    ) {
                        Some(new) => {
                            let image = new.image.as_deref().map(|i| format!(" ({})", quoted(i))).unwrap_or_default();
                            let verb = if new.kind == EventKind::Updated {
                                "was updated to a new image"
                            } else {
                                "was re-created"
                            };
                            let started = take_up_to(
                                events,
                                &mut said,
                                i,
                                (&[EventKind::Started], &|_| true),
                                (start, soon + RESTARTED_WITHIN),
                                new.count,
                            );
                            format!("{verb}{image}{}", if started.is_some() { " and started" } else { "" })
                        }
                        None => "was removed".into(),
                    }
                }
                EventKind::Created | EventKind::Updated => {
                    let image = e.image.as_deref().map(|i| format!(" ({})", quoted(i))).unwrap_or_default();
                    let verb =
                        if e.kind == EventKind::Updated { "was re-created from a new image" } else { "was created" };
                    let started =
                        take_up_to(events, &mut said, i, (&[EventKind::Started], &|_| true), (start, soon), e.count);
                    format!("{verb}{image}{}", if started.is_some() { " and started" } else { "" })
                }
                EventKind::Started => match take_all(events, &mut said, i, &[EventKind::Restarted], start, end + 5) {
                    Some(_) => times("was restarted", e, clock),
                    None => times("was started", e, clock),
                },
                EventKind::Restarted => times("was restarted", e, clock),
                EventKind::Unhealthy => {
                    match take_all(events, &mut said, i, &[EventKind::Healthy], start, i64::MAX / 4) {
                        Some(well) => {
                            end = secs(&well.at);
                            format!("was unhealthy from {} to {}", clock.at(&e.at), clock.at(&well.at))
                        }
                        None => times("turned unhealthy", e, clock),
                    }
                }
                EventKind::Healthy => times("was healthy again", e, clock),
                EventKind::Booted => "the host booted".into(),
                EventKind::FilesystemHigh => {
                    let already = e.text.as_deref().map(|t| format!(" ({})", text(t))).unwrap_or_default();
                    format!("reached {:.1} % used{already}", e.percent_used.unwrap_or(90.0))
                }
                EventKind::FilesystemNormal => {
                    format!("went back under 90 % ({:.1} % used)", e.percent_used.unwrap_or(0.0))
                }
                EventKind::AlertRaised | EventKind::AlertCleared => {
                    let verb = if e.kind == EventKind::AlertRaised { "raised" } else { "cleared" };
                    let level = e.level.as_deref().map(|l| format!("{} ", text(l))).unwrap_or_default();
                    let about = e.text.as_deref().map(|t| format!(": {}", text(t))).unwrap_or_default();
                    format!("TrueNAS {verb} a {level}alert ({}){about}", text(&e.subject))
                }
            };
            let said = match e.kind {
                EventKind::Booted | EventKind::AlertRaised | EventKind::AlertCleared => phrase,
                EventKind::FilesystemHigh | EventKind::FilesystemNormal => format!("{} {phrase}", quoted(&e.subject)),
                _ => format!("{} {phrase}", who(e)),
            };
            lines.push(Line { start, end, said: format!("{}: {said}", clock.at(&e.at)) });
        }
    }
    (lines, crashes)
}

/// `[from, to]` without the gaps in it, in pieces at least [`QUIET_SECONDS`] long.
fn quiet(from: i64, to: i64, gaps: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut pieces = vec![(from, to)];
    for &(a, b) in gaps {
        pieces = pieces
            .into_iter()
            .flat_map(|(x, y)| if b <= x || a >= y { vec![(x, y)] } else { vec![(x, a.max(x)), (b.min(y), y)] })
            .collect();
    }
    pieces.into_iter().filter(|(x, y)| y - x >= QUIET_SECONDS).collect()
}

/// `last night (20:00–08:00 CET)` as the question named it, or the window's own times.
fn label(e: &Events, topics: &Topics, clock: &Clock) -> String {
    match &topics.window {
        // "Nothing happened in the last hour", "… last night", "… since Friday".
        Some(w) if w.label.starts_with("the last") => format!("in {}", text(&w.label)),
        Some(w) => text(&w.label).into_owned(),
        // A day exactly (the tool's own window) says its days: "from 17:53 to 17:53" says nothing.
        None if !clock.days && secs(&e.until) - secs(&e.since) >= 24 * 3600 => {
            let zone = Some(e.timezone.as_str());
            format!("from {} to {}", say::when(&e.since, zone), say::when(&e.until, zone))
        }
        None => format!("from {} to {}", clock.at(&e.since), clock.at(&e.until)),
    }
}

fn timeline(e: &Events, topics: &Topics) -> String {
    let clock = Clock::of(e);
    let when = label(e, topics, &clock);
    let gaps: Vec<(i64, i64)> = e.gaps.iter().map(|g| (secs(&g.from), secs(&g.to))).collect();
    let (mut lines, mut crashes) = lines(&e.events, &clock);
    // One container's crashes the same way, said on several lines (two loops a while apart), are
    // counted together in the headline.
    let mut i = 0;
    while i < crashes.len() {
        match (0..i).find(|&j| crashes[j].subject == crashes[i].subject && crashes[j].how == crashes[i].how) {
            Some(j) => {
                let c = crashes.remove(i);
                crashes[j].count = crashes[j].count.saturating_add(c.count);
                crashes[j].partly_outside |= c.partly_outside;
            }
            None => i += 1,
        }
    }
    let one = match topics.containers.as_slice() {
        [name] => Some(name.as_str()),
        _ => None,
    };
    let mut parts = Vec::new();
    if e.events.is_empty() {
        parts.push(match (one, e.gaps.is_empty()) {
            (Some(name), true) => {
                format!("Nothing happened to **{}** {when}: it did not stop, crash, restart or change.", text(name))
            }
            (None, true) => format!(
                "Nothing happened {when}: no container started, stopped or crashed, the host did not boot and no \
                 filesystem crossed 90 %."
            ),
            (_, false) => format!("No events are recorded {when}, but not all of it was watched (below)."),
        });
    } else {
        let mut head = capitalised(&when);
        head.push_str(": ");
        // `**sonarr** (4×, exit code 1)`, or with `crashed` after the name for one alone.
        let crash = |c: &Crash, verb: &str| {
            let mut how: Vec<String> = Vec::new();
            if c.count > 1 {
                how.push(format!("{}{}×", if c.partly_outside { "up to " } else { "" }, c.count));
            }
            how.extend((!c.how.is_empty()).then(|| c.how.clone()));
            let how = if how.is_empty() { String::new() } else { format!(" ({})", how.join(", ")) };
            format!("{}{verb}{how}", c.subject)
        };
        head.push_str(&match crashes.as_slice() {
            [] => "no container crashed.".to_string(),
            [c] => format!("{}.", crash(c, " crashed")),
            list => {
                let names: Vec<String> = list.iter().map(|c| crash(c, "")).collect();
                // One container can crash in two ways (exit 137, then exit 2): counted once.
                let containers = list.iter().map(|c| &c.subject).collect::<std::collections::BTreeSet<_>>().len();
                format!("{} crashed: {}.", plural(containers, "container", "containers"), names.join(", "))
            }
        });
        if let Some(name) = one {
            // The latest start, a loop's starts kept as one event counting by their last.
            let last = e
                .events
                .iter()
                .filter(|ev| {
                    ev.subject == name
                        && matches!(ev.kind, EventKind::Started | EventKind::Restarted | EventKind::Updated)
                })
                .max_by_key(|ev| end_of(ev));
            head.push_str(&match last {
                Some(s) => format!(
                    " **{}** last started at {}.",
                    text(name),
                    say::when(s.last_at.as_deref().unwrap_or(&s.at), Some(&e.timezone))
                ),
                None => format!(" **{}** did not start or restart in this window.", text(name)),
            });
        }
        parts.push(head);
        // The quiet stretches between the events (and at either end), where watched.
        let (since, until) = (secs(&e.since), secs(&e.until));
        // Nothing before the record began is called quiet: it was not watched.
        let since = e.recorded_since.as_deref().map_or(since, |r| since.max(secs(r)).min(until));
        // In time order (the second pass added some lines late).
        lines.sort_by_key(|l| (l.start, l.end));
        let mut bounds: Vec<i64> = vec![since];
        for l in &lines {
            bounds.push(l.start);
            bounds.push(l.end);
        }
        bounds.push(until);
        let mut edge = since;
        let mut quiet_lines = Vec::new();
        for pair in bounds.chunks(2) {
            if let [a, b] = pair {
                for (x, y) in quiet(edge.max(*a), *b, &gaps) {
                    quiet_lines.push(Line {
                        start: x,
                        end: y,
                        said: format!("{} to {}: quiet", clock.unix(x), clock.unix(y)),
                    });
                }
                edge = edge.max(*b);
            }
        }
        lines.extend(quiet_lines);
        lines.sort_by_key(|l| (l.start, l.end));
        parts.push(bullets("What happened:", lines.into_iter().map(|l| l.said)));
    }
    if !e.gaps.is_empty() {
        let said: Vec<String> = e
            .gaps
            .iter()
            .take(LISTED_GAPS)
            .map(|g| format!("from {} to {} ({})", clock.at(&g.from), clock.at(&g.to), text(&g.why)))
            .collect();
        let more = e.gaps.len().saturating_sub(LISTED_GAPS);
        let more = if more > 0 { format!(", and {} more", plural(more, "time", "times")) } else { String::new() };
        parts.push(format!("Not watched {}{more}: what happened then is unknown, not quiet.", said.join("; ")));
    }
    if let Some(note) = &e.note {
        parts.push(format!("(Note: {})", text(note)));
    }
    parts.join("\n\n")
}

/// A death that an out-of-memory report `oom` explains: the same container, killed (exit 137).
fn oom_death(d: &Event, oom: &Event) -> bool {
    d.kind == EventKind::Died && d.subject == oom.subject && d.host == oom.host && d.exit_code == Some(137)
}

/// The events with each one's repeats (same kind, container, exit code and signal, each within
/// [`GROUP_SECONDS`] of the one before) summed into it, in order.
fn repeats_joined(events: &[Event]) -> Vec<Event> {
    let mut joined: Vec<Event> = Vec::new();
    for ev in events {
        let repeat = joined.iter_mut().rev().find(|j| {
            j.kind == ev.kind
                && j.subject == ev.subject
                && j.host == ev.host
                && j.exit_code == ev.exit_code
                && j.signal == ev.signal
        });
        match repeat {
            Some(j) if secs(&ev.at) - end_of(j) <= GROUP_SECONDS => {
                j.count = j.count.saturating_add(ev.count);
                if end_of(ev) > end_of(j) {
                    j.last_at = Some(ev.last_at.clone().unwrap_or_else(|| ev.at.clone()));
                }
                j.partly_outside |= ev.partly_outside;
                j.log_line = ev.log_line.clone().or(j.log_line.take());
            }
            _ => joined.push(ev.clone()),
        }
    }
    joined
}

/// The situation report's paragraph: what stood out over the window, the rest counted.
fn brief(e: &Events) -> String {
    let clock = Clock::of(e);
    let span = secs(&e.until) - secs(&e.since);
    let when = if (span - 86_400).abs() < 120 {
        "In the last 24 hours".to_string()
    } else {
        format!("Since {}", clock.at(&e.since))
    };
    // Each container's repeats as one (the record keeps a loop's first few apart).
    let events = repeats_joined(&e.events);
    // Deaths right after as many signals (`docker stop`, `docker rm -f`) were asked for, not crashes;
    // after as many out-of-memory kills, they are those kills, said already.
    let signalled = |ev: &Event| {
        events.iter().any(|k| {
            matches!(k.kind, EventKind::Killed | EventKind::OomKilled)
                && k.count >= ev.count
                && k.subject == ev.subject
                && k.host == ev.host
                && (0..=TOGETHER_SECONDS).contains(&(secs(&ev.at) - secs(&k.at)))
        })
    };
    let notable = |ev: &&Event| {
        ev.kind.is_trouble()
            || matches!(ev.kind, EventKind::Booted | EventKind::Updated)
            || (ev.kind == EventKind::Died && ev.exit_code != Some(0) && !signalled(ev))
    };
    // The deaths that followed an out-of-memory report (Docker reports more than there are).
    let oom_deaths = |ev: &Event| -> u32 {
        let (from, to) = (secs(&ev.at), end_of(ev) + TOGETHER_SECONDS);
        events
            .iter()
            .filter(|d| oom_death(d, ev) && (from..=to).contains(&secs(&d.at)))
            .fold(0u32, |sum, d| sum.saturating_add(d.count))
            .min(ev.count)
    };
    let stood_out: Vec<&Event> = events.iter().filter(notable).collect();
    let routine = events.len() - stood_out.len();
    let unwatched = if e.gaps.is_empty() { "" } else { " (not all of it was watched)" };
    if stood_out.is_empty() {
        return match routine {
            0 if e.gaps.is_empty() => format!("{when} nothing happened: no crash, restart or reboot."),
            0 => format!("{when} no events are recorded{unwatched}."),
            n => format!(
                "{when} nothing went wrong{unwatched}: {} (starts, stops).",
                plural(n, "routine event", "routine events")
            ),
        };
    }
    let said: Vec<String> = stood_out
        .iter()
        .take(5)
        .map(|ev| {
            let last = clock.unix(end_of(ev));
            let n = match ev.count {
                1 => String::new(),
                n if ev.partly_outside => format!(" up to {n}×"),
                n => format!(" {n}×"),
            };
            match ev.kind {
                EventKind::Died => format!(
                    "{} died{n} (last at {last}{})",
                    who(ev),
                    ev.exit_code.map(|c| format!(", exit code {c}")).unwrap_or_default()
                ),
                EventKind::OomKilled => {
                    let up_to = if ev.partly_outside { "up to " } else { "" };
                    match oom_deaths(ev) {
                        0 => format!("{} ran out of memory{n} (last at {last})", who(ev)),
                        1 => format!("{} was killed for running out of memory (at {last})", who(ev)),
                        d => format!("{} was killed for running out of memory {up_to}{d}× (last at {last})", who(ev)),
                    }
                }
                EventKind::Unhealthy => format!("{} turned unhealthy{n} (at {})", who(ev), clock.at(&ev.at)),
                EventKind::Updated => format!("{} was updated (at {})", who(ev), clock.at(&ev.at)),
                EventKind::Booted => format!("the host booted at {}", clock.at(&ev.at)),
                EventKind::FilesystemHigh => {
                    format!("{} reached 90 % used at {}", quoted(&ev.subject), clock.at(&ev.at))
                }
                _ => format!("TrueNAS raised an alert ({}) at {}", text(&ev.subject), clock.at(&ev.at)),
            }
        })
        .collect();
    let more = stood_out.len().saturating_sub(5);
    let mut tail = String::new();
    if more > 0 {
        tail.push_str(&format!("; {more} more"));
    }
    if routine > 0 {
        tail.push_str(&format!("; and {}", plural(routine, "routine event", "routine events")));
    }
    format!("{when}{unwatched}: {}{tail}. Ask \"what happened?\" for the timeline.", said.join("; "))
}

#[cfg(test)]
pub(super) mod tests;
