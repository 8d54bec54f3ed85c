//! The understanding layer end to end, on the embedded model: what exists grounds the names, the
//! conversation fills in "its", and the plan calls every tool a question needs. Questions here
//! are plain ones; how well unseen phrasings do is measured by `make eval`, not asserted.

use homelab_schemas::ToolId;
use homelab_understanding::{plan, understand, ContainerRef, Context, Kind};
use serde_json::json;

fn host() -> Context {
    let c = |name: &str, state: &str, status: &str| ContainerRef {
        name: name.into(),
        state: state.into(),
        status: status.into(),
    };
    Context {
        containers: vec![
            c("plex", "running", "Up 2 hours (healthy)"),
            c("pihole", "running", "Up 2 hours (unhealthy)"),
            c("sonarr", "exited", "Exited (1) 3 hours ago"),
            c("media-jellyfin-1", "running", "Up 5 hours"),
            c("nextcloud", "created", "Created"),
        ],
        // At noon, so "last night" is over whenever the tests run.
        now: "2026-12-05T12:00:00Z".parse::<jiff::Timestamp>().unwrap().to_zoned(jiff::tz::TimeZone::UTC),
        ..Context::now_only()
    }
}

fn calls(question: &str, context: &Context) -> Vec<(ToolId, serde_json::Value)> {
    plan::calls(&understand(question, context), ToolId::ALL)
}

#[test]
fn one_container_s_health_is_looked_up_not_the_host_s() {
    let c = calls("Is pihole healthy?", &host());
    assert_eq!(c, vec![(ToolId::ContainerDetails, json!({"name": "pihole"}))]);
}

#[test]
fn a_compose_style_name_answers_to_its_service() {
    let u = understand("how much memory does jellyfin use?", &host());
    assert_eq!(u.containers, ["media-jellyfin-1"]);
}

#[test]
fn words_after_past_and_last_are_times_not_containers() {
    for q in ["cpu over the past 6 hours", "memory for the past couple of hours", "what was the load in the last day"] {
        let u = understand(q, &host());
        assert!(u.containers.is_empty(), "{q}: {:?}", u.containers);
        assert!(u.window.is_some(), "{q}");
        assert!(u.has(Kind::History), "{q}: {:?}", u.kinds);
    }
}

#[test]
fn its_logs_follow_the_container_of_the_conversation() {
    let context = Context { earlier: vec!["why did sonarr stop?".into()], ..host() };
    let u = understand("and its logs?", &context);
    assert!(u.has(Kind::Logs), "{:?}", u.kinds);
    assert_eq!(u.containers, ["sonarr"]);
    assert!(u.follow_up);
}

#[test]
fn the_one_that_crashed_is_the_container_that_did() {
    let u = understand("show me the logs of the one that crashed", &host());
    assert_eq!(u.containers, ["sonarr"]);
    assert_eq!(plan::calls(&u, ToolId::ALL)[0].0, ToolId::ContainerLogs);
}

#[test]
fn several_kinds_in_one_question_call_every_tool_needed() {
    let tools: Vec<ToolId> = calls("is plex up and how much disk is left?", &host()).into_iter().map(|c| c.0).collect();
    assert!(tools.contains(&ToolId::ContainerDetails) && tools.contains(&ToolId::SystemResources), "{tools:?}");
}

#[test]
fn a_vague_question_gets_the_situation_report_problems_first() {
    let tools: Vec<ToolId> = calls("anything wrong?", &host()).into_iter().map(|c| c.0).collect();
    assert_eq!(tools.first(), Some(&ToolId::Problems), "{tools:?}");
    assert!(tools.contains(&ToolId::SystemResources) && tools.contains(&ToolId::Containers), "{tools:?}");
}

