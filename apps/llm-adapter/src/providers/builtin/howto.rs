//! "How do I restart a container?", "what's the difference between `docker compose restart` and
//! `up -d`?": a short how-to in words, and the note that this assistant only looks. Such a
//! question is allowed by the policy (the understanding layer tells it from a request); it must
//! not be answered with a container list, and nothing is ever run.

use homelab_schemas::monitoring::ContainerDetails;

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

/// "The docker run command for plex": the command that would recreate the container, written
/// from what Docker says of it (image, restart policy, published ports, mounts). Its environment,
/// networks and labels are left out: they can hold secrets, and none reaches this model.
///
/// Every value comes from the host, so each is quoted for the shell (a path with a space, a `$`)
/// and kept to one line; nothing in it can end the code block it is shown in.
pub fn run_command(d: &ContainerDetails) -> String {
    let mut args = vec![format!("docker run -d --name {}", word(&d.name))];
    match d.restart_policy.as_deref() {
        None | Some("no") => {}
        Some(policy) => {
            let retries = policy.strip_prefix("on-failure (at most ").and_then(|r| r.split(' ').next());
            args.push(match retries {
                Some(n) => format!("--restart {}", word(&format!("on-failure:{n}"))),
                None => format!("--restart {}", word(policy)),
            });
        }
    }
    // Docker lists a port published on every address twice (0.0.0.0 and ::): one `-p` says both.
    let mut published: Vec<String> = Vec::new();
    for (port, bindings) in &d.ports {
        let inside = port.strip_suffix("/tcp").unwrap_or(port);
        for b in bindings.iter().flatten() {
            let spec = match b.host_ip.as_str() {
                "" | "0.0.0.0" | "::" => format!("{}:{inside}", b.host_port),
                ip if ip.contains(':') => format!("[{ip}]:{}:{inside}", b.host_port),
                ip => format!("{ip}:{}:{inside}", b.host_port),
            };
            if !published.contains(&spec) {
                published.push(spec);
            }
        }
    }
    args.extend(published.iter().map(|p| format!("-p {}", word(p))));
    for m in &d.mounts {
        let Some(inside) = m.destination.as_deref() else { continue };
        let ro = if m.read_only == Some(true) { ":ro" } else { "" };
        args.push(match m.source.as_deref().filter(|s| !s.is_empty()) {
            Some(source) => match volume_name(source) {
                // A named volume by its name; an anonymous one (a 64-hex id) as a new anonymous one.
                Some(name) if is_anonymous(name) => format!("-v {}", word(&format!("{inside}{ro}"))),
                Some(name) => format!("-v {}", word(&format!("{name}:{inside}{ro}"))),
                None => format!("-v {}", word(&format!("{source}:{inside}{ro}"))),
            },
            // Docker gives a tmpfs mount no source.
            None => format!("--tmpfs {}", word(inside)),
        });
    }
    args.push(d.image.as_deref().map(word).unwrap_or_else(|| "<image>".into()));
    format!(
        "The `docker run` command that would recreate {name}, from what Docker says of it:\n\n```\n{}\n```\n\n\
         Its environment variables, networks and labels are not included (they can hold passwords); \
         add them with `-e NAME=value` and `--network`. {ONLY_LOOKS}",
        args.join(" \\\n  "),
        name = d.name,
    )
}

/// One shell word: quoted when it needs it, on one line, without a backtick (a code block
/// shows it; a value with a NUL byte, which no shell word can hold, is dropped to `''`).
fn word(value: &str) -> String {
    let line = value.replace(|c: char| c.is_control() || c == '`', " ");
    shlex::try_quote(&line).map(|q| q.into_owned()).unwrap_or_else(|_| "''".into())
}

/// The volume's name when `source` is where Docker or podman keeps a volume's data
/// (`/var/lib/docker/volumes/<name>/_data`).
fn volume_name(source: &str) -> Option<&str> {
    let (_, rest) = source.rsplit_once("/volumes/")?;
    rest.strip_suffix("/_data").filter(|name| !name.is_empty() && !name.contains('/'))
}

fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
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
    fn the_run_command_is_written_from_the_containers_details() {
        let anonymous = "a".repeat(64);
        let d: ContainerDetails = serde_json::from_value(serde_json::json!({
            "name": "plex", "id": "abc", "image": "plexinc/pms-docker:latest", "state": "running",
            "restart_count": 0, "oom_killed": false, "restart_policy": "on-failure (at most 5 retries)",
            "ports": {"32400/tcp": [{"host_ip": "0.0.0.0", "host_port": "32400"}, {"host_ip": "::", "host_port": "32400"}],
                      "1900/udp": [{"host_ip": "127.0.0.1", "host_port": "1900"}],
                      "8324/tcp": [{"host_ip": "::1", "host_port": "8324"}], "9000/tcp": null},
            "mounts": [{"source": "/mnt/tank/plex", "destination": "/config", "read_only": false},
                       {"source": "/mnt/tank/My Media`$(reboot)", "destination": "/data", "read_only": true},
                       {"source": "/var/lib/docker/volumes/plex_transcode/_data", "destination": "/transcode", "read_only": false},
                       {"source": format!("/var/lib/docker/volumes/{anonymous}/_data"), "destination": "/cache", "read_only": false},
                       {"source": "", "destination": "/tmp/scratch", "read_only": false}],
            "labels": {"com.example.secret": "hunter2"}
        }))
        .unwrap();
        let a = run_command(&d);
        let block = a.split("```").nth(1).unwrap();
        let lines: Vec<&str> = block.trim().lines().map(|l| l.trim().trim_end_matches(" \\")).collect();
        assert_eq!(
            lines,
            [
                "docker run -d --name plex",
                "--restart on-failure:5",
                "-p 127.0.0.1:1900:1900/udp",
                "-p 32400:32400",
                "-p '[::1]:8324:8324'",
                "-v /mnt/tank/plex:/config",
                "-v '/mnt/tank/My Media $(reboot):/data:ro'",
                "-v plex_transcode:/transcode",
                "-v /cache",
                "--tmpfs /tmp/scratch",
                "plexinc/pms-docker:latest",
            ]
        );
        assert!(!a.contains("hunter2") && a.contains("I won't run it for you"), "{a}");
    }

    #[test]
    fn a_task_it_does_not_know_still_gets_the_note_and_no_command() {
        let a = answer("how do I set up a reverse proxy?");
        assert!(a.contains("I won't run it for you") && !a.contains('`'), "{a}");
    }
}
