//! The words the policy classifier reads: action verbs, lead-ins, override phrases, shell
//! programs. Kept apart from the logic so a new phrasing is usually a one-word change here.

#![cfg_attr(rustfmt, rustfmt_skip)]

/// Verbs that always mean "change something" when they open a clause.
pub const ACTION_VERBS: &[&str] = &[
    "restart", "reboot", "stop", "start", "kill", "pkill", "killall", "remove", "delete", "del", "destroy", "prune",
    "purge", "wipe", "erase", "shutdown", "poweroff", "halt", "suspend", "hibernate", "pause", "unpause", "resume",
    "run", "rerun", "execute", "exec", "launch", "spawn", "deploy", "redeploy", "install", "reinstall", "uninstall",
    "update", "upgrade", "downgrade", "modify", "edit", "set", "configure", "reconfigure", "enable", "disable",
    "create", "recreate", "rebuild", "rollback", "revert", "restore", "unmount", "umount", "eject", "expose",
    "unexpose", "rename", "move", "copy", "chmod", "chown", "overwrite", "truncate", "reset", "flush", "terminate",
    "evict", "migrate", "automate", "repair", "fix", "heal", "bounce", "recycle", "cycle", "relaunch",
    "reload", "renew", "rotate", "remind", "notify", "email", "reformat", "partition", "resize",
    "shrink", "grow", "extend", "attach", "detach", "replace", "resilver",
    "assign", "grant", "revoke", "forward", "unblock", "whitelist", "blacklist", "ban", "unban", "sudo",
    "systemctl", "rm", "mv", "cp", "mkdir", "rmdir", "touch", "dd", "mkfs", "fdisk", "iptables",
    "nft", "ufw", "kubectl", "crontab", "apt", "apt-get", "dpkg", "yum", "dnf", "pip", "npm", "reclaim", "defrag", "scale", "change", "ensure", "prevent", "force",
    // Actions named another way: slang, and what storage, sharing and alert administration say.
    "nuke", "zap", "axe", "ditch", "yeet", "torch", "trash", "scrap", "kick", "bin",
    "perform", "trigger", "initiate", "invoke", "replicate", "export", "import", "share", "unshare", "expand",
    "dismiss", "acknowledge", "ack", "silence", "mute", "unmute", "snooze", "resolve",
];

/// Verbs that are also common nouns or adjectives ("open ports?", "free memory?", "mount points"):
/// they mean an action only when an object follows (`the`, `a`, `port 22`, `up`…).
pub const AMBIGUOUS_VERBS: &[&str] = &[
    "open", "close", "free", "block", "allow", "deny", "mount", "schedule", "snapshot", "backup",
    "clean", "clear", "add", "write", "build", "pull", "push", "patch", "scrub", "format", "tag",
    "connect", "disconnect", "shut", "turn", "power", "bring", "spin", "take", "make", "get", "put", "switch",
    "fire", "boot", "tear", "back", "roll", "wake", "ping", "alert", "mark", "apply", "commit", "sync",
    "have", "give", "hit", "call", "use", "carry", "blow", "offline", "online", "see",
    "trim", "limit", "throttle", "lock", "unlock", "save", "load", "send", "post", "upload", "download", "map",
    "bind", "link", "unlink", "keep", "let", "do", "setup", "empty", "drop", "lower",
];

/// Ambiguous verbs that empty what follows a container's name: "clear plex's logs". Not "trim"
/// or "drop", which also ask for a shorter or pasted read ("trim sonarr logs to errors only").
pub const EMPTYING_VERBS: &[&str] = &["clean", "clear", "empty"];

/// What they empty, right after the name.
pub const EMPTIED: &[&str] = &[
    "log", "logs", "cache", "caches", "history", "data", "queue", "database", "db", "volume", "volumes",
];

