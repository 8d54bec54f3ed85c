//! The read-only policy (SPEC §6): a deterministic classifier of intent that runs before any
//! LLM or tool call. It refuses requests for *actions on the system* — imperative or polite
//! ("please restart…", "can you stop…", "I need you to delete…"), shell commands, scheduling,
//! attempts to override the rules — and allows *questions about state* ("which containers are
//! stopped?", "why did plex stop?", "which ports does nginx expose?").
//!
//! How: the message is split into clauses; polite and indirect lead-ins are peeled off each
//! clause; a clause that then begins with an action verb aimed at the system (or a shell command)
//! is a request to act. Questions keep their question word first, so the same verbs inside a
//! question ("why did it *stop*?") are not mistaken for orders.

mod vocabulary;

use vocabulary::*;

/// What the policy decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// A request to act; `request` is the offending clause as the user wrote it.
    Refuse {
        request: String,
        reason: RefusalKind,
    },
}

/// Why a request was refused, for the wording of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// An action verb aimed at the system.
    Action,
    /// A shell command to run.
    Command,
    /// An attempt to change the assistant's rules.
    Override,
}

/// Decides whether `message` may go on to the model.
pub fn check(message: &str) -> Verdict {
    let lower = message.to_lowercase();
    let flat = squash_spaces(&lower);
    if OVERRIDES.iter().any(|o| flat.contains(o)) {
        return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Override };
    }
    if has_dangerous_command(&flat) && !is_question_about(&flat) {
        return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Command };
    }
    let recurring = RECURRING.iter().any(|r| flat.contains(r));
    for (clause, original) in clauses(message) {
        if let Some(kind) = clause_requests_action(&clause) {
            return Verdict::Refuse { request: shorten(&original), reason: kind };
        }
        if recurring && orders_anything(&clause) {
            return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Action };
        }
    }
    Verdict::Allow
}

fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace(['’', '‘'], "'")
}