#[test]
fn the_situation_report_of_the_nas_fits_one_turn_and_reads_its_pools() {
    // Alone it looks at what happened lately too.
    let tools: Vec<ToolId> = calls("how is it doing?", &host()).into_iter().map(|c| c.0).collect();
    assert!(tools.contains(&ToolId::Events) && tools.len() <= plan::CALLS_PER_TURN, "{tools:?}");
    for q in ["is my nas ok?", "how is my nas doing", "how is truenas doing?"] {
        let planned = calls(q, &host());
        let pools = planned.iter().any(|(t, args)| *t == ToolId::TruenasStatus && args["topic"] == "pools");
        assert!(pools && planned.len() <= plan::CALLS_PER_TURN, "{q}: {planned:?}");
        assert_eq!(planned[0].0, ToolId::Problems, "{q}: {planned:?}");
    }
    // Alerts named are kept; what the question names besides comes before the report's own
    // figures and list, which the budget then stops.
    let planned = calls("is my nas ok, any alerts?", &host());
    let topics: Vec<&str> = planned.iter().filter_map(|(_, args)| args["topic"].as_str()).collect();
    assert!(topics.contains(&"alerts") && topics.contains(&"pools"), "{planned:?}");
    let first: Vec<ToolId> = planned.iter().take(plan::CALLS_PER_TURN).map(|c| c.0).collect();
    assert!(first.iter().filter(|t| **t == ToolId::TruenasStatus).count() == 2, "{planned:?}");
}

#[test]
fn last_night_asks_the_history_for_that_night() {
    let c = calls("what was the cpu doing last night?", &host());
    let (tool, args) = &c[0];
    assert_eq!(*tool, ToolId::History);
    assert_eq!(args["metric"], "cpu");
    assert!(args["start"].is_string() && args["end"].is_string(), "{args}");
}

#[test]
fn requests_for_a_change_are_caught_in_every_language_and_quoting_a_command_is_not_one() {
    for q in ["restart plex", "starte plex neu", "reinicia plex", "redémarre plex", "herstart plex", "reinicia o plex"]
    {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
    for q in [
        "what's the difference between `docker compose restart` and `up -d`?",
        "how do I restart plex?",
        "why did sonarr stop?",
    ] {
        assert!(understand(q, &host()).change.is_none(), "{q}");
    }
}

#[test]
fn emptying_a_container_s_logs_is_refused_and_showing_them_is_not() {
    for q in ["clear plex's logs", "empty sonarr's cache", "borra los logs de plex", "lösche die logs von plex"] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
    for q in
        ["show me the logs of plex", "montre les logs de plex", "zeig die logs von plex", "muestra los logs de plex"]
    {
        let u = understand(q, &host());
        assert!(u.change.is_none() && u.has(Kind::Logs), "{q}: {u:?}");
    }
}

#[test]
fn an_order_after_a_question_in_the_same_message_is_refused_and_named() {
    // Read whole, each of these is mostly a question (the classifier is unsure of it); its last
    // step, read alone, is an order, and the refusal names it.
    for (q, request) in [
        ("montre-moi la mémoire puis arrête jellyfin", "arrête jellyfin"),
        ("veja o uso de cpu e então reinicie o servidor", "reinicie o servidor"),
        ("how much disk is free; afterwards prune the unused images", "prune the unused images"),
    ] {
        let u = understand(q, &Context::now_only());
        assert_eq!(u.change.map(|c| c.request).as_deref(), Some(request), "{q}");
    }
    // The step that orders is named, not a look before it.
    let mut context = host();
    context.containers.push(ContainerRef { name: "radarr".into(), state: "running".into(), status: "Up".into() });
    let u = understand("vérifie plex et sonarr, puis redémarre radarr", &context);
    assert_eq!(u.change.map(|c| c.request).as_deref(), Some("redémarre radarr"));
    // Questions, and steps that say not to, are not orders.
    for q in [
        "how full are the disks, then how much is used by plex?",
        "check the disk usage, don't delete anything",
        "regarde les logs de plex puis dis-moi pourquoi il a planté",
        "the load over 1, 5 and 15 minutes",
        "hoe stop ik plex, daarna herstart ik het",
        "plex logs say:\nKilled process 1234 (plex)\nstopping the container now\nwhy?",
    ] {
        assert!(understand(q, &Context::now_only()).change.is_none(), "{q}");
    }
}

#[test]
fn a_host_s_name_picks_the_host_among_several() {
    let context = Context { hosts: vec!["local".into(), "nas".into(), "pi".into()], ..host() };
    let c = calls("how much disk is left on the pi?", &context);
    assert_eq!(c, vec![(ToolId::SystemResources, json!({"host": "pi"}))]);
}

#[test]
fn the_embedded_model_was_trained_on_the_corpus_as_it_is_now() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let corpus = homelab_understanding::corpus::load(&dir).expect("the corpus reads");
    let model = homelab_understanding::model::Model::embedded();
    assert_eq!(
        homelab_understanding::corpus::fingerprint(&corpus),
        model.meta.corpus_fingerprint,
        "the corpus changed since the model was trained: run `make train`"
    );
    assert!(corpus.len() >= 2000, "{} lines", corpus.len());
}