/// Verbs that empty or delete, in French, German, Dutch, Spanish and Portuguese, as an order opens
/// with them (the imperative, or the infinitive used as one): "efface le cache de plex",
/// "lösch mal die logs von radarr", "wis de cache van plex", "borra los logs", "apaga o log".
pub const EMPTYING_ELSEWHERE: &[&str] = &[
    "efface", "effacez", "effacer", "vide", "videz", "vider", "nettoie", "nettoyez", "nettoyer", "supprime",
    "supprimez", "supprimer", "purger", "purgez",
    "lösche", "lösch", "loesche", "loesch", "löschen", "leere", "leeren", "entferne", "entfern", "entfernen",
    "bereinige", "bereinigen",
    "wis", "verwijder", "verwijderen", "leeg", "legen", "leegmaken",
    // Spanish and Portuguese imperatives only: their infinitives open questions typed without a
    // question mark ("limpar o cache do plex resolve o problema").
    "borra", "borre", "limpia", "limpie", "vacía", "vacia", "vacíe", "elimina", "elimine", "suprime",
    "limpa", "limpe", "apaga", "apague", "esvazia", "esvazie", "deleta",
];

/// Verbs that acknowledge, silence, dismiss, archive, disable or delete, in French, German, Dutch,
/// Spanish and Portuguese, in the imperative an order opens with: "acquitte les alertes",
/// "quittiere die warnungen", "bevestig de meldingen", "silencia las alertas", "reconheça os
/// alertas". English has its own in `ACTION_VERBS` (acknowledge, dismiss, silence, mute,
/// snooze). Not "ignore" or "hide" in any language: "ignora las alertas" may tell the assistant
/// what to leave out of its answer.
pub const SILENCING_ELSEWHERE: &[&str] = &[
    "acquitte", "acquittez", "rejette", "rejetez", "désactive", "desactive", "désactivez", "desactivez", "supprime",
    "supprimez", "efface", "effacez",
    "archivez", "quittiere", "quittier", "bestätige", "bestaetige", "verwirf", "deaktiviere", "lösche", "lösch",
    "loesche", "loesch", "entferne", "archiviere",
    "bevestig", "wis", "verwijder", "demp", "archiveer",
    "reconoce", "silencia", "descarta", "archiva", "desactiva", "borra", "elimina",
    "reconheça", "reconheca", "silencie", "descarte", "arquive", "arquiva", "desative", "desativa", "dispense",
    "apague", "apaga", "exclua", "remova",
];

/// Their infinitives, which also open questions typed without a question mark ("acquitter les
/// alertes est-il risqué"): an order only in a terse clause of what they silence and whose
/// ("acquitter les alertes de truenas", "silenciar las alertas"), or last in German and Dutch
/// ("die warnungen von truenas quittieren", "de meldingen bevestigen").
pub const SILENCING_INFINITIVES: &[&str] = &[
    "acquitter", "rejeter", "désactiver", "desactiver", "supprimer", "effacer", "archiver",
    "quittieren", "bestätigen", "bestaetigen", "verwerfen", "deaktivieren", "löschen", "loeschen", "entfernen",
    "stummschalten", "archivieren",
    "bevestigen", "verwijderen", "dempen", "uitschakelen", "archiveren",
    "reconocer", "silenciar", "descartar", "archivar", "desactivar", "borrar", "eliminar", "reconhecer",
    "arquivar", "desativar", "dispensar", "apagar", "excluir", "remover",
];

/// What they silence: alerts, alarms, warnings, notifications (stems, lower case).
pub const SILENCED_STEMS: &[&str] =
    &["alert", "alarm", "warn", "waarschuw", "melding", "meldung", "avis", "avert", "advert", "notific"];

/// The infinitives German and Dutch put last in an order: "cache von pihole leeren".
pub const EMPTYING_LAST: &[&str] = &[
    "löschen", "loeschen", "leeren", "entfernen", "bereinigen", "verwijderen", "legen", "leegmaken",
];

/// What they empty, in those languages and in English.
pub const EMPTIED_ELSEWHERE: &[&str] = &[
    "log", "logs", "cache", "caches", "caché", "journal", "journaux", "historique", "protokoll", "protokolle",
    "logdateien", "logdatei", "verlauf", "logboek", "logboeken", "registro", "registros", "historial",
    "histórico", "historico", "volume", "volumes", "queue",
];

