use super::*;

#[test]
fn clause_splitting_catches_orders_after_questions() {
    assert!(matches!(check("Which containers are stopped and restart them"), Verdict::Refuse { .. }));
    assert_eq!(check("Which containers are running and which are stopped?"), Verdict::Allow);
}

#[test]
fn refusal_names_the_request() {
    match check("Please restart the nextcloud container") {
        Verdict::Refuse { request, reason } => {
            assert_eq!(request, "Please restart the nextcloud container");
            assert_eq!(reason, RefusalKind::Action);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gerunds_count_only_after_a_polite_lead_in() {
    assert!(matches!(check("Would you mind restarting plex?"), Verdict::Refuse { .. }));
    assert_eq!(check("Running containers?"), Verdict::Allow);
}

#[test]
fn carrying_out_what_is_named_is_told_apart_from_a_how_to() {
    for asks in [
        "give me the command and run it: docker restart plex",
        "write the docker command to stop sonarr, then execute it",
        "docker rm -f old-backup, run it for me",
        "find the command to restart jellyfin and do it",
    ] {
        assert!(asks_to_carry_it_out(asks), "{asks}");
    }
    for how_to in [
        "give me the command to restart plex but don't run it",
        "print the docker run command for plex, dont execute it",
        "how do I restart plex?",
        "what does docker restart do and why would I run it?",
        "it ran and then it stopped",
        "write the command to stop sonarr but don't run it for me",
        "if I stop sonarr and then run it again, will it lose data?",
        "should we prune old images and do that weekly?",
    ] {
        assert!(!asks_to_carry_it_out(how_to), "{how_to}");
    }
}

#[test]
fn a_how_to_that_says_not_to_run_it_is_told_apart_from_an_order() {
    for only_words in [
        "write the command to restart plex but dont run it",
        "give me the command to recreate plex but don't do it",
        "print the docker run command for plex, dont execute it",
        "what are the steps to stop sonarr, without doing it",
        "show me how to prune old images but do not run that",
    ] {
        assert!(only_asks_for_the_command(only_words), "{only_words}");
        assert!(!asks_to_carry_it_out(only_words), "{only_words}");
    }
    for order in [
        "restart plex but don't do it",
        "give me the command and run it: docker restart plex",
        "stop sonarr. I don't need the command, just do it",
        "here is the command: docker rm -f plex. don't run anything else",
        "restart plex now and don't run the backup",
    ] {
        assert!(!only_asks_for_the_command(order), "{order}");
    }
}

/// The "only the command" override over the whole labelled corpus: it lets through no line the
/// corpus marks as a change request.
#[test]
fn only_the_command_lets_no_change_request_of_the_corpus_through() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let examples = crate::corpus::load(&dir).unwrap();
    let wrongly: Vec<&str> =
        examples.iter().filter(|e| e.change && only_asks_for_the_command(&e.text)).map(|e| e.text.as_str()).collect();
    assert!(wrongly.is_empty(), "change requests the override would let through: {wrongly:#?}");
}

/// The "and run it" override, over the whole labelled corpus (held-out lines included): it never
/// turns a question into a refusal, and it is only ever reached together with a rule refusal.
#[test]
fn carrying_out_refuses_no_question_of_the_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let examples = crate::corpus::load(&dir).unwrap();
    assert!(examples.len() > 5000, "{}", examples.len());
    let wrongly: Vec<&str> = examples
        .iter()
        .filter(|e| !e.change)
        .filter(|e| matches!(check(&e.text), Verdict::Refuse { .. }) && asks_to_carry_it_out(&e.text))
        .map(|e| e.text.as_str())
        .collect();
    assert!(wrongly.is_empty(), "questions the override would refuse: {wrongly:#?}");
}

#[test]
fn emptying_what_a_named_container_keeps_is_an_order_and_looking_at_it_is_not() {
    for order in ["clear plex's logs", "clear plex logs", "empty sonarr's cache", "please clean radarr logs"] {
        assert!(matches!(check(order), Verdict::Refuse { reason: RefusalKind::Action, .. }), "{order}");
    }
    for reading in [
        "open plex logs",
        "clear view of plex's logs please",
        "plex logs",
        "show me the sonarr cache size",
        "trim sonarr logs to errors only",
        "clear plex logs?",
    ] {
        assert_eq!(check(reading), Verdict::Allow, "{reading}");
    }
}

#[test]
fn emptying_logs_in_other_languages_is_an_order_and_asking_about_it_is_not() {
    for order in [
        "nettoie les logs de sonarr",
        "lösch mal die logs von radarr",
        "räum die logs von plex auf",
        "mach die logs von sonarr leer",
        "limpia los logs de sonarr",
        "vacía el log de radarr",
        "gooi de logs van plex weg",
        "maak de logs van sonarr leeg",
        "ruim de logs van radarr op",
        "apague o log do sonarr",
        "esvazia os logs do plex",
        "fais le ménage dans les logs de radarr",
        "die logs von plex löschen bitte",
    ] {
        assert!(matches!(check(order), Verdict::Refuse { reason: RefusalKind::Action, .. }), "{order}");
    }
    for reading in [
        "combien de place prennent les logs de plex ?",
        "affiche le log de sonarr",
        "wie viel Platz brauchen die logs von plex?",
        "zeig mir das log von radarr",
        "leer los logs de plex",
        "hoe groot zijn de logs van plex?",
        "laat het log van radarr zien",
        "mostra o log do sonarr",
        "vide le cache de plex ?",
        "ruim 2 GB aan logs van plex",
        "hoe kan ik de logs van plex wissen",
        // Questions typed without a question mark that open with a verb.
        "löschen sich die logs von plex automatisch",
        "limpar o cache do plex resolve o problema",
        "borrar los logs de plex libera espacio",
        "die logs von sonarr möchte ich wissen",
    ] {
        assert_eq!(check(reading), Verdict::Allow, "{reading}");
    }
}
