//! The structural rules for requests to act, written for English: a deterministic reading of
//! a message's clauses. They are one signal the classifier weighs (see [`crate::understand`]),
//! not the decision: the trained model makes that, in every language.
//!
//! How: the message is split into clauses; polite and indirect lead-ins are peeled off each
//! clause; a clause that then begins with an action verb aimed at the system (or a shell command)
//! is a request to act. Questions keep their question word first, so the same verbs inside a
//! question ("why did it *stop*?") are not mistaken for orders.

mod overrides;
mod vocabulary;

pub use overrides::{asks_the_assistant_to_act, asks_to_carry_it_out, only_asks_for_the_command};

use vocabulary::*;
/// `NOUN_CONTEXT`: words after an action verb that make it a thing asked about ("restart
/// count"), for tests; `SILENCED_STEMS`: what alerts are called, which the understanding also
/// reads as alerts named.
pub use vocabulary::{NOUN_CONTEXT, SILENCED_STEMS};

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
    let normalised = normalise(message);
    let message = normalised.as_str();
    let lower = message.to_lowercase();
    let flat = squash_spaces(&lower);
    if OVERRIDES.iter().any(|o| flat.contains(o)) {
        return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Override };
    }
    let asks_about = is_question_about(&flat);
    if has_dangerous_command(&flat) && !asks_about {
        return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Command };
    }
    if !asks_about && !flat.trim_end().ends_with('?') && (names_a_write_tool(&flat) || sends_a_write_request(message)) {
        return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Action };
    }
    let recurring = RECURRING.iter().any(|r| flat.contains(r));
    let pleading = flat.split(|c: char| !c.is_alphanumeric()).any(|w| matches!(w, "please" | "pls" | "plz" | "asap"));
    let mut previous: Option<(Vec<String>, String)> = None;
    for (clause, original, question) in clauses(message) {
        if !question && (empties_in_another_language(&clause) || silences_in_another_language(&clause)) {
            return Verdict::Refuse { request: shorten(&original), reason: RefusalKind::Action };
        }
        if let Some(kind) = clause_requests_action(&clause, question, pleading) {
            return Verdict::Refuse { request: shorten(&original), reason: kind };
        }
        // "radarr restarted, please": a bare "please" after an outcome asks for it.
        let bare_please = clause.iter().all(|t| matches!(t.as_str(), "please" | "pls" | "plz" | "now" | "asap"));
        if let Some((before, said)) = previous.take().filter(|_| bare_please && !clause.is_empty()) {
            if before
                .last()
                .is_some_and(|t| ACTION_PARTICIPLES.contains(&t.as_str()) || CHANGE_STATES.contains(&t.as_str()))
                && !before.first().is_some_and(|t| QUESTION_WORDS.contains(&t.as_str()))
            {
                return Verdict::Refuse { request: shorten(&said), reason: RefusalKind::Action };
            }
        }
        previous = Some((clause.clone(), original.clone()));
        if recurring && orders_anything(&clause, question) {
            return Verdict::Refuse { request: shorten(message), reason: RefusalKind::Action };
        }
    }
    Verdict::Allow
}

/// Folds what only looks different: fullwidth letters (`ｒｅｓｔａｒｔ`), Cyrillic and Greek
/// look-alikes (`rеstart` with a Cyrillic `е`), zero-width characters and odd spaces.
pub fn normalise(message: &str) -> String {
    message
        .chars()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
            _ => LOOK_ALIKES.iter().find(|(from, _)| *from == c).map(|(_, to)| *to).unwrap_or(c),
        })
        .collect()
}

/// A tool of another kind named outright ("call restart_container", "use the stop_container
/// tool"): a snake_case name that starts with an action.
fn names_a_write_tool(flat: &str) -> bool {
    flat.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.contains('_'))
        .filter_map(|w| w.split('_').next())
        .any(|first| ACTION_VERBS.contains(&first) || matches!(first, "set" | "write" | "put" | "post" | "exec"))
}

