//! "How do I restart a container?", "what's the difference between `docker compose restart` and
//! `up -d`?": a short how-to in words, and the note that this assistant only looks. Such a
//! question is allowed by the policy (the understanding layer tells it from a request); it must
//! not be answered with a container list, and nothing is ever run.

/// The end of every how-to.
const ONLY_LOOKS: &str = "I only look and never change anything, so I won't run it for you.";

/// What a how-to question asks to do, and how it is done by hand.
#[rustfmt::skip]
const ACTIONS: &[(&[&str], &str)] = &[
    (&["restart", "reboot"], "To restart a container, run `docker restart <name>` on the host, or `docker compose restart <service>` in its Compose folder. On TrueNAS SCALE, use Apps → the app → Restart."),
    (&["stop", "shut", "kill", "pause"], "To stop a container, run `docker stop <name>` on the host, or `docker compose stop <service>` in its Compose folder. On TrueNAS SCALE, use Apps → the app → Stop."),
    (&["start", "run", "launch"], "To start a stopped container, run `docker start <name>` on the host, or `docker compose up -d <service>` in its Compose folder. On TrueNAS SCALE, use Apps → the app → Start."),
    (&["update", "upgrade", "pull"], "To update a Compose service, run `docker compose pull` and then `docker compose up -d` in its folder. On TrueNAS SCALE, use Apps → the app → Update."),
    (&["remove", "delete", "uninstall", "rm"], "To remove a container, stop it and run `docker rm <name>`; `docker compose down` removes a whole Compose project. Volumes stay unless you remove them too."),
    (&["free", "clean", "cleanup", "prune", "reclaim"], "To free disk space used by Docker, `docker system df` shows where it goes, and `docker image prune` removes unused images (check what it will delete first)."),
    (&["scrub"], "To scrub a ZFS pool, run `zpool scrub <pool>`. On TrueNAS SCALE, use Storage → the pool → Scrub, or set a schedule under Data Protection."),
    (&["install", "deploy", "add", "create"], "To add a container, describe it in a `compose.yaml` and run `docker compose up -d`. On TrueNAS SCALE, use Apps → Discover Apps, or Install via YAML."),
];

/// The how-to answer: how the task the question names is done by hand (matched on the words of
/// the question and of any command it quotes), and that this assistant will not do it.
pub fn answer(question: &str) -> String {
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    // The task named first: "the command to prune images but don't run it" is about pruning.
    let named_first = words.iter().find_map(|w| ACTIONS.iter().find(|(verbs, _)| verbs.contains(w)));
    match named_first {
        Some((_, how)) => format!(
            "{how}\n\n{ONLY_LOOKS} I can show you what is running, a container's details or its recent logs first."
        ),
        None => format!(
            "That is a question about how to do something, which I can't answer in detail: I know the common \
             Docker and TrueNAS tasks (restart, stop, start, update, remove a container, free disk space, scrub a \
             pool, add an app). {ONLY_LOOKS}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_to_questions_get_a_how_to_and_the_note() {
        let a = answer("How do I restart a container?");
        assert!(a.starts_with("To restart a container, run `docker restart <name>`"), "{a}");
        assert!(a.contains("I won't run it for you"), "{a}");
        assert!(answer("how can I update my plex container").contains("docker compose pull"));
        assert!(answer("What's the command to scrub a pool?").contains("zpool scrub"));
        let quoted = answer("qual a diferença entre `docker compose restart` e `up -d`?");
        assert!(quoted.contains("docker restart"), "the quoted command's task: {quoted}");
    }

    #[test]
    fn a_task_it_does_not_know_still_gets_the_note_and_no_command() {
        let a = answer("how do I set up a reverse proxy?");
        assert!(a.contains("I won't run it for you") && !a.contains('`'), "{a}");
    }
}