#[test]
fn it_after_a_question_about_the_busiest_container_is_the_one_the_answer_named() {
    let context = Context {
        earlier: vec!["which container uses the most memory?".into()],
        last_answer: Some(
            "Running containers by memory use:\n\n- **media-jellyfin-1**: 250 MiB\n- **plex**: 80 MiB".into(),
        ),
        ..host()
    };
    let u = understand("and how much CPU?", &context);
    assert_eq!(u.containers, ["media-jellyfin-1"]);
    assert!(u.has(Kind::ContainerUsage), "{:?}", u.kinds);
}

#[test]
fn what_is_free_after_a_question_about_a_container_is_the_machine_s_and_its_figures_are_the_container_s() {
    let context = Context { earlier: vec!["is plex running?".into()], ..host() };
    for q in [
        "how much ram is free rn",
        "wie viel RAM ist noch frei?",
        "¿cuánta memoria queda?",
        "and the server's cpu?",
        "free ram?",
        "ram left?",
        "how much ram is free on this box?",
        "il reste combien de ram ?",
        "hoeveel geheugen is er vrij?",
    ] {
        let u = understand(q, &context);
        assert!(u.containers.is_empty() && !u.has(Kind::ContainerUsage), "{q}: {u:?}");
    }
    assert!(understand("which container uses the most memory?", &context).containers.is_empty());
    for q in ["and its ram?", "et son cpu ?", "und wie viel CPU?", "and its memory in total?", "is zijn cpu vrij hoog?"]
    {
        let u = understand(q, &context);
        assert_eq!(u.containers, ["plex"], "{q}: {u:?}");
        assert!(u.has(Kind::ContainerUsage), "{q}: {u:?}");
    }
}

#[test]
fn a_name_one_letter_off_is_the_closest_container_and_an_unknown_one_is_not_the_crashed_one() {
    let mut context = host();
    for name in ["homelab-fixture-web", "homelab-fixture-db"] {
        context.containers.push(ContainerRef { name: name.into(), state: "created".into(), status: "Created".into() });
    }
    let u = understand("Show me the logs of homelab-fixture-wbe", &context);
    assert_eq!(u.containers, ["homelab-fixture-web"]);
    let u = understand("Show me the logs of homelab-fixture-proxy", &context);
    assert_eq!(u.unmatched.as_deref(), Some("homelab-fixture-proxy"), "{:?} {:?}", u.containers, u.kinds);
    assert!(u.containers.is_empty(), "not sonarr, which crashed: {:?}", u.containers);
    assert_eq!(u.kinds, [Kind::Logs].into());
}

#[test]
fn asking_the_assistant_itself_to_act_is_a_request_whatever_follows() {
    for message in ["Could you restart ich?", "can you please stop sonarr", "Hey, please delete the old logs"] {
        assert!(understand(message, &host()).change.is_some(), "{message}");
    }
    for message in ["How do I restart plex?", "Could you tell me how to restart plex?", "can you restart count?"] {
        assert!(understand(message, &host()).change.is_none(), "{message}");
    }
}

#[test]
fn details_of_a_named_container_are_its_status() {
    let u = understand("Show me the details of the plex container", &host());
    assert_eq!(u.containers, ["plex"]);
    assert!(u.has(Kind::ContainerStatus), "{:?}", u.kinds);
}

#[test]
fn errors_asked_of_a_log_are_read_from_more_of_it() {
    for q in [
        "any errors in pihole's logs in the last hour?",
        "zeig mir die fehler im log von sonarr",
        "¿hay errores en los logs de plex?",
        "show me the errors in the jellyfin log",
    ] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Logs) && u.errors, "{q}: {u:?}");
        let calls = calls(q, &host());
        let logs: Vec<_> = calls.iter().filter(|(t, _)| *t == ToolId::ContainerLogs).collect();
        assert!(!logs.is_empty() && logs.iter().all(|(_, a)| a["lines"] == 200), "{q}: {calls:?}");
    }
    for q in ["show me plex's logs", "why did sonarr stop?", "what's wrong with the server"] {
        assert!(!understand(q, &host()).errors, "{q}");
    }
}

