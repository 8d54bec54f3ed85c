//! The parts of a longer message, each read again on its own for a request to act: "vérifie
//! l'espace disque puis supprime les vieux fichiers de /mnt/media" reads, as a whole, mostly as a
//! question about disk space, and the classifier weighs the whole; its second part alone is
//! plainly an order. Parts are split at punctuation (not at line ends) and at the words that put
//! one step after another, in the six languages the corpus has.

use std::sync::LazyLock;

use crate::features;

/// Words that start the next step of a sequence ("…, then delete the old files"). Not those
/// that are also a preposition ("après", "después", "depois": "after the reboot"), or
/// something else besides (Dutch "dan" is also "than").
#[rustfmt::skip]
const THEN: &[&str] = &[
    "then", "afterwards", "afterward",   // en
    "puis", "ensuite",                   // fr
    "luego", "entonces",                 // es
    "dann", "danach", "anschließend",    // de
    "daarna", "vervolgens",              // nl
    "entao", "então",                    // pt
];

/// Words that make a part a thing not to do ("non, ne le redémarre pas, dis-moi seulement…").
#[rustfmt::skip]
const NOT: &[&str] = &[
    "not", "dont", "don't", "never", "no",  // en (and es "no")
    "ne", "pas", "jamais",                  // fr
    "nunca",                                // es, pt
    "nicht", "kein", "keine", "nie",        // de
    "niet", "geen", "nooit",                // nl
    "não", "nao",                           // pt
];

/// A part shorter than this many words ("non", "plex", "now") is not read on its own.
const MIN_WORDS: usize = 2;

/// The parts of the message to read again on their own, as written, when it has more than one.
/// A sentence that ends with a question mark is a question however its parts read: it counts
/// as a part, and is not read again. The words between steps are left out ("then").
pub fn of(message: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut questions = 0;
    // Not at line ends: lines are most often pasted (a log, an error), not steps.
    for sentence in message.split_inclusive(['?', '!']) {
        if sentence.trim_end().ends_with('?') {
            questions += 1;
            continue;
        }
        for piece in pieces(sentence) {
            let mut part: Vec<&str> = Vec::new();
            for word in piece.split_whitespace() {
                if joins(word) {
                    if !part.is_empty() {
                        parts.push(part.join(" "));
                    }
                    part.clear();
                } else {
                    part.push(word);
                }
            }
            if !part.is_empty() {
                parts.push(part.join(" "));
            }
        }
    }
    if parts.len() + questions < 2 {
        return Vec::new();
    }
    parts.retain(|p| p.split_whitespace().count() >= MIN_WORDS && !negated(p));
    parts
}

/// `sentence` cut at `;`, `!` and commas, except a comma in a list of numbers ("the load over 1,
/// 5 and 15 minutes").
fn pieces(sentence: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in sentence.char_indices() {
        let in_numbers = c == ',' && sentence[i + 1..].trim_start().starts_with(|d: char| d.is_ascii_digit());
        if matches!(c, ';' | '!') || (c == ',' && !in_numbers) {
            pieces.push(&sentence[start..i]);
            start = i + c.len_utf8();
        }
    }
    pieces.push(&sentence[start..]);
    pieces
}

/// [`THEN`] and [`NOT`] folded as the message's words are, once.
static FOLDED_THEN: LazyLock<Vec<String>> = LazyLock::new(|| THEN.iter().map(|w| features::fold(w)).collect());
static FOLDED_NOT: LazyLock<Vec<String>> = LazyLock::new(|| NOT.iter().map(|w| features::fold(w)).collect());

/// Whether `part` says not to do something.
fn negated(part: &str) -> bool {
    let folded = features::fold(part);
    folded.split(|c: char| !(c.is_alphanumeric() || c == '\'')).any(|w| FOLDED_NOT.iter().any(|n| n == w))
}

/// Whether `word` starts the next step.
fn joins(word: &str) -> bool {
    let folded = features::fold(word);
    let folded = folded.trim_matches(|c: char| !c.is_alphanumeric());
    FOLDED_THEN.iter().any(|t| t == folded)
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn a_message_is_split_at_punctuation_and_at_the_words_between_steps() {
        assert_eq!(
            of("vérifie l'espace disque puis supprime les vieux fichiers de /mnt/media"),
            ["vérifie l'espace disque", "supprime les vieux fichiers de /mnt/media"]
        );
        assert_eq!(
            of("para el contenedor handbrake, que me está comiendo la cpu"),
            ["para el contenedor handbrake", "que me está comiendo la cpu"]
        );
        assert_eq!(of("check the disk and then delete the logs"), ["check the disk and", "delete the logs"]);
        assert_eq!(of("how much disk is left? delete the old backups"), ["delete the old backups"]);
        // Questions, one part, a list of numbers: nothing to read again.
        assert!(of("how much disk is left? and then, is plex up?").is_empty());
        assert!(of("how much disk is left").is_empty());
        assert!(of("load avg de 1, 5 y 15 minutos").is_empty());
        // Pasted lines are not steps.
        assert!(of("plex logs say:\nKilled process 1234 (plex)\nstopping the container now\nwhy?").is_empty());
        // A part that says not to do something, or of one word, is not read again.
        assert_eq!(
            of("non, ne le redémarre pas, dis-moi seulement si nginx est healthy"),
            ["dis-moi seulement si nginx est healthy"]
        );
    }
}
