//! Where the classifier's reading of a request is overruled, one way or the other: a message
//! that asks the assistant itself to act, or asks for what it names to be carried out, is a
//! request however much it reads like a how-to; a how-to that says outright not to run what it
//! asks for is not (see [`crate::understand`]).

use super::{
    normalise,
    vocabulary::{ACTION_VERBS, NOUN_CONTEXT},
};

/// Whether `message` opens by asking the assistant itself to act: "could you restart plex?",
/// "can you please stop sonarr", "please delete the old logs". Such a message is a request
/// whatever else the model reads in it ("Could you restart ich?" is not a how-to question).
pub fn asks_the_assistant_to_act(message: &str) -> bool {
    let lower = normalise(message).to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    let mut rest = words.as_slice();
    while let [first, tail @ ..] = rest {
        if matches!(*first, "hey" | "hi" | "hello" | "ok" | "okay" | "so" | "now") {
            rest = tail;
        } else {
            break;
        }
    }
    let rest = match rest {
        [modal, "you", tail @ ..] if matches!(*modal, "could" | "can" | "would" | "will") => tail,
        ["please", tail @ ..] => tail,
        _ => return false,
    };
    let rest = match rest {
        ["please" | "just" | "now", tail @ ..] => tail,
        _ => rest,
    };
    match rest {
        [verb, next, ..] => ACTION_VERBS.contains(verb) && !NOUN_CONTEXT.contains(next),
        [verb] => ACTION_VERBS.contains(verb),
        [] => false,
    }
}

/// Whether `message` also asks the assistant to carry out what it names: "give me the command
/// and run it", "… then execute it", "run it for me". With a command or an action the rules
/// refuse, such a message is a request, however much the rest reads like a how-to. Not when the
/// carrying out is negated ("… but don't run it for me") or is the writer's own, in a condition
/// or a plan ("if I stop sonarr and then run it again, …", "should we … and do that weekly?").
/// English only.
pub fn asks_to_carry_it_out(message: &str) -> bool {
    let lower = normalise(message).to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let carry_out = |verb: &str| matches!(verb, "run" | "execute" | "exec" | "apply" | "do");
    let it = |word: &str| matches!(word, "it" | "that" | "this" | "them" | "those");
    // Where the verb stands, for "and/then <verb> it" and "<verb> it for me".
    let verbs = (0..words.len()).filter(|&i| {
        (i > 0
            && matches!(words[i - 1], "and" | "then")
            && carry_out(words[i])
            && words.get(i + 1).is_some_and(|w| it(w)))
            || (carry_out(words[i])
                && words.get(i + 1).is_some_and(|w| it(w))
                && words.get(i + 2..i + 4) == Some(&["for", "me"][..]))
    });
    let negated = |i: usize| {
        words[i.saturating_sub(3)..i].iter().any(|w| matches!(*w, "not" | "never" | "t" | "dont" | "without"))
    };
    let own = |i: usize| words[..i].iter().any(|w| matches!(*w, "if" | "when" | "whether" | "i" | "we" | "should"));
    verbs.into_iter().any(|i| !negated(i) && !own(i))
}

/// A how-to that says outright not to carry it out: "write the command to restart plex but
/// don't run it", "print the docker run command, dont execute it", "the steps to stop sonarr,
/// without doing it". It asks for words, however much it reads like an order; the opposite of
/// [`asks_to_carry_it_out`]. Both are needed: the how-to framing (a command, the steps, how) and
/// the refusal to run (not/don't/never/without + run/execute/do + it, or the message's end).
pub fn only_asks_for_the_command(message: &str) -> bool {
    let lower = normalise(message).to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let framing = |w: &str| matches!(w, "command" | "commands" | "syntax" | "steps" | "how" | "script");
    let carry_out = |w: &str| {
        matches!(w, "run" | "execute" | "exec" | "apply" | "do" | "running" | "executing" | "doing" | "applying")
    };
    let object = |i: usize| words.get(i + 1).is_none_or(|w| matches!(*w, "it" | "that" | "this" | "them"));
    let negated = |i: usize| {
        words[i.saturating_sub(2)..i].iter().any(|w| matches!(*w, "not" | "never" | "t" | "dont" | "without"))
    };
    (0..words.len()).any(|i| carry_out(words[i]) && object(i) && negated(i) && words[..i].iter().any(|w| framing(w)))
}