#[test]
fn the_size_of_something_inside_a_container_is_named_as_what_cannot_be_seen() {
    for (q, thing) in [
        ("how big is the plex cache", "cache"),
        ("wie groß ist die datenbank von sonarr", "database"),
        ("quelle est la taille du cache de plex", "cache"),
        ("hoe groot is de bibliotheek van jellyfin", "library"),
        ("cuánto espacio ocupa la carpeta de sonarr", "folder"),
        ("qual o tamanho do volume do plex", "volume"),
    ] {
        let u = understand(q, &host());
        assert!(u.change.is_none(), "a question, not an order: {q}: {u:?}");
        assert_eq!(u.inside, Some(thing), "{q}: {u:?}");
    }
    for q in [
        // No container named, no size asked, or an order.
        "how big is the cache",
        "show me plex's config",
        "how much space is left on the disk plex uses",
        "clear the plex cache, it is too big",
    ] {
        assert_eq!(understand(q, &host()).inside, None, "{q}");
    }
}

#[test]
fn a_failed_replication_is_not_taken_for_the_container_that_crashed() {
    for q in ["why did the replication fail", "warum ist die replikation fehlgeschlagen", "por que a replicação falhou"]
    {
        let u = understand(q, &host());
        assert!(u.has(Kind::Snapshots) && !u.has(Kind::WhyStopped), "{q}: {u:?}");
        assert!(u.containers.is_empty(), "sonarr crashed, but is not asked about: {q}: {u:?}");
    }
    // Named, a container's stop is still read with the tasks.
    let u = understand("why did sonarr stop and did the replication run", &host());
    assert!(u.has(Kind::WhyStopped) && u.has(Kind::Snapshots) && u.containers == ["sonarr"], "{u:?}");
}

#[test]
fn the_space_snapshots_take_is_read_from_the_datasets() {
    for q in
        ["how much space do snapshots use", "combien d'espace prennent les snapshots", "cuánto ocupan los snapshots"]
    {
        let u = understand(q, &host());
        assert!(u.has(Kind::Datasets) && !u.has(Kind::Unsupported) && u.change.is_none(), "{q}: {u:?}");
    }
    assert!(!understand("when was the last snapshot", &host()).has(Kind::Datasets));
    assert!(understand("take a snapshot of tank/media, it's big", &host()).change.is_some());
}

#[test]
fn asked_who_uses_the_cpu_or_memory_the_processes_are_read() {
    for q in [
        "is anything using a lot of memory?",
        "was verbraucht so viel speicher",
        "wat gebruikt al mijn geheugen",
        // Typed fast: a dropped g, a contraction.
        "whats hoggin the cpu",
        "who's using all the memory",
        "whos eatin my ram",
    ] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Processes), "{q}: {u:?}");
    }
    for q in ["how much memory is used", "what is the cpu usage", "wie viel speicher braucht das system"] {
        assert!(!understand(q, &host()).has(Kind::Processes), "{q}");
    }
}

#[test]
fn backups_in_general_are_read_as_the_nas_tasks() {
    for q in [
        "did last night's backup work?",
        "are my backups ok",
        "hat das backup heute nacht funktioniert",
        "¿funcionó la copia de seguridad de anoche?",
        "is de back-up van vannacht gelukt",
    ] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Snapshots) && u.backups && u.change.is_none(), "{q}: {u:?}");
        assert!(calls(q, &host()).iter().any(|(t, a)| *t == ToolId::TruenasStatus && a["topic"] == "snapshots"), "{q}");
    }
    for q in [
        // Elsewhere, a machine, a container's own, a word talked about, an order.
        "did the backblaze backup finish",
        "is the backup server ok",
        "what does the plex backup log say",
        "comment on dit \"sauvegarde\" en anglais ?",
        "delete the old backups",
    ] {
        let u = understand(q, &host());
        assert!(!u.backups && !u.has(Kind::Snapshots), "{q}: {u:?}");
    }
}

