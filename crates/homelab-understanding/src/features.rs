//! From a question to the classifier's features: the text is folded (lower case, accents off,
//! digits as `0`), the containers and hosts it names are masked (so "is plex up?" and "is sonarr
//! up?" are one question), and then described by its words, pairs of words and the character
//! n-grams of each word — which is what lets typos, inflections and compounds ("Festplatten-
//! platz", "memroy") land near the words they mean. Each feature is hashed into a fixed space.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// Size of the hashed feature space.
pub const BUCKETS: u64 = 1 << 20;
/// What a container's name becomes in the text the classifier sees.
pub const CONTAINER_MASK: &str = "qcontainerq";
/// What a host's name becomes.
pub const HOST_MASK: &str = "qhostq";
/// Character n-gram lengths.
const NGRAMS: std::ops::RangeInclusive<usize> = 3..=5;

/// Lower case, without accents or other combining marks, digits as `0`, one space between words.
pub fn fold(text: &str) -> String {
    let lowered = text.to_lowercase();
    let stripped: String = lowered
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'ß' => 's',
            c if c.is_ascii_digit() => '0',
            c => c,
        })
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `folded` with each whole-word occurrence of `names` (folded too) replaced by `mask`.
pub fn mask(folded: &str, names: &[String], mask: &str) -> String {
    let mut names: Vec<String> = names.iter().map(|n| fold(n)).filter(|n| !n.is_empty()).collect();
    // Longest first, so `immich-server` is masked before `immich`.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut text = folded.to_string();
    for name in names {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&name) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + name.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
            if boundary(before) && boundary(after) {
                out.push_str(&rest[..at]);
                out.push_str(mask);
            } else {
                out.push_str(&rest[..at + name.len()]);
            }
            rest = &rest[at + name.len()..];
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// The words of folded text, in order.
pub fn words(folded: &str) -> Vec<&str> {
    folded.unicode_words().collect()
}

/// The classifier's features of a question as written, with the containers and hosts it names
/// masked: its words and n-grams, whether it names a time ([`crate::when`]), which is what
/// tells "the CPU last night" from "the CPU", and what the structural rules ([`crate::rules`])
/// make of it as a request to act.
pub fn of_question(text: &str, containers: &[String], hosts: &[String]) -> Vec<u32> {
    let folded = fold(text);
    let masked = mask(&mask(&folded, containers, CONTAINER_MASK), hosts, HOST_MASK);
    let mut out = features(&masked);
    if crate::when::names_a_time(text) {
        out.push(Signal::Window.id());
    }
    if let crate::rules::Verdict::Refuse { reason, .. } = crate::rules::check(text) {
        out.push(
            match reason {
                crate::rules::RefusalKind::Action => Signal::RuleAction,
                crate::rules::RefusalKind::Command => Signal::RuleCommand,
                crate::rules::RefusalKind::Override => Signal::RuleOverride,
            }
            .id(),
        );
    }
    out
}

/// What the parsers make of a question, given to the model as features of full weight (the
/// words' features share one unit of weight between them; a signal has one of its own).
#[derive(Debug, Clone, Copy)]
pub enum Signal {
    /// It names a time.
    Window,
    /// The English rules read a request to act, to run a command, or to set the rules aside.
    RuleAction,
    RuleCommand,
    RuleOverride,
}

impl Signal {
    /// Signals sit past the hashed space, so they never collide with a word's feature.
    pub fn id(self) -> u32 {
        BUCKETS as u32 + self as u32
    }

    /// Whether the English rules read a request to act in a question with these features.
    pub fn rules_refuse(features: &[u32]) -> bool {
        [Signal::RuleAction, Signal::RuleCommand, Signal::RuleOverride].iter().any(|s| features.contains(&s.id()))
    }

    pub fn is_signal(feature: u32) -> bool {
        feature as u64 >= BUCKETS
    }
}

/// The weight of each feature of a question: words share one unit, signals have one each.
pub fn value(feature: u32, text_features: usize) -> f32 {
    if Signal::is_signal(feature) {
        1.0
    } else {
        1.0 / (text_features.max(1) as f32).sqrt()
    }
}

/// The hashed features of folded, masked text: sorted, each once.
pub fn features(text: &str) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(text.len() * 4);
    let mut add = |kind: &str, value: &str| {
        let mut key = String::with_capacity(kind.len() + value.len() + 1);
        key.push_str(kind);
        key.push('\u{1f}');
        key.push_str(value);
        out.push((xxh3_64(key.as_bytes()) % BUCKETS) as u32);
    };
    let words = words(text);
    for (i, word) in words.iter().enumerate() {
        add("w", word);
        if let Some(next) = words.get(i + 1) {
            add("b", &format!("{word} {next}"));
        }
        let padded: Vec<char> = format!(" {word} ").chars().collect();
        for n in NGRAMS {
            for gram in padded.windows(n) {
                add("c", &gram.iter().collect::<String>());
            }
        }
    }
    if let Some(first) = words.first() {
        add("first", first);
    }
    // Punctuation that carries meaning: a question, a command written as code.
    if text.contains('?') || text.contains('¿') {
        add("p", "?");
    }
    if text.contains('`') {
        add("p", "`");
    }
    if text.contains('!') {
        add("p", "!");
    }
    if words.len() <= 2 {
        add("len", "short");
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_digit_values() {
        assert_eq!(fold("Mémoire  utilisée  à 93 %?"), "memoire utilisee a 00 %?");
        assert_eq!(fold("Größe"), "grose");
        assert_eq!(fold("ÚLTIMAS 6 HORAS"), "ultimas 0 horas");
    }

    #[test]
    fn names_are_masked_as_whole_words_longest_first() {
        let names = vec!["immich".to_string(), "immich-server".to_string()];
        assert_eq!(
            mask("is immich-server up? and immich? immichx", &names, CONTAINER_MASK),
            "is qcontainerq up? and qcontainerq? immichx"
        );
        assert_eq!(mask("logs of plex", &["Plex".into()], CONTAINER_MASK), "logs of qcontainerq");
    }

    #[test]
    fn a_typo_shares_most_features_with_the_word_it_means() {
        let right = features("memory");
        let typo = features("memroy");
        let other = features("uptime");
        let shared = |a: &[u32], b: &[u32]| a.iter().filter(|f| b.contains(f)).count();
        assert!(shared(&right, &typo) >= 3, "{}", shared(&right, &typo));
        assert!(shared(&right, &other) < shared(&right, &typo));
        assert_eq!(features("disk?"), features("disk?"), "stable");
    }
}