/// Words said before or after an order that do not change it: "bitte lösch…", "…leeren, stp".
pub const FILLERS_ELSEWHERE: &[&str] = &[
    "bitte", "mal", "doch", "stp", "svp", "please", "pls", "porfa", "alsjeblieft", "aub", "even", "ff", "vite",
];

/// Words that make an ambiguous verb an order when they follow it.
pub const OBJECT_STARTERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "all", "every", "each", "some", "any",
    "it", "them", "him", "her", "up", "down", "off", "on", "out", "over", "back", "away", "offline", "online", "in",
    "everything", "anything", "port", "sure", "certain", "whatever", "one", "two", "both", "old", "latest", "new",
    "cycle", "ip", "ips", "traffic", "access", "user", "users",
    // What a homelab's administration acts on: "clear alerts", "lock tank/secure".
    "alert", "alerts", "container", "containers", "snapshot", "snapshots", "log", "logs", "cache", "caches",
    "pool", "pools", "dataset", "datasets", "share", "shares", "disk", "disks", "drive", "drives", "image",
    "images", "volume", "volumes", "service", "services", "task", "tasks", "job", "jobs", "firewall",
];

/// Objects after `take`/`make`/`get`/`put`/`keep`/`let` that turn them into actions; other
/// objects ("take a look", "make a list", "get the status") keep them as reading.
pub const CHANGE_NOUNS: &[&str] = &[
    "snapshot", "snapshots", "backup", "backups", "copy", "rid", "change", "changes", "rule", "rules", "restart",
    "reboot", "cleanup", "clean-up", "update", "upgrade", "install", "sure", "certain",
    "kick", "flush", "scrub", "resilver", "sync", "replication", "rebuild", "refresh", "reset", "wipe", "purge",
    "prune", "kill", "stop", "shutdown", "redeploy", "deploy", "rollback", "export", "import", "bounce",
    "post", "put", "delete", "patch",
];

/// States after `get`/`keep`/`make`… that mean "bring it into this state": "get plex running".
/// They only count right after the object, not after a determiner or a verb ("get the running
/// containers", "get containers that are stopped").
pub const CHANGE_STATES: &[&str] = &[
    "down", "offline", "online", "off", "restarted", "started", "stopped", "running", "removed", "deleted",
    "killed", "fixed", "working", "back", "up", "updated", "upgraded", "installed", "rebooted", "disabled",
    "enabled", "changed", "scheduled", "backed", "cleaned", "paused",
    "gone", "dead", "nuked", "wiped", "purged", "pruned", "destroyed", "exported", "dismissed", "cleared",
    "silenced", "muted", "shared", "scrubbed", "flushed", "reset",
];

/// Past participles of actions: "plex should be *restarted*", "get sonarr *restarted*".
pub const ACTION_PARTICIPLES: &[&str] = &[
    "restarted", "rebooted", "stopped", "started", "killed", "removed", "deleted", "destroyed", "pruned", "purged",
    "wiped", "erased", "shut", "updated", "upgraded", "installed", "uninstalled", "reinstalled", "disabled",
    "enabled", "changed", "modified", "created", "recreated", "rebuilt", "redeployed", "deployed", "reset",
    "flushed", "cleared", "cleaned", "scrubbed", "resilvered", "exported", "imported", "shared", "dismissed",
    "acknowledged", "silenced", "muted", "snoozed", "paused", "unpaused", "resumed", "nuked", "rolled",
    "rotated", "renamed", "moved", "replaced", "detached", "attached", "formatted", "mounted", "unmounted",
    "terminated", "bounced", "kicked", "trashed", "scrapped", "restored", "fixed", "expanded", "locked",
    "unlocked", "blocked", "unblocked", "opened", "closed", "scheduled", "triggered", "initiated", "performed",
];