#[test]
fn a_name_put_where_a_container_goes_is_said_back_as_missing() {
    for (q, name) in [
        ("is minecraft running", "minecraft"),
        ("how much ram does minecraft use", "minecraft"),
        ("show me the logs of vaultwarden", "vaultwarden"),
        ("why did minecraft crash", "minecraft"),
        ("läuft vaultwarden?", "vaultwarden"),
        ("est-ce que minecraft tourne", "minecraft"),
        ("waarom is minecraft gecrasht", "minecraft"),
        ("o syncthing está rodando?", "syncthing"),
    ] {
        let u = understand(q, &host());
        assert_eq!(u.unmatched.as_deref(), Some(name), "{q}: {u:?}");
        // Only the list is read, for the answer to say it is not there: never the other
        // containers' figures, logs or problems in its place.
        assert_eq!(calls(q, &host()), vec![(ToolId::Containers, json!({}))], "{q}");
    }
    for q in [
        "is everything running",
        "is the internet down",
        "is docker running",
        "what is taking up the space",
        "is /var running out of space",
        "was läuft eigentlich gerade alles an containern",
        "is netflix down",
        "what are the logs of the one that crashed",
        "is plex running",
    ] {
        let u = understand(q, &host());
        assert_eq!(u.unmatched, None, "{q}: {u:?}");
    }
    // Nothing is known to be missing where no container is known at all.
    assert_eq!(understand("is minecraft running", &Context::now_only()).unmatched, None);
    // Nor is the container of the conversation taken for it.
    let after_plex = Context { earlier: vec!["how much cpu does plex use?".into()], ..host() };
    for q in ["is minecraft running?", "how much ram does minecraft use"] {
        let u = understand(q, &after_plex);
        assert!(u.containers.is_empty() && u.unmatched.as_deref() == Some("minecraft"), "{q}: {u:?}");
    }
    // A name with a hyphen is said back whole.
    assert_eq!(understand("logs of home-assistant", &host()).unmatched.as_deref(), Some("home-assistant"));
}

#[test]
fn words_in_a_name_s_place_that_are_not_names_are_not_said_missing() {
    // Found by a review of the frames: what logs are asked for, what else a homelab runs, which
    // container rather than whose name, German and Dutch word order, adverbs.
    for q in [
        "check the logs for errors",
        "show me logs from yesterday",
        "is zfs healthy",
        "is storage running low",
        "what is the busiest container",
        "logs for the unhealthy container",
        "did anyone restart the server",
        "Mein Server läuft nicht",
        "mijn server draait niet",
        "o servidor caiu?",
        "¿el servidor está funcionando correctamente?",
        "registros de hoy",
        "pourquoi cela a planté",
    ] {
        let u = understand(q, &host());
        assert_eq!(u.unmatched, None, "{q}: {u:?}");
    }
}

#[test]
fn the_next_scrub_is_read_as_the_pools_with_the_schedule_unseen() {
    for q in
        ["when is the next scrub", "when does the next scrub run", "wann ist der nächste scrub", "next scrub date?"]
    {
        let u = understand(q, &host());
        assert!(u.scrub_schedule && u.has(Kind::Pool) && u.change.is_none(), "{q}: {u:?}");
        assert!(!u.has(Kind::Howto), "{q}: {u:?}");
    }
    for q in [
        "when was the last scrub",
        "how do I schedule a scrub",
        "start a scrub",
        "did the scheduled scrub run last night?",
    ] {
        assert!(!understand(q, &host()).scrub_schedule, "{q}");
    }
}

#[test]
fn the_drives_health_is_read_as_the_pools_and_alerts_not_the_space() {
    for q in [
        "are my drives healthy",
        "is any disk failing?",
        "smart status of my disks",
        "sind meine festplatten gesund",
        "mes disques sont en bonne santé ?",
        "zijn mijn schijven gezond",
    ] {
        let u = understand(q, &host());
        assert!(u.disk_health && u.has(Kind::Pool) && u.has(Kind::Alerts) && u.change.is_none(), "{q}: {u:?}");
        assert!(!u.has(Kind::Disk) && !u.has(Kind::Unsupported), "{q}: {u:?}");
    }
    for q in [
        // Space, speed, an order, a how-to, a cloud drive, failing in another sentence, the pool.
        "is my disk full",
        "why is disk io so bad",
        "replace the failing disk",
        "how do I replace a failing drive in truenas",
        "is google drive failing to sync",
        "is the disk full? downloads keep failing",
        "is the pool still degraded after i swapped the drive",
    ] {
        let u = understand(q, &host());
        assert!(!u.disk_health && !u.has(Kind::Alerts), "{q}: {u:?}");
    }
    // Health and how full, both asked: both read.
    let u = understand("is 90% disk usage bad?", &host());
    assert!(u.disk_health && u.has(Kind::Disk) && u.has(Kind::Pool), "{u:?}");
}

