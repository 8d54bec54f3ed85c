//! "How do I restart a container?": a short how-to in words, and the note that this assistant
//! only looks. Asked as a question, such a request is allowed by the policy; it must not be
//! answered with a container list, and nothing is ever run.

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

/// The how-to answer, when the question asks how to do something this assistant will not do.
pub fn answer(question: &str) -> Option<String> {
    if !homelab_schemas::intent::asks_how_to(question) {
        return None;
    }
    let lower = question.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let (_, how) = ACTIONS.iter().find(|(verbs, _)| words.iter().any(|w| verbs.contains(w)))?;
    Some(format!(
        "{how}\n\n{ONLY_LOOKS} I can show you what is running, a container's details or its recent logs first."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_to_questions_get_a_how_to_and_the_note() {
        let a = answer("How do I restart a container?").unwrap();
        assert!(a.starts_with("To restart a container, run `docker restart <name>`"), "{a}");
        assert!(a.contains("I won't run it for you"), "{a}");
        assert!(answer("how can I update my plex container").unwrap().contains("docker compose pull"));
        assert!(answer("What's the command to scrub a pool?").unwrap().contains("zpool scrub"));
    }

    #[test]
    fn other_questions_are_left_to_the_tools() {
        for q in [
            "Which containers are stopped?",
            "How much disk space is left?",
            "How long has the server been up?",
            "how do I read this?",
        ] {
            assert_eq!(answer(q), None, "{q}");
        }
    }
}