fn shorten(s: &str) -> String {
    let s = s.trim().trim_end_matches(['.', '!', '?']).trim();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Splits on sentence ends, `;`, `:`, newlines, commas and the conjunctions that join orders
/// ("…stopped and restart them"), keeping each clause's original text for the refusal.
fn clauses(message: &str) -> Vec<(Vec<String>, String)> {
    let normalised = message.replace(['’', '‘'], "'");
    let mut pieces = Vec::new();
    for sentence in normalised.split(['.', '!', '?', ';', ':', '\n', ',', '(', ')']) {
        let words: Vec<&str> = sentence.split_whitespace().collect();
        let mut start = 0;
        for (i, w) in words.iter().enumerate() {
            let lw = w.to_lowercase();
            if i > start && matches!(lw.as_str(), "and" | "then" | "but" | "also" | "&" | "&&" | "or" | "afterwards") {
                pieces.push(words[start..i].join(" "));
                start = i + 1;
            }
        }
        if start < words.len() {
            pieces.push(words[start..].join(" "));
        }
    }
    pieces
        .into_iter()
        .map(|original| {
            let tokens = original
                .to_lowercase()
                .split_whitespace()
                .map(|t| {
                    t.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-' && c != '_' && c != '/')
                        .to_string()
                })
                .filter(|t| !t.is_empty())
                .collect();
            (tokens, original)
        })
        .collect()
}

/// Peels lead-ins off the front of a clause; returns the rest and whether anything was peeled.
fn peel(mut tokens: &[String]) -> (&[String], bool, bool) {
    let mut peeled = false;
    let mut wish = false;
    'outer: loop {
        // Longest lead-in first, so "can you please" beats "can you".
        let mut best: Option<&str> = None;
        for lead in LEAD_INS {
            let parts: Vec<&str> = lead.split(' ').collect();
            let longer = best.is_none_or(|b| parts.len() > b.split(' ').count());
            if longer && tokens.len() > parts.len() && tokens.iter().zip(&parts).all(|(t, p)| t == p) {
                best = Some(lead);
            }
        }
        let Some(lead) = best else { break 'outer };
        wish |= WISHES.iter().any(|w| lead.starts_with(w));
        tokens = &tokens[lead.split(' ').count()..];
        peeled = true;
    }
    (tokens, peeled, wish)
}

/// True when a state word in `window` follows the object directly ("plex running"), not a
/// determiner or a verb ("the running containers", "that are stopped").
fn orders_a_state(window: &[String]) -> bool {
    window
        .iter()
        .enumerate()
        .any(|(i, w)| CHANGE_STATES.contains(&w.as_str()) && (i == 0 || !DESCRIBING.contains(&window[i - 1].as_str())))
}

/// The base form of a gerund after a polite lead-in: "restarting" → "restart", "stopping" → "stop".
fn base_of_gerund(word: &str) -> Option<String> {
    let stem = word.strip_suffix("ing")?;
    let candidates = [
        stem.to_string(),
        format!("{stem}e"),
        stem.chars().take(stem.chars().count().saturating_sub(1)).collect::<String>(),
    ];
    candidates.into_iter().find(|c| ACTION_VERBS.contains(&c.as_str()) || AMBIGUOUS_VERBS.contains(&c.as_str()))
}

fn clause_requests_action(tokens: &[String]) -> Option<RefusalKind> {
    let (rest, peeled, wish) = peel(tokens);
    let first = rest.first()?.as_str();
    if wish && !READ_VERBS.contains(&first) && orders_a_state(&rest[1..rest.len().min(5)]) {
        return Some(RefusalKind::Action);
    }
    let next = rest.get(1).map(String::as_str);
    let verb = if peeled { base_of_gerund(first).unwrap_or_else(|| first.to_string()) } else { first.to_string() };
    let verb = verb.as_str();

    if SHELL_TOOLS.contains(&verb) {
        return next.filter(|n| SHELL_WRITES.contains(n)).map(|_| RefusalKind::Command);
    }
    if ACTION_VERBS.contains(&verb) {
        // "Update on the backups?" / "Start time of plex?" read as nouns when a preposition follows.
        if next.is_some_and(|n| {
            matches!(
                n,
                "on" | "of"
                    | "time"
                    | "times"
                    | "date"
                    | "status"
                    | "history"
                    | "log"
                    | "logs"
                    | "policy"
                    | "policies"
                    | "count"
                    | "counts"
                    | "loop"
                    | "loops"
                    | "reason"
                    | "reasons"
            )
        }) && !peeled
        {
            return None;
        }
        return Some(if is_shell_word(verb) { RefusalKind::Command } else { RefusalKind::Action });
    }
    if AMBIGUOUS_VERBS.contains(&verb) {
        let object = next?;
        let needs_change_object = matches!(
            verb,
            "take"
                | "make"
                | "get"
                | "put"
                | "keep"
                | "let"
                | "do"
                | "bring"
                | "back"
                | "load"
                | "save"
                | "send"
                | "map"
                | "limit"
                | "lock"
                | "mark"
                | "force"
        );
        if needs_change_object {
            let window = &rest[1..rest.len().min(5)];
            let noun = window.iter().any(|w| CHANGE_NOUNS.contains(&w.as_str()));
            return (noun || orders_a_state(window)).then_some(RefusalKind::Action);
        }
        let numbered_ports = object == "ports" && rest.get(2).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
        if OBJECT_STARTERS.contains(&object)
            || object.chars().all(|c| c.is_ascii_digit())
            || (object.contains('/') && object != "i/o")
            || numbered_ports
            || peeled
        {
            return Some(RefusalKind::Action);
        }
    }
    None
}

/// "Send me a report every night": any order at all, once a recurring time is named.
fn orders_anything(tokens: &[String]) -> bool {
    let (rest, peeled, _) = peel(tokens);
    match rest.first() {
        Some(first) => {
            let first = first.as_str();
            !QUESTION_WORDS.contains(&first)
                && (peeled
                    || ACTION_VERBS.contains(&first)
                    || AMBIGUOUS_VERBS.contains(&first)
                    || matches!(first, "send" | "email" | "text" | "message"))
        }
        None => false,
    }
}

fn is_shell_word(verb: &str) -> bool {
    matches!(
        verb,
        "sudo"
            | "systemctl"
            | "rm"
            | "mv"
            | "cp"
            | "mkdir"
            | "rmdir"
            | "touch"
            | "dd"
            | "mkfs"
            | "fdisk"
            | "iptables"
            | "nft"
            | "ufw"
            | "kubectl"
            | "crontab"
            | "apt"
            | "apt-get"
            | "dpkg"
            | "yum"
            | "dnf"
            | "pip"
            | "npm"
    )
}

/// `rm -rf`, `docker stop x`, `zfs destroy`… anywhere in the message, e.g. inside backticks.
fn has_dangerous_command(flat: &str) -> bool {
    const PATTERNS: &[&str] = &[
        "rm -",
        "rm /",
        "sudo ",
        "mkfs",
        "dd if=",
        "chmod ",
        "chown ",
        "kill -",
        "shutdown -",
        "reboot now",
        "systemctl stop",
        "systemctl restart",
        "systemctl start",
        "systemctl disable",
        "systemctl enable",
        "iptables -",
        "ufw allow",
        "ufw deny",
        "ufw enable",
        "ufw disable",
        ":(){",
        "> /dev/",
        "| sh",
        "| bash",
        "curl | ",
        "wget ",
        "apt install",
        "apt-get install",
        "apt remove",
        "apt-get remove",
        "crontab -",
    ];
    if PATTERNS.iter().any(|p| flat.contains(p)) {
        return true;
    }
    let words: Vec<&str> = flat
        .split(|c: char| c.is_whitespace() || c == '`' || c == '"' || c == '\'')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|w| {
        SHELL_TOOLS.contains(&w[0]) && SHELL_WRITES.contains(&w[1]) && !matches!(w[0], "git")
            // "docker system df" is a read; "docker system prune" is not.
            && !(w[1] == "system" && flat.contains("system df"))
            && (!matches!(w[1], "volume" | "network" | "compose") || COMPOUND_WRITES.iter().any(|v| flat.contains(&format!("{} {v}", w[1]))))
    })
}