#[test]
fn a_yes_no_question_about_state_is_not_an_order_unless_it_names_one() {
    // "backup" alone made the model 0.32 sure of an order, over the 0.31 threshold.
    for q in [
        "is /mnt/backup almost full",
        "is the backup disk almost full?",
        "are the backups done",
        // "cache" alone made these 0.4 to 0.7 sure of an order.
        "hoe groot is de cache van plex",
        "combien pèse le cache de plex",
        "qual o tamanho do cache do plex",
    ] {
        assert!(understand(q, &host()).change.is_none(), "{q}");
    }
    for q in [
        "is it ok if you reboot the server",
        "is it possible to restart plex",
        "are you able to stop sonarr",
        // A question, then an order in a sentence of its own.
        "quel conteneur bouffe le plus ? coupe-le",
        // Put to the assistant, or naming what empties: orders however they open.
        "wie schnell kannst du den cache von plex leeren?",
        "cuál es el problema si borras la caché de plex?",
        "quanto custa você apagar os logs do plex agora",
        "is it ok to empty the plex cache now",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
}

#[test]
fn when_a_disk_fills_is_read_from_its_history_and_how_full_it_is_now_is_not() {
    for q in [
        "is the disk going to fill up",
        "how long until /mnt/backup is full",
        "est-ce que le disque va bientôt être plein",
    ] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Disk) && u.has(Kind::History), "{q}: {:?}", u.kinds);
        assert!(calls(q, &host()).iter().any(|(t, _)| *t == ToolId::History), "{q}");
    }
    for q in
        ["is the disk full", "how full is /mnt/media", "how much space is left on the pool", "le disque est plein ?"]
    {
        assert!(!understand(q, &host()).has(Kind::History), "{q}");
    }
}

#[test]
fn an_action_named_as_what_a_measure_is_of_is_asked_about_not_ordered() {
    for q in [
        "next scrub date?",
        "snapshot size of tank/media",
        "scrub progress on tank",
        "snapshot age for tank/photos",
        "next restart time of plex?",
    ] {
        let u = understand(q, &host());
        assert!(u.change.is_none(), "{q}: {u:?}");
    }
    // The same words that wish or order, and the next step of a list of orders, still refuse.
    for q in [
        "next scrub tank",
        "next restart plex",
        "the scrub schedule should be weekly",
        "snapshot tank/media now",
        "scrub tank now",
        "reset restart count of sonarr",
        "clear the update status",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
}

#[test]
fn a_destroying_verb_before_something_kept_orders() {
    for q in [
        "delete logs of plex",
        "wipe logs for sonarr",
        "truncate logs of jellyfin",
        "purge history of the chats",
        "flush logs on nextcloud",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
    // A kind of log or history, named after what it records.
    for q in
        ["restart logs of plex", "update history of truenas?", "deploy logs for immich", "install log of nextcloud"]
    {
        assert!(understand(q, &host()).change.is_none(), "{q}");
    }
}

#[test]
fn a_past_scrub_is_read_from_the_pools_not_the_nights_figures() {
    for q in
        ["did the scheduled scrub run last night?", "did the resilver finish overnight?", "any scrub errors yesterday?"]
    {
        let u = understand(q, &host());
        assert!(u.has(Kind::Pool) && !u.has(Kind::History) && !u.has(Kind::Events), "{q}: {u:?}");
    }
    // A figure during a scrub is that figure's history.
    let u = understand("was the cpu high during the scrub last night?", &host());
    assert!(u.has(Kind::Cpu) && u.has(Kind::History), "{u:?}");
    assert!(understand("start a scrub tonight", &host()).change.is_some());
}

#[test]
fn verbs_that_are_never_nouns_order_before_a_measure_or_a_kept_thing() {
    for q in [
        "remove rate limit for sonarr",
        "reset state of tank",
        "disable rate limiting on the gateway",
        "set time zone to UTC",
        "delete status page",
        "disable logs for sonarr",
        "increase snapshot count to 48",
        "reduce the snapshot count to 10",
        "first clear logs of plex",
        "first empty history",
        "lower the scrub frequency to monthly",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
    assert!(understand("is the load lower now", &host()).change.is_none());
    for q in [
        "prune frequency?",
        "Kill count from the OOM killer?",
        "increase in cpu since yesterday?",
        "start time of plex?",
        "restart count for sonarr",
    ] {
        assert!(understand(q, &host()).change.is_none(), "{q}");
    }
}

#[test]
fn a_measure_that_names_a_thing_a_record_emptied_and_clocks_synced_are_orders() {
    for q in [
        "stop time machine",
        "restart status page",
        "update log level of sonarr",
        "clear status of alerts",
        "clear history",
        "clean history of chats",
        "sync time on all hosts",
        "sync clocks",
        // The thing's name in the word after the next.
        "restart time sync daemon",
        "stop log shipping agent",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
    }
    // A measure of an action, its history, or a thing's status asked about.
    for q in [
        "reboot history",
        "restart history of plex",
        "scrub history of tank",
        "sync time of the cloud task",
        "start time of plex?",
        "restart time of the server?",
        "restart time on the server",
        // In a question only the next word names the thing.
        "start time plex server?",
        "restart count nginx proxy?",
        "what is the status page url",
        "is time machine backup running",
    ] {
        assert!(understand(q, &host()).change.is_none(), "{q}");
    }
    // Read as the host's uptime and the reboots its events record.
    let u = understand("reboot history", &host());
    assert!(u.has(Kind::Uptime) && u.has(Kind::Events), "{u:?}");
}

#[test]
fn a_longer_how_to_about_the_scrub_schedule_stays_a_how_to_and_tonight_s_scrub_is_the_next() {
    for q in ["where do I change the scrub schedule?", "can I schedule scrubs with cron?"] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Howto) && !u.scrub_schedule, "{q}: {u:?}");
    }
    // At noon tonight has not begun: the next scrub, said once.
    let u = understand("will the scrub run tonight?", &host());
    assert!(u.scrub_schedule && u.has(Kind::Pool) && u.not_begun.is_some(), "{u:?}");
    // History alone of a part of the day not begun is how things are now.
    let u = understand("how was it this evening?", &host());
    assert!(u.not_begun.is_some() && !u.has(Kind::History), "{u:?}");
}