/// Words after an action verb that make it a noun being asked about: "Update available?",
/// "Resilver progress?", "Restart count of plex?".
pub const NOUN_CONTEXT: &[&str] = &[
    "on", "of", "time", "times", "date", "status", "history", "log", "logs", "policy", "policies", "count",
    "counts", "loop", "loops", "reason", "reasons", "available", "availability", "progress", "needed",
    "required", "pending", "rate", "rates", "speed", "eta", "frequency", "schedule", "duration", "percentage",
    "state", "results", "result", "size", "age", "report", "summary", "info", "information", "details",
];

/// Action verbs that are not also nouns: before a word of [`NOUN_CONTEXT`] they still order
/// ("delete logs of plex", "disable rate limiting", "set time zone to UTC", "delete status
/// page"), where "restart logs of plex", "update history?" or "start time of plex?" name a kind
/// of log, history or time. A question of the verb and a measure alone ("prune frequency?")
/// still asks.
pub const NEVER_NOUNS: &[&str] = &[
    "delete", "del", "remove", "purge", "wipe", "erase", "truncate", "flush", "rotate", "prune", "destroy", "nuke",
    "zap", "trash", "scrap", "rm", "reset", "edit", "modify", "overwrite", "change", "set", "disable", "enable",
    "configure", "reconfigure", "terminate", "uninstall", "reinstall", "rename", "chmod",
    "chown", "grant", "revoke", "ban", "unban", "unblock", "whitelist", "blacklist", "mute", "unmute", "silence",
    "snooze", "dismiss", "acknowledge", "ack", "expose", "unexpose", "evict", "detach", "eject", "unmount", "umount",
    "reformat", "partition", "resize", "shrink", "automate",
];

/// Words that make a word of [`NOUN_CONTEXT`] part of the name of a thing that runs ("stop time
/// machine", "restart status page", "restart log shipper"): the verb before acts on that thing.
pub const NAMED_BY_A_MEASURE: &[&str] = &[
    "machine", "machines", "page", "pages", "server", "servers", "service", "services", "daemon", "plugin",
    "widget", "dashboard", "monitor", "exporter", "shipper", "collector", "forwarder", "aggregator", "tracker",
    "app", "bot", "api", "agent", "proxy",
];

/// Words that end the name a measure word begins ("restart time of the server?" asks about the
/// restart time): prepositions and articles.
pub const LINKING_WORDS: &[&str] =
    &["of", "for", "on", "in", "at", "since", "from", "to", "the", "a", "an", "per", "with", "by", "after", "during"];

/// The same for a setting, which a question reads ("restart policy settings?", "update log
/// files?") and an order changes ("update log level of sonarr"): counted only without a
/// question mark.
pub const SET_BY_A_MEASURE: &[&str] = &[
    "zone", "zones", "limit", "limits", "limiter", "level", "levels", "file", "files", "folder", "folders",
    "directory", "script", "scripts", "setting", "settings", "config", "rotation", "retention",
];

/// What emptying a measure means: "clear status of alerts", "clear history" (the verbs of
/// [`EMPTYING_VERBS`] before one of these, with no question mark, order).
pub const EMPTIED_MEASURES: &[&str] = &["status", "state", "history", "count", "counts", "queue"];

/// What syncing orders when no measure of it follows: "sync time on all hosts", "sync clocks",
/// "sync time for all hosts" (not "sync time of the cloud task").
pub const SYNCED: &[&str] = &["time", "clock", "clocks", "ntp"];

/// Verbs that turn a setting up or down; not in [`ACTION_VERBS`] as "increase in cpu since
/// yesterday?" asks: an order unless "in", "of" or "since" follows.
pub const ADJUSTING_VERBS: &[&str] = &["increase", "decrease", "reduce", "adjust", "bump", "raise"];

/// Measures of an action or a thing: "scrub date", "snapshot size", "restart count".
pub const MEASURES: &[&str] = &[
    "time", "times", "date", "dates", "status", "progress", "rate", "speed", "eta", "frequency", "duration",
    "percentage", "size", "sizes", "age", "count", "counts", "state",
];