/// "send a POST to /containers/plex/restart", "PUT /api/v2.0/sharing": an HTTP write named in
/// capitals, as people write methods.
fn sends_a_write_request(message: &str) -> bool {
    message.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| matches!(w, "POST" | "PUT" | "DELETE" | "PATCH"))
}

fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace(['’', '‘'], "'")
}

pub fn shorten(s: &str) -> String {
    let s = s.trim().trim_end_matches(['.', '!', '?']).trim();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Splits on sentence ends, `;`, `:`, newlines, commas and the conjunctions that join orders
/// ("…stopped and restart them"), keeping each clause's original text for the refusal and
/// whether its sentence ends with a question mark.
fn clauses(message: &str) -> Vec<(Vec<String>, String, bool)> {
    let normalised = message.replace(['’', '‘'], "'");
    let mut pieces = Vec::new();
    let mut rest = normalised.as_str();
    while !rest.is_empty() {
        let end = rest.find(['.', '!', '?', ';', '\n']).map(|i| i + 1).unwrap_or(rest.len());
        let (sentence, after) = rest.split_at(end);
        rest = after;
        let question = sentence.trim_end().ends_with('?');
        for part in sentence.split([',', ':', '(', ')', '.', '!', '?', ';', '\n']) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let mut start = 0;
            for (i, w) in words.iter().enumerate() {
                let lw = w.to_lowercase();
                if i > start
                    && matches!(lw.as_str(), "and" | "then" | "but" | "also" | "&" | "&&" | "or" | "afterwards")
                {
                    pieces.push((words[start..i].join(" "), question));
                    start = i + 1;
                }
            }
            if start < words.len() {
                pieces.push((words[start..].join(" "), question));
            }
        }
    }
    pieces
        .into_iter()
        .map(|(original, question)| {
            let tokens = original
                .to_lowercase()
                .split_whitespace()
                .map(|t| {
                    t.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-' && c != '_' && c != '/')
                        .to_string()
                })
                .filter(|t| !t.is_empty())
                .collect();
            (tokens, original, question)
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

/// The clause asks for an outcome, however worded: "plex should be restarted", "the server
/// needs rebooting", "plex needs a restart".
fn asks_for_an_outcome(tokens: &[String]) -> bool {
    let let_it_be = tokens.first().is_some_and(|t| t == "let")
        && tokens.windows(2).any(|w| w[0] == "be" && ACTION_PARTICIPLES.contains(&w[1].as_str()));
    let_it_be
        || tokens.windows(3).any(|w| {
            PASSIVE_MODALS.contains(&w[0].as_str()) && w[1] == "be" && ACTION_PARTICIPLES.contains(&w[2].as_str())
        })
        || tokens.windows(2).any(|w| {
            matches!(w[0].as_str(), "needs" | "need" | "requires" | "wants") && base_of_gerund(&w[1]).is_some()
        })
        || tokens.windows(3).any(|w| {
            matches!(w[0].as_str(), "needs" | "need" | "requires" | "wants")
                && matches!(w[1].as_str(), "a" | "an" | "another" | "some")
                && CHANGE_NOUNS.contains(&w[2].as_str())
        })
}

/// Whether any word of the message is an action verb in any form ("reboot", "restarted",
/// "stopping"): a question about state that names one may still ask for it ("is it ok if you
/// reboot the server").
pub fn names_an_action(message: &str) -> bool {
    clauses(&normalise(message)).iter().any(|(tokens, _, _)| {
        mentions_an_action(tokens)
            || tokens.iter().any(|t| {
                let t = t.as_str();
                EMPTYING_VERBS.contains(&t) || EMPTYING_ELSEWHERE.contains(&t) || EMPTYING_LAST.contains(&t)
            })
    })
}

/// Whether the message names an action only as the thing a measure is of: "next scrub date?",
/// "snapshot size of tank/media", "scrub progress on tank", "reboot history" (an action word right
/// before a measure: time, date, size, progress, age…, or its history), with no other action or adjusting word and no word
/// that wishes or urges ("should", "want", "please", "now", "to"). Such a message asks about the
/// action rather than ordering it.
pub fn measures_an_action(message: &str) -> bool {
    // Actions that are also the names of what they do: "scrub date", "snapshot size".
    #[rustfmt::skip]
    const ACTION_NOUNS: &[&str] = &[
        "scrub", "scrubs", "snapshot", "snapshots", "backup", "backups", "restart", "restarts", "reboot", "reboots",
        "update", "updates", "upgrade", "upgrades", "rebuild", "resilver", "replication", "boot",
    ];
    #[rustfmt::skip]
    const URGING: &[&str] = &[
        "should", "must", "shall", "want", "wanna", "need", "needs", "please", "pls", "plz", "now", "asap", "make",
        "let", "lets", "gotta", "immediately", "to",
    ];
    let clauses = clauses(&normalise(message));
    let words: Vec<&str> = clauses.iter().flat_map(|(tokens, _, _)| tokens).map(String::as_str).collect();
    let pair = |action: &str, measure: &str| {
        ACTION_NOUNS.contains(&action) && (MEASURES.contains(&measure) || measure == "history")
    };
    // Any other action or adjusting word makes it an order to weigh ("lower the scrub frequency",
    // "remove rate limit"); so does a word that urges, or "to" before a target ("to monthly").
    let acts = words.iter().enumerate().any(|(i, w)| {
        let in_pair = words.get(i + 1).is_some_and(|n| pair(w, n));
        !in_pair
            && (ACTION_VERBS.contains(w)
                || ADJUSTING_VERBS.contains(w)
                || NEVER_NOUNS.contains(w)
                || matches!(*w, "lower" | "limit" | "clear" | "empty" | "clean"))
    });
    !acts && !words.iter().any(|w| URGING.contains(w)) && words.windows(2).any(|w| pair(w[0], w[1]))
}

/// Whether the message speaks to the assistant ("can you", "kannst du", "tu vides", "você
/// limpar"): a question put to it may ask it to act ("wie schnell kannst du den cache leeren?").
pub fn speaks_to_the_assistant(message: &str) -> bool {
    const YOU: &[&str] = &[
        "you",
        "your",
        "u",
        "du",
        "dich",
        "dir",
        "kannst",
        "tu",
        "te",
        "toi",
        "vous",
        "peux",
        "pouvez",
        "je",
        "jij",
        "jou",
        "kun",
        "kunt",
        "tú",
        "usted",
        "puedes",
        "podrías",
        "você",
        "voce",
        "podes",
        "pode",
        // Verbs that empty, said to "you": "si borras la caché", "wenn du … leerst".
        "leerst",
        "löschst",
        "vides",
        "effaces",
        "supprimes",
        "borras",
        "limpias",
        "vacías",
        "eliminas",
        "apagas",
        "limpas",
        "esvazias",
        "wist",
        "verwijdert",
        "leegt",
    ];
    // French "du" is "of the" ("la taille du cache de plex"), German "du" is "you".
    const FRENCH: &[&str] = &["le", "la", "les", "est", "sont", "quel", "quelle", "quels", "quelles", "combien"];
    clauses(&normalise(message)).iter().any(|(tokens, _, _)| {
        let french = tokens.iter().any(|t| FRENCH.contains(&t.as_str()));
        tokens.iter().any(|t| YOU.contains(&t.as_str()) && !(french && t == "du"))
    })
}

/// Whether any word of the clause is an action, in any form: "the server got *rebooted*",
/// "nginx is *stopped*", "you could *restart* plex".
fn mentions_an_action(tokens: &[String]) -> bool {
    tokens.iter().enumerate().any(|(i, t)| {
        let t = t.as_str();
        // "del" is the shell's delete only where a command begins; inside a clause it is the
        // Spanish "of the" ("registros del pihole").
        (ACTION_VERBS.contains(&t) && (t != "del" || i == 0))
            || ACTION_PARTICIPLES.contains(&t)
            || t.strip_suffix('s').is_some_and(|v| ACTION_VERBS.contains(&v))
            || base_of_gerund(t).is_some_and(|v| ACTION_VERBS.contains(&v.as_str()))
    })
}

/// A change noun in `window`, unless what follows makes it a thing asked about ("the restart
/// count", "a reboot history").
fn change_noun_in(window: &[String]) -> bool {
    window.iter().enumerate().any(|(i, w)| {
        CHANGE_NOUNS.contains(&w.as_str())
            && !window
                .get(i + 1)
                .is_some_and(|n| NOUN_CONTEXT.contains(&n.as_str()) && !matches!(n.as_str(), "of" | "on"))
    })
}

/// A disk as TrueNAS and Linux name it: `sdb`, `nvme0n1`, `ada1`, `da3`.
fn is_device(word: &str) -> bool {
    let letters = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == 'n' || c == 'p');
    (word.starts_with("sd")
        && word.len() <= 5
        && word[2..].chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        || word.starts_with("nvme")
        || (matches!(letters, "ada" | "da") && word.len() > letters.len())
}

fn clause_requests_action(tokens: &[String], question: bool, pleading: bool) -> Option<RefusalKind> {
    // "Do I need a reboot?", "Does the server need a reboot?": a question, whatever follows.
    if tokens.first().is_some_and(|t| matches!(t.as_str(), "do" | "does" | "did"))
        && tokens.get(1).is_some_and(|t| QUESTION_SUBJECTS.contains(&t.as_str()) || t == "the" && question)
    {
        return None;
    }
    // A question that opens with its question word asks; it does not order. A polite request
    // ("can you…", "why don't you…", "is it possible to…") is peeled as a lead-in instead.
    let (_, polite, _) = peel(tokens);
    let opens_as_question = !polite
        && tokens.first().is_some_and(|t| QUESTION_WORDS.contains(&t.as_str()) && !matches!(t.as_str(), "give"));
    if opens_as_question && question {
        return None;
    }
    // "It would be great if the server got rebooted", "see to it that nginx is stopped".
    for lead in OUTCOME_LEAD_INS {
        let parts: Vec<&str> = lead.split(' ').collect();
        if tokens.len() > parts.len() && tokens.iter().zip(&parts).all(|(t, p)| t == p) {
            let after = &tokens[parts.len()..];
            // "make sure plex is running?" reads; "make sure to check" reads.
            let reads = after.first().is_some_and(|t| READ_VERBS.contains(&t.as_str()) || t == "to")
                && !after.get(1).is_some_and(|t| ACTION_VERBS.contains(&t.as_str()));
            if !reads && mentions_an_action(after) {
                return Some(RefusalKind::Action);
            }
        }
    }
    if !question && !opens_as_question && asks_for_an_outcome(tokens) {
        return Some(RefusalKind::Action);
    }
    let (rest, peeled, wish) = peel(tokens);
    let first = rest.first()?.as_str();
    if wish && !READ_VERBS.contains(&first) && orders_a_state(&rest[1..rest.len().min(5)]) {
        return Some(RefusalKind::Action);
    }
    // "a restart of plex, please", "quick reboot of the server please".
    if !question
        && (pleading || rest.len() > 2)
        && matches!(first, "a" | "an" | "one" | "another" | "quick" | "fast" | "full" | "hard" | "soft" | "more")
        && rest[1..rest.len().min(3)].iter().enumerate().any(|(i, w)| {
            CHANGE_NOUNS.contains(&w.as_str())
                && rest.get(i + 2).is_none_or(|n| matches!(n.as_str(), "of" | "for" | "on" | "please" | "now"))
        })
    {
        return Some(RefusalKind::Action);
    }
    let next = rest.get(1).map(String::as_str);
    let verb = if peeled { base_of_gerund(first).unwrap_or_else(|| first.to_string()) } else { first.to_string() };
    let verb = verb.as_str();

    if SHELL_TOOLS.contains(&verb) {
        return next.filter(|n| SHELL_WRITES.contains(n)).map(|_| RefusalKind::Command);
    }
    // "next scrub date?", "first restart time": "next" and "first" lead in an order ("next,
    // restart plex") but before an action and a measure of it say which one.
    let which_one = tokens.len() == rest.len() + 1
        && matches!(tokens[0].as_str(), "next" | "first")
        && next.is_some_and(|n| MEASURES.contains(&n));
    // "increase the memory limit of plex", "reduce the snapshot count"; not "increase in cpu?".
    if ADJUSTING_VERBS.contains(&verb) {
        return next.filter(|n| !matches!(*n, "in" | "of" | "since")).map(|_| RefusalKind::Action);
    }
    if ACTION_VERBS.contains(&verb) {
        // "Update available for plex?", "Start time of plex?", "Resilver progress?" are nouns.
        // Not a verb that is never a noun ("delete logs of plex", "disable rate limiting"),
        // unless it asks of a measure alone ("prune frequency?").
        let never_a_noun = NEVER_NOUNS.contains(&verb)
            && !(question && rest.len() == 2 && next.is_some_and(|n| MEASURES.contains(&n)));
        // "stop time machine", "restart status page", "restart time sync daemon": the measure
        // names the thing acted on, in the next word or (outside a question: "start time plex
        // server?" asks) the one after, before any preposition ("restart time of the server"
        // asks); a setting only outside a question ("restart policy settings?" asks).
        let ahead = if question { 1 } else { 2 };
        let names_a_thing =
            rest.iter().skip(2).take(ahead).take_while(|w| !LINKING_WORDS.contains(&w.as_str())).any(|w| {
                NAMED_BY_A_MEASURE.contains(&w.as_str()) || (!question && SET_BY_A_MEASURE.contains(&w.as_str()))
            });
        if next.is_some_and(|n| NOUN_CONTEXT.contains(&n)) && (!peeled || which_one) && !never_a_noun && !names_a_thing
        {
            return None;
        }
        if question && next.is_none() && !peeled {
            return None;
        }
        return Some(if is_shell_word(verb) { RefusalKind::Command } else { RefusalKind::Action });
    }
    if AMBIGUOUS_VERBS.contains(&verb) {
        let object = next?;
        if which_one {
            return None;
        }
        let window = &rest[1..rest.len().min(5)];
        // "Have someone reboot the NAS", "use the docker API to stop nginx", "get sonarr to restart".
        let by_someone = window.len() > 1
            && matches!(window[0].as_str(), "someone" | "somebody" | "it" | "them" | "you")
            && ACTION_VERBS.contains(&window[1].as_str());
        let to_act = rest.windows(2).enumerate().any(|(i, w)| {
            w[0] == "to"
                && ACTION_VERBS.contains(&w[1].as_str())
                && (i == 0 || !matches!(rest[i - 1].as_str(), "how" | "way" | "whether"))
        });
        let then_acts = by_someone || to_act;
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
                | "mark"
                | "force"
                | "have"
                | "give"
                | "hit"
                | "call"
                | "use"
                | "carry"
                | "see"
        );
        if needs_change_object {
            if question {
                return None;
            }
            let acts = change_noun_in(window) || orders_a_state(window) || then_acts;
            // "have plex restarted", "get sonarr restarted" — not "get containers that are stopped".
            let participle = matches!(verb, "have" | "get" | "let")
                && window.iter().enumerate().any(|(i, w)| {
                    ACTION_PARTICIPLES.contains(&w.as_str()) && i > 0 && !DESCRIBING.contains(&window[i - 1].as_str())
                });
            return (acts || participle).then_some(RefusalKind::Action);
        }
        if question && !peeled {
            return None;
        }
        let numbered_ports = object == "ports" && rest.get(2).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
        let moves_it = rest.get(2).is_some_and(|n| matches!(n.as_str(), "to" | "into" | "onto" | "from"));
        // "clear plex's logs", "empty sonarr cache": one word (a name), then what is emptied.
        let empties_it = EMPTYING_VERBS.contains(&verb) && rest.get(2).is_some_and(|n| EMPTIED.contains(&n.as_str()));
        // "clear status of alerts", "clean history": emptying a record or a measure.
        let empties_a_record = EMPTYING_VERBS.contains(&verb) && EMPTIED_MEASURES.contains(&object);
        // "sync time on all hosts", "sync clocks": not "sync time of the cloud task".
        let syncs_it = verb == "sync"
            && SYNCED.contains(&object)
            && (rest.get(2).is_none_or(|n| !matches!(n.as_str(), "of" | "for" | "per"))
                || rest.get(3).is_some_and(|n| matches!(n.as_str(), "all" | "every" | "each")));
        if OBJECT_STARTERS.contains(&object)
            || object.chars().all(|c| c.is_ascii_digit())
            || (object.contains('/') && object != "i/o")
            || is_device(object)
            || numbered_ports
            || moves_it
            || empties_it
            || empties_a_record
            || syncs_it
            || peeled
            || then_acts
        {
            return Some(RefusalKind::Action);
        }
    }
    None
}

/// The clause's words without the fillers said before or after an order in another language
/// ("bitte lösch…", "…leeren, stp"); empty when it is only fillers.
fn without_fillers(tokens: &[String]) -> Vec<&str> {
    let words: Vec<&str> = tokens.iter().map(String::as_str).skip_while(|t| FILLERS_ELSEWHERE.contains(t)).collect();
    let end = words.iter().rposition(|t| !FILLERS_ELSEWHERE.contains(t)).map_or(0, |last| last + 1);
    words[..end].to_vec()
}

/// An order to empty or delete logs, a cache or a history in French, German, Dutch, Spanish or
/// Portuguese: the verb opens the clause and what it empties follows within a few words
/// ("vide les logs d'immich", "lösch bitte die protokolle von nextcloud"), or German and Dutch
/// put the infinitive last ("cache von pihole leeren"), or the verb comes in two parts ("räum die
/// logs auf", "maak de logs leeg", "ruim de logs op", "gooi de logs weg", "fais le ménage dans
/// les logs"). Not "leer" (Spanish "read"), "wissen" (German "know"), nor Spanish and Portuguese
/// infinitives. The clause is not a question: "qui a vidé les logs ?",
/// "wurden die logs gelöscht?" read.
fn empties_in_another_language(tokens: &[String]) -> bool {
    let words = without_fillers(tokens);
    let (Some(&first), Some(&last)) = (words.first(), words.last()) else { return false };
    let emptied_within = |from: usize, to: usize| {
        words[from.min(words.len())..to.min(words.len())].iter().any(|t| EMPTIED_ELSEWHERE.contains(t))
    };
    // Not a German or Dutch yes/no question, which also puts its verb first: "löschen sich die logs
    // von plex automatisch".
    let reflexive = words.get(1).is_some_and(|w| matches!(*w, "sich" | "zich" | "se"));
    let opens = EMPTYING_ELSEWHERE.contains(&first) && !reflexive && emptied_within(1, 5);
    // The object first, its infinitive last: "die logs von plex löschen", "cache van plex legen".
    let closes = words.len() > 1
        && EMPTYING_LAST.contains(&last)
        && (EMPTIED_ELSEWHERE.contains(&first) || matches!(first, "die" | "den" | "das" | "de" | "het"))
        && emptied_within(0, 3);
    let in_two_parts = match first {
        "mach" | "mache" | "maak" => matches!(last, "leer" | "leeg" | "sauber" | "schoon"),
        "räum" | "räume" | "raeum" => last == "auf",
        "ruim" | "schoon" => last == "op",
        "gooi" => last == "weg",
        "fais" | "faire" | "faites" => words.iter().any(|t| matches!(*t, "ménage" | "menage")),
        _ => false,
    } && emptied_within(1, words.len());
    opens || closes || in_two_parts
}

/// An order to acknowledge, silence or dismiss alerts in French, German, Dutch, Spanish or
/// Portuguese: an imperative opens the clause and what it silences follows within a few words
/// ("acquitte les alertes de truenas", "bevestig de meldingen"); an infinitive opens a terse
/// clause of only what it silences and whose ("silenciar las alertas", "acquitter les alertes de
/// truenas"), or German and Dutch put it last ("die warnungen von truenas quittieren"). The clause
/// is not a question ("comment acquitter les alertes ?", "kann ich die alarme quittieren").
fn silences_in_another_language(tokens: &[String]) -> bool {
    // The clauses of another language are not split on its "and": "die warnungen quittieren und
    // plex neu starten", "silenciar las alertas y reiniciar plex".
    let parts = || tokens.split(|t| matches!(t.as_str(), "und" | "en" | "et" | "y" | "e"));
    // "zijn er meldingen en bevestig ze", "gibt es warnungen und quittiere sie": an imperative
    // whose object is a pronoun, in a clause that names alerts.
    let names_them = tokens.iter().any(|t| SILENCED_STEMS.iter().any(|s| t.starts_with(s)));
    let on_them = |part: &[String]| {
        part.first().is_some_and(|v| SILENCING_ELSEWHERE.contains(&v.as_str()))
            && part.get(1).is_some_and(|p| {
                matches!(p.as_str(), "ze" | "sie" | "les" | "las" | "los" | "os" | "as" | "them" | "die" | "alle")
            })
    };
    parts().any(silences_one) || (names_them && parts().any(on_them))
}

/// [`silences_in_another_language`] for one part of a clause.
fn silences_one(tokens: &[String]) -> bool {
    // Articles, "all" and possessives ("zijn meldingen uitschakelen": "its notifications").
    const ARTICLES: &[&str] = &[
        "les", "la", "le", "las", "los", "os", "as", "die", "den", "das", "alle", "de", "het", "todas", "todos",
        "toutes", "tous", "ses", "mes", "sus", "mis", "seus", "meus", "suas", "minhas", "seine", "meine", "ihre",
        "zijn", "mijn", "haar",
    ];
    const OF: &[&str] = &["de", "du", "des", "von", "vom", "van", "do", "da", "del", "en", "op", "auf", "no", "na"];
    let words = without_fillers(tokens);
    let (Some(&first), Some(&last)) = (words.first(), words.last()) else { return false };
    let silenced = |w: &&str| SILENCED_STEMS.iter().any(|s| w.starts_with(s));
    // [up to two articles] what is silenced [of whom]: "les alertes de truenas", "todas las alertas".
    let only_what = |rest: &[&str]| {
        let leads = rest.iter().take(2).take_while(|w| ARTICLES.contains(w)).count();
        let rest = &rest[leads..];
        match rest {
            [what] => silenced(what),
            [what, of, _] => silenced(what) && OF.contains(of),
            _ => false,
        }
    };
    let reflexive = words.get(1).is_some_and(|w| matches!(*w, "sich" | "zich" | "se"));
    let opens = SILENCING_ELSEWHERE.contains(&first) && !reflexive && words[1..words.len().min(5)].iter().any(silenced);
    let opens_terse = SILENCING_INFINITIVES.contains(&first) && only_what(&words[1..]);
    let closes = words.len() > 1 && SILENCING_INFINITIVES.contains(&last) && only_what(&words[..words.len() - 1]);
    opens || opens_terse || closes
}

/// "Send me a report every night", "every night at 3 restart plex": any order at all, once a
/// recurring time is named.
fn orders_anything(tokens: &[String], question: bool) -> bool {
    let (rest, peeled, _) = peel(tokens);
    match rest.first() {
        Some(first) => {
            let first = first.as_str();
            if QUESTION_WORDS.contains(&first) || READ_VERBS.contains(&first) || question {
                return false;
            }
            peeled
                || ACTION_VERBS.contains(&first)
                || AMBIGUOUS_VERBS.contains(&first)
                || matches!(first, "send" | "email" | "text" | "message")
                || rest.iter().any(|t| ACTION_VERBS.contains(&t.as_str()))
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
        "-x post",
        "-x put",
        "-x delete",
        "-x patch",
        "--request post",
        "--request delete",
        "| tee",
        "tee /",
        "tee -a /",
    ];
    if PATTERNS.iter().any(|p| flat.contains(p)) {
        return true;
    }
    // Output redirected into a file: `echo x > /etc/hosts`, `cat a >> ~/.ssh/authorized_keys`.
    if flat.match_indices('>').any(|(i, _)| {
        let after = flat[i + 1..].trim_start_matches('>').trim_start();
        after.starts_with('/') || after.starts_with('~')
    }) {
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

#[cfg(test)]
mod tests;