#[test]
fn a_named_container_s_errors_are_read_from_its_logs() {
    for q in ["show me errors from plex today", "any errors in pihole?", "does plex have errors"] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Logs) && u.errors, "{q}: {u:?}");
    }
    // Not running: its details carry its last error lines already.
    assert!(!understand("any errors in sonarr?", &host()).has(Kind::Logs));
    // No container named: the problems; how to fix them: a how-to.
    assert!(!understand("any errors today?", &host()).has(Kind::Logs));
    assert!(!understand("how do I fix plex errors", &host()).has(Kind::Logs));
}

#[test]
fn a_slow_running_container_is_read_as_it_runs_not_why_it_stopped() {
    for q in ["why is plex slow", "why is plex so sluggish"] {
        let u = understand(q, &host());
        assert!(u.has(Kind::ContainerUsage) && u.has(Kind::ContainerStatus) && !u.has(Kind::WhyStopped), "{q}: {u:?}");
    }
    // A stopped one is still asked why it stopped.
    assert!(understand("why did sonarr stop", &host()).has(Kind::WhyStopped));
}

#[test]
fn a_running_container_s_errors_named_first_are_its_logs_and_no_order() {
    // A few words naming errors and a running container, in six languages: its logs, and
    // nothing refused (the model put several of these near or over its change threshold, and
    // read the English and French as why it stopped).
    for q in [
        "errors from plex",
        "erreurs de plex ?",
        "les erreurs de plex",
        "errores de plex",
        "los errores de plex",
        "erros do plex",
        "die fehler von plex",
        "warnings from pihole",
        "registros de plex",
        // "del" is Spanish's "of the" here, not the shell's delete.
        "los registros del plex",
        "journaux de plex",
        "os erros do plex hoje",
        "erreurs du serveur plex",
    ] {
        let u = understand(q, &host());
        assert!(u.change.is_none(), "{q}: {u:?}");
        assert!(u.has(Kind::Logs) && !u.has(Kind::WhyStopped), "{q}: {u:?}");
        // The orchestrator decides a refusal before it reads the containers.
        assert!(understand(q, &Context::now_only()).change.is_none(), "{q}, no containers known");
    }
    // The same words with a verb before or after them order; a stop or a crash named is still
    // why it stopped.
    for q in [
        "borra los errores de plex",
        "efface les erreurs de plex",
        "errores de plex, bórralos",
        "del plex",
        "die fehler von plex beheben",
        "errores de plex arreglar",
        "fouten van plex oplossen",
    ] {
        assert!(understand(q, &host()).change.is_some(), "{q}");
        assert!(understand(q, &Context::now_only()).change.is_some(), "{q}, no containers known");
    }
    for q in ["what error made plex crash?", "why did plex stop, any errors?"] {
        assert!(understand(q, &host()).has(Kind::WhyStopped), "{q}");
    }
    // A stopped container's errors: why it stopped (its details carry its last lines).
    assert!(!understand("errors from sonarr", &host()).has(Kind::Logs));
}