/// Lead-ins that ask for an outcome however it is phrased: after them any action word in the
/// clause is an order ("it would be great if the server got rebooted", "see to it that nginx is
/// stopped").
pub const OUTCOME_LEAD_INS: &[&str] = &[
    "it would be great if", "it'd be great if", "it would be nice if", "it'd be nice if", "would be great if",
    "would be nice if", "would be awesome if", "it would be awesome if", "it would help if", "it'd help if",
    "i'd love it if", "i would love it if", "i'd appreciate it if", "i would appreciate it if", "my wish is for",
    "make it so", "see to it that", "see to it", "ensure that", "make sure that", "make sure",
];

/// A modal that, followed by `be` and a participle, asks for a change: "plex should be restarted".
pub const PASSIVE_MODALS: &[&str] = &["should", "must", "to", "ought", "gotta", "shall", "let", "needs", "need"];

/// Subjects that make `do`/`does`/`did` open a question: "Do I need a reboot?".
pub const QUESTION_SUBJECTS: &[&str] = &[
    "i", "we", "you", "they", "it", "he", "she", "there", "any", "all", "some", "many", "most", "containers",
    "my", "our", "these", "those",
];

/// Words after which a state word describes rather than orders.
pub const DESCRIBING: &[&str] = &[
    "the", "a", "an", "all", "any", "my", "our", "which", "that", "who", "are", "is", "was", "were", "be", "been",
    "being", "have", "has", "had", "of", "in", "with", "for", "not", "currently", "recently", "still", "ever",
];

/// After "I want to…", these verbs ask to learn something, not to change it.
pub const READ_VERBS: &[&str] = &[
    "know", "see", "check", "find", "understand", "view", "show", "list", "tell", "learn", "confirm", "verify",
    "look", "read", "monitor", "figure", "determine", "ask", "hear", "get", "have", "compare", "watch",
];

/// Lead-ins that wrap a request in politeness or indirection; peeled off before looking for the verb.
pub const LEAD_INS: &[&str] = &[
    "please", "pls", "plz", "kindly", "just", "now", "quickly", "immediately", "then", "also", "and", "so", "ok",
    "okay", "hey", "hi", "hello", "yo", "assistant", "bot", "alright", "right", "go ahead and", "go and", "go",
    "can you", "could you", "would you", "will you", "can u", "could u", "would u", "would you mind", "do you mind",
    "would you be able to", "are you able to", "can you please", "could you please", "i want you to", "i need you to",
    "i'd like you to", "i would like you to", "i want to", "i need to", "i'd like to", "i would like to",
    "i wanna", "i gotta", "we need to", "we should", "you should", "you need to", "you must", "you have to",
    "try to", "attempt to", "help me", "let's", "lets", "let us", "time to", "be sure to", "remember to",
    "don't forget to", "make sure to", "is it possible to", "is it possible for you to", "why don't you",
    "why not", "how about", "what if you", "maybe", "perhaps", "for me", "asap", "urgently", "first", "next",
    "finally", "now please", "you can", "you may", "feel free to", "i command you to", "i order you to",
    "you could", "you would", "you'd", "hard", "soft", "gracefully", "cleanly", "fully", "forcefully",
    "i'm asking you to", "i am asking you to", "i'd appreciate it if you could", "can i get you to",
    "i want", "i need", "i'd like", "i would like", "we want", "we need",
];

/// Lead-ins that state a wish; "I want plex restarted" orders a change without a verb first.
pub const WISHES: &[&str] = &["i want", "i need", "i'd like", "i would like", "we want", "we need", "i wanna"];

/// Phrases of recurring time: with an order they ask to schedule or automate.
pub const RECURRING: &[&str] = &[
    "every day", "every night", "every hour", "every week", "every month", "every morning", "every evening",
    "every minute", "every monday", "every sunday", "each night", "each day", "daily at", "nightly", "hourly",
    "weekly", "cron job", "on a schedule", "automatically", "whenever",
];