/// "What does `docker system prune` do?" asks about a command rather than asking to run it.
fn is_question_about(flat: &str) -> bool {
    let starts = [
        "what does",
        "what do",
        "what is",
        "what's",
        "what would",
        "what happens",
        "explain",
        "why does",
        "why would",
        "is it safe",
        "should i",
        "how does",
        "how do i",
        "what will",
    ];
    starts.iter().any(|s| flat.starts_with(s))
}

/// The answer to a refused request: what was asked, that this stage is read-only, and what it
/// can do instead.
pub fn refusal_message(request: &str, kind: RefusalKind) -> String {
    // The user's words are repeated as text: they cannot become a link or an image in the answer.
    let request = homelab_common::markdown::escape(request);
    let what = match kind {
        RefusalKind::Action => format!("You asked me to \"{request}\". I can't do that: "),
        RefusalKind::Command => format!("You asked me to run a command (\"{request}\"). I can't do that: "),
        RefusalKind::Override => "You asked me to set aside my rules. I can't do that: ".to_string(),
    };
    format!(
        "{what}this assistant is read-only in this stage, so it never restarts, stops, starts, deletes, \
installs, schedules or changes anything, and it never runs commands. \
What I can do instead is report on the system as it is: CPU, memory, disk space and load, and which \
containers are running or stopped with their images and ports. For example, ask \"Which containers are stopped?\" \
or \"How much disk space is left?\"."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clause_splitting_catches_orders_after_questions() {
        assert!(matches!(check("Which containers are stopped and restart them"), Verdict::Refuse { .. }));
        assert_eq!(check("Which containers are running and which are stopped?"), Verdict::Allow);
    }

    #[test]
    fn refusal_names_the_request() {
        match check("Please restart the nextcloud container") {
            Verdict::Refuse { request, reason } => {
                assert_eq!(request, "Please restart the nextcloud container");
                assert_eq!(reason, RefusalKind::Action);
                let text = refusal_message(&request, reason);
                assert!(text.contains("\"Please restart the nextcloud container\""));
                assert!(text.contains("read-only"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gerunds_count_only_after_a_polite_lead_in() {
        assert!(matches!(check("Would you mind restarting plex?"), Verdict::Refuse { .. }));
        assert_eq!(check("Running containers?"), Verdict::Allow);
    }
}