#[test]
fn how_the_nas_is_in_any_language_is_the_report_with_its_pools() {
    for q in [
        "mein nas ok?",
        "läuft das nas gut?",
        "est-ce que mon nas va bien ?",
        "¿mi nas está bien?",
        "o meu nas está bem?",
        "is mijn nas in orde?",
        "is truenas healthy",
    ] {
        let u = understand(q, &host());
        assert!(u.has(Kind::Overview) && u.nas_named && u.change.is_none(), "{q}: {u:?}");
        let planned = calls(q, &host());
        let pools = planned.iter().any(|(t, args)| *t == ToolId::TruenasStatus && args["topic"] == "pools");
        assert!(pools && planned.len() <= plan::CALLS_PER_TURN, "{q}: {planned:?}");
    }
    // Not what a NAS is, an opinion of one, or Portuguese "nas" ("in the"); a server's report
    // reads no pools.
    assert!(understand("what is a nas?", &host()).kinds.is_empty());
    for q in ["is truenas good for plex?", "is a nas ok for backups?"] {
        assert!(!understand(q, &host()).has(Kind::Overview), "{q}");
    }
    for q in ["está tudo bem nas máquinas?", "erros nas últimas horas"] {
        assert!(!understand(q, &host()).nas_named, "{q}");
    }
    let planned = calls("is my server ok?", &host());
    assert!(!planned.iter().any(|(t, _)| *t == ToolId::TruenasStatus), "{planned:?}");
}

#[test]
fn acknowledging_or_silencing_alerts_is_refused_in_every_language_and_asking_about_them_is_not() {
    for q in [
        "warnungen von truenas quittieren",
        "die alarme bestätigen",
        "bevestig de meldingen",
        "de meldingen bevestigen",
        "acquitte les alertes de truenas",
        "acquitter les alertes",
        "silencia las alertas",
        "silenciar las alertas",
        "reconheça os alertas",
        "efface les avertissements de truenas",
        "acquitter toutes les alertes",
        "zijn meldingen uitschakelen",
        // Then another order, in the language's own "and"; or the alerts named, then "them".
        "die warnungen quittieren und plex neu starten",
        "silenciar las alertas y reiniciar plex",
        "zijn er meldingen en bevestig ze",
        "gibt es warnungen und quittiere sie",
        // "hay que …" orders, though "hay …" asks whether there are any.
        "hay que reiniciar plex",
        "hay q reiniciar plex",
        "hay alertas, bórralas",
    ] {
        assert!(understand(q, &Context::now_only()).change.is_some(), "{q}");
    }
    // How, whether, which: asked. "ignore" tells the assistant what to leave out.
    for q in [
        "comment acquitter les alertes ?",
        "kann ich die alarme quittieren",
        "acquitter les alertes est-il risqué",
        "ignora las alertas y dime la cpu",
        "quelles alertes sont actives ?",
        "hay alarmas activas",
    ] {
        assert!(understand(q, &Context::now_only()).change.is_none(), "{q}");
    }
    // Alerts named in the plural, with nothing else the model knows: the alerts.
    for q in ["welche warnungen gibt es", "zijn er waarschuwingen", "hay avisos?", "quels avertissements sur le nas ?"]
    {
        assert!(understand(q, &host()).has(Kind::Alerts), "{q}");
    }
    for q in ["alarm clock app?", "ton avis sur unraid ?", "avísame si plex cae"] {
        assert!(!understand(q, &host()).has(Kind::Alerts), "{q}");
    }
}
