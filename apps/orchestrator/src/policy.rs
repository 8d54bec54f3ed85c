//! The read-only policy (docs/contract.md §6): a message that asks for a change is refused before
//! any LLM or tool call. Whether it asks for one is decided by the understanding layer
//! (`homelab_understanding`), in every language; this module words the refusal.

/// What the policy decided: the same type as the rules' own verdict, here on the whole
/// understanding (the rules and the classifier).
pub use homelab_understanding::rules::Verdict;
pub use homelab_understanding::{rules::NOUN_CONTEXT, RefusalKind};
use homelab_understanding::{Context, Understanding};

/// The verdict on an understood message.
pub fn verdict(understanding: &Understanding) -> Verdict {
    match &understanding.change {
        Some(change) => Verdict::Refuse { request: change.request.clone(), reason: change.reason },
        None => Verdict::Allow,
    }
}

/// The verdict on a message alone, with nothing known of the host (tests, tools).
pub fn check(message: &str) -> Verdict {
    verdict(&homelab_understanding::understand(message, &Context::now_only()))
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
    fn the_refusal_names_the_request_and_says_read_only() {
        let text = refusal_message("Please restart the nextcloud container", RefusalKind::Action);
        assert!(text.contains("\"Please restart the nextcloud container\""));
        assert!(text.contains("read-only"));
        let escaped = refusal_message("restart ![x](http://evil/)", RefusalKind::Action);
        assert!(!escaped.contains("![x]("), "{escaped}");
    }
}