/// Phrases that try to switch the rules off.
pub const OVERRIDES: &[&str] = &[
    "ignore previous instructions", "ignore all previous", "ignore the previous", "ignore your instructions",
    "ignore your rules", "ignore the rules", "ignore all rules", "ignore prior instructions", "ignore above",
    "disregard previous", "disregard your", "disregard all", "disregard the rules", "forget your instructions",
    "forget your rules", "forget previous instructions", "forget all previous", "override your", "bypass your",
    "bypass the read-only", "bypass read-only", "you are now a", "you are now an", "you are now in",
    "from now on you", "from now on, you", "developer mode", "jailbreak", "dan mode",
    "no longer read-only", "not read-only anymore", "pretend you can", "pretend you are", "act as root",
    "admin mode", "god mode", "sudo mode", "new instructions:", "system prompt:", "turn off read-only",
    "disable read-only", "disable the read-only", "switch off read-only", "unrestricted mode",
];

/// Shell programs whose next word decides: `docker ps` reads, `docker rm` writes.
pub const SHELL_TOOLS: &[&str] = &["docker", "podman", "zfs", "zpool", "git", "systemctl", "journalctl", "midclt", "truenas", "kubectl", "ctr", "nerdctl", "virsh", "qm", "pct"];
pub const SHELL_WRITES: &[&str] = &[
    "stop", "start", "restart", "rm", "rmi", "kill", "run", "exec", "prune", "pull", "push", "update", "pause",
    "unpause", "create", "destroy", "snapshot", "rollback", "set", "scrub", "export", "import", "offline",
    "online", "replace", "detach", "attach", "clear", "enable", "disable", "mask", "unmask", "reload", "compose",
    "system", "volume", "network", "commit", "reset", "clone", "rename", "up", "down", "call", "reboot",
    "shutdown", "delete", "apply", "scale", "drain", "cordon", "mount", "unmount", "upgrade", "install",
];


/// Cyrillic and Greek letters that look like Latin ones, folded before reading.
pub const LOOK_ALIKES: &[(char, char)] = &[
    ('а', 'a'), ('в', 'b'), ('е', 'e'), ('ё', 'e'), ('к', 'k'), ('м', 'm'), ('н', 'h'), ('о', 'o'), ('р', 'p'),
    ('с', 'c'), ('т', 't'), ('у', 'y'), ('х', 'x'), ('ѕ', 's'), ('і', 'i'), ('ї', 'i'), ('ј', 'j'), ('ԁ', 'd'),
    ('һ', 'h'), ('ӏ', 'l'), ('ԛ', 'q'), ('ԝ', 'w'), ('А', 'A'), ('В', 'B'), ('Е', 'E'), ('К', 'K'), ('М', 'M'),
    ('Н', 'H'), ('О', 'O'), ('Р', 'P'), ('С', 'C'), ('Т', 'T'), ('Х', 'X'), ('Ѕ', 'S'), ('І', 'I'), ('Ј', 'J'),
    ('α', 'a'), ('ε', 'e'), ('ι', 'i'), ('κ', 'k'), ('ο', 'o'), ('ρ', 'p'), ('τ', 't'), ('υ', 'u'), ('ν', 'v'),
    ('χ', 'x'), ('Α', 'A'), ('Β', 'B'), ('Ε', 'E'), ('Ι', 'I'), ('Κ', 'K'), ('Μ', 'M'), ('Ν', 'N'), ('Ο', 'O'),
    ('Ρ', 'P'), ('Τ', 'T'), ('Χ', 'X'), ('Υ', 'Y'), ('Ζ', 'Z'),
];

/// Words that open a question or a request to be shown something.
pub const QUESTION_WORDS: &[&str] = &[
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was", "were", "do",
    "does", "did", "has", "have", "had", "can", "could", "would", "should", "will", "am", "any", "tell", "show",
    "list", "give", "report", "check", "display", "describe", "explain", "summarize", "summarise", "count",
];

/// `docker volume rm`, `docker compose up`…: the third word decides for these sub-commands.
pub const COMPOUND_WRITES: &[&str] = &["rm", "prune", "create", "down", "up", "restart", "stop", "start", "kill", "pull", "connect", "disconnect"];
