//! How the builtin model says `get_processes`: "What is eating my CPU?" gets the busiest
//! processes by name, with their CPU (100 % is one core), memory and container.

use homelab_schemas::monitoring::{ProcessInfo, Processes};

use super::{reports::text, say};

/// The characters of a command line said at most (the tool sends up to 200).
const SHOWN_COMMAND_CHARS: usize = 80;

/// One process: `**ffmpeg** (pid 4242, in plex): CPU 180.5%, memory 1.2 GiB — \`ffmpeg -i …\``.
fn line(p: &ProcessInfo, by_cpu: bool) -> String {
    let inside = p.container.as_deref().map(|c| format!(", in container **{}**", text(c))).unwrap_or_default();
    let cpu = format!("CPU {:.1}%", p.cpu_percent);
    let memory = format!("memory {} ({:.1}%)", say::bytes(p.memory_mb * 1_048_576.0), p.memory_percent);
    let figures = if by_cpu { format!("{cpu}, {memory}") } else { format!("{memory}, {cpu}") };
    let command = if p.command.is_empty() || p.command == p.name {
        String::new()
    } else {
        // A list to read, not to copy: the start of the command says which program it is.
        let short: String = p.command.chars().take(SHOWN_COMMAND_CHARS).collect();
        let more = if p.command.chars().count() > SHOWN_COMMAND_CHARS { "…" } else { "" };
        // Inside a code span nothing is Markdown; only a backtick of its own could end it.
        format!(" — `{}{more}`", short.replace('`', "'"))
    };
    format!("**{}** (pid {}{inside}): {figures}{command}", text(&p.name), p.pid)
}

/// The busiest processes, in the order the tool sorted them (by CPU or by memory).
pub fn processes(p: &Processes) -> String {
    let by_cpu = p.sort != "memory";
    if p.processes.is_empty() {
        return p.note.as_deref().map(|n| text(n).into_owned()).unwrap_or_else(|| "I could see no processes.".into());
    }
    let head = if by_cpu {
        let interval = if p.interval_seconds > 0.0 {
            format!(" over the last {:.0} seconds", p.interval_seconds)
        } else {
            String::new()
        };
        format!("The busiest of {} processes by CPU{interval} (100% is one whole core):", p.total)
    } else {
        format!("The {} processes using the most memory (resident), of {}:", p.processes.len(), p.total)
    };
    let mut out = super::reports::bullets(&head, p.processes.iter().map(|x| line(x, by_cpu)));
    if let Some(note) = &p.note {
        out.push_str(&format!("\n\n({}.)", text(note.trim_end_matches('.'))));
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    pub fn sample() -> serde_json::Value {
        json!({"sort": "cpu", "total": 412, "interval_seconds": 4.8, "whole_host": true, "processes": [
            {"pid": 4242, "name": "ffmpeg", "command": "ffmpeg -i /media/film.mkv -c:v libx264 out.mp4",
             "cpu_percent": 180.5, "memory_mb": 1228.8, "memory_percent": 7.5, "container": "plex"},
            {"pid": 812, "name": "postgres", "command": "postgres -c password=[redacted]",
             "cpu_percent": 12.0, "memory_mb": 256.0, "memory_percent": 1.6, "container": null},
            {"pid": 2, "name": "kthreadd", "command": "", "cpu_percent": 0.0, "memory_mb": 0.0,
             "memory_percent": 0.0, "container": null}]})
    }

    fn say(v: serde_json::Value) -> String {
        processes(&serde_json::from_value(v).unwrap())
    }

    #[test]
    fn the_busiest_processes_are_named_with_their_container_and_command() {
        assert_eq!(
            say(sample()),
            "The busiest of 412 processes by CPU over the last 5 seconds (100% is one whole core):\n\n\
             - **ffmpeg** (pid 4242, in container **plex**): CPU 180.5%, memory 1.20 GiB (7.5%) — \
             `ffmpeg -i /media/film.mkv -c:v libx264 out.mp4`\n\
             - **postgres** (pid 812): CPU 12.0%, memory 256.0 MiB (1.6%) — `postgres -c password=[redacted]`\n\
             - **kthreadd** (pid 2): CPU 0.0%, memory 0 B (0.0%)"
        );
    }

    #[test]
    fn by_memory_leads_with_memory_and_notes_are_kept() {
        let mut v = sample();
        v["sort"] = json!("memory");
        v["interval_seconds"] = json!(0.0);
        v["whole_host"] = json!(false);
        v["note"] = json!("Only this container's own processes are visible, not the host's.");
        let said = say(v);
        assert!(said.starts_with("The 3 processes using the most memory (resident), of 412:"), "{said}");
        assert!(
            said.contains("**ffmpeg** (pid 4242, in container **plex**): memory 1.20 GiB (7.5%), CPU 180.5%"),
            "{said}"
        );
        assert!(said.ends_with("(Only this container's own processes are visible, not the host's.)"), "{said}");
        let empty = json!({"sort": "cpu", "total": 0, "interval_seconds": 0.0, "whole_host": false, "processes": [],
            "note": "No processes are visible."});
        assert_eq!(say(empty), "No processes are visible.");
    }

    #[test]
    fn a_command_cannot_break_out_of_its_code_span() {
        let mut v = sample();
        v["processes"][0]["command"] = json!("sh -c `curl x` ![img](http://192.0.2.1)");
        v["processes"][0]["name"] = json!("[click](http://192.0.2.2)");
        let said = say(v.clone());
        assert!(said.contains("`sh -c 'curl x' ![img](http://192.0.2.1)`"), "{said}");
        assert!(!said.contains("[click](http"), "{said}");
        v["processes"][0]["command"] = json!(format!("java -jar {}… [cut]", "x".repeat(190)));
        let long = say(v);
        assert!(long.contains(&format!("`java -jar {}…`", "x".repeat(70))), "{long}");
    }
}
