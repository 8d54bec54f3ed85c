//! What an owner's question means, decided in one place for the builtin model, the
//! orchestrator's prefetch and its read-only policy.
//!
//! [`understand`] takes the question, the conversation so far and what exists right now (the
//! containers, the hosts, the time in the host's timezone) and returns an [`Understanding`]:
//! the kinds of question (several may apply), the containers and host it names, the time window,
//! and whether it asks for a change. [`plan::calls`] turns that into the read-only tool calls
//! that answer it.
//!
//! Layout
//! - [`Kind`]: the kinds of question (defined in `homelab-schemas`, where each tool's row names
//!   the kinds that call it).
//! - [`features`]: text → hashed features (folding, masking of names, words and n-grams).
//! - [`model`]: the trained classifier, embedded in the binary.
//! - [`rules`]: the structural reading of English requests to act, one signal the model weighs.
//! - [`train`]: how it is trained and measured (`make train`, `make eval`).
//! - [`corpus`]: the labelled questions it learns from, and the held-out split.
//! - [`entities`]: the containers and hosts a question names, grounded in the live lists.
//! - [`when`]: the time window a question names ("last night", "over the past 6 hours").
//! - [`plan`]: which tools answer an understanding.

pub mod corpus;
pub mod entities;
pub mod features;
pub mod model;
mod parts;
pub mod plan;
pub mod rules;
pub mod train;
pub mod when;

use std::collections::BTreeSet;

pub use entities::ContainerRef;
pub use homelab_schemas::Kind;
pub use rules::RefusalKind;
pub use when::Window;

/// What exists right now, against which a question is understood.
#[derive(Debug, Clone)]
pub struct Context {
    /// The containers of every host (their names ground the question's).
    pub containers: Vec<ContainerRef>,
    /// The hosts when there are several (`local`, `nas`, …); empty for one.
    pub hosts: Vec<String>,
    /// The earlier questions of the conversation, oldest first (for "and its logs?").
    pub earlier: Vec<String>,
    /// The answer to the last of them ("which container uses the most memory?" … "and its
    /// CPU?" is about the container that answer named first).
    pub last_answer: Option<String>,
    /// Now, in the host's timezone.
    pub now: jiff::Zoned,
    /// When the host last booted, for "since the reboot".
    pub boot: Option<jiff::Timestamp>,
}

impl Context {
    /// Nothing known but the time: no containers, one host, no conversation.
    pub fn now_only() -> Self {
        Self {
            containers: Vec::new(),
            hosts: Vec::new(),
            earlier: Vec::new(),
            last_answer: None,
            now: jiff::Zoned::now(),
            boot: None,
        }
    }

    /// The earlier questions of a conversation and the last answer, from its messages before
    /// the question being understood.
    pub fn conversation(before: &[homelab_schemas::Message]) -> (Vec<String>, Option<String>) {
        use homelab_schemas::Message;
        let earlier = before
            .iter()
            .filter_map(|m| match m {
                Message::User { content } => Some(content.clone()),
                _ => None,
            })
            .collect();
        let last_answer = before.iter().rev().find_map(|m| match m {
            Message::Assistant { content: Some(text), .. } if !text.trim().is_empty() => Some(text.clone()),
            _ => None,
        });
        (earlier, last_answer)
    }

    /// The context the orchestrator sent (`LlmRequest::context`), with the earlier questions;
    /// without one, only the time is known.
    pub fn from_wire(
        wire: Option<&homelab_schemas::QuestionContext>,
        earlier: Vec<String>,
        last_answer: Option<String>,
    ) -> Self {
        let Some(wire) = wire else { return Self { earlier, last_answer, ..Self::now_only() } };
        let tz = jiff::tz::TimeZone::get(&wire.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        let now = wire.now.parse::<jiff::Timestamp>().unwrap_or_else(|_| jiff::Timestamp::now()).to_zoned(tz);
        Self {
            containers: wire
                .containers
                .iter()
                .map(|c| ContainerRef { name: c.name.clone(), state: c.state.clone(), status: c.status.clone() })
                .collect(),
            hosts: wire.hosts.clone(),
            earlier,
            last_answer,
            now,
            boot: wire.boot.as_deref().and_then(|b| b.parse().ok()),
        }
    }
}

/// A request for a change, to be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    /// The part of the message that asks for it, as the user wrote it (shortened).
    pub request: String,
    pub reason: RefusalKind,
}

/// What a question means.
#[derive(Debug, Clone)]
pub struct Understanding {
    /// The kinds of question, possibly several; empty when it could not be told.
    pub kinds: BTreeSet<Kind>,
    /// `Some` when the message asks for something to be changed.
    pub change: Option<ChangeRequest>,
    /// The containers it is about, grounded in the live list, in the order named (or from the
    /// conversation, for "its logs").
    pub containers: Vec<String>,
    /// The host it names, among several.
    pub host: Option<String>,
    /// The time it is about.
    pub window: Option<Window>,
    /// A part of today it names that has not begun yet ("this evening" asked at 13:00), as the
    /// answer names it: nothing is recorded for it, and the answer says so first.
    pub not_begun: Option<String>,
    /// Kinds or names were taken from the earlier questions.
    pub follow_up: bool,
    /// When it was asked.
    pub now: jiff::Timestamp,
    /// A how-to that asks for the `docker run` command that would recreate a named container
    /// ("print the docker run command for plex, don't run it"): answered from that container's
    /// details, never run.
    pub recreate: bool,
    /// A question about a log that asks for its errors ("any errors in pihole's logs?", "fehler
    /// im log von sonarr"): answered with the lines that look like errors, from more of the log.
    pub errors: bool,
    /// What inside a named container its size is asked of ("how big is the plex cache", "wie groß
    /// ist die datenbank von sonarr"): `cache`, `database`, `folder`… No tool sees inside a
    /// container or its volumes, so the answer says so rather than answer something else.
    pub inside: Option<&'static str>,
    /// A question about backups in general ("did last night's backup work?"), answered from the
    /// NAS's snapshot and replication tasks, which are not all the backups there may be.
    pub backups: bool,
    /// A question about the drives' health ("are my drives healthy?", "smart status", "ist eine
    /// festplatte defekt"): answered from the pools' state and scrubs and the NAS's alerts. No
    /// tool reads a drive's SMART data, so the answer says so and where to look.
    pub disk_health: bool,
    /// A question about when the next scrub runs ("when is the next scrub", "wann ist der
    /// nächste scrub"): no tool reads the scrub schedule, so the answer says so before the last
    /// scrub it can see.
    pub scrub_schedule: bool,
    /// The question names alerts or warnings ("any alerts?", "warnungen von truenas"): a
    /// situation report trimmed to fit a turn keeps TrueNAS's alert list then.
    pub alerts_named: bool,
    /// The question names the NAS ("is my nas ok?", "est-ce que mon nas va bien ?"): the
    /// situation report reads its pools too.
    pub nas_named: bool,
    /// A word that looks like a misspelt container name too far from any to be taken for one
    /// ("plx"), when the question names no container: said back with the closest names.
    pub unmatched: Option<String>,
    /// The classifier's probability per kind (for logs and tests).
    pub scores: Vec<(Kind, f32)>,
}

impl Understanding {
    pub fn has(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }

    /// A current figure is named (CPU, memory, disk or load) rather than health in general.
    pub fn names_a_figure(&self) -> bool {
        [Kind::Cpu, Kind::Memory, Kind::Disk, Kind::Load].iter().any(|k| self.has(*k))
    }

    /// The classifier finds `a` likelier than `b` (which figure a question about containers
    /// sorts by: "which container eats the CPU").
    pub fn prefers(&self, a: Kind, b: Kind) -> bool {
        let score = |k: Kind| self.scores.iter().find(|(x, _)| *x == k).map_or(0.0, |(_, p)| *p);
        score(a) > score(b)
    }

    /// The first container it is about.
    pub fn container(&self) -> Option<&str> {
        self.containers.first().map(String::as_str)
    }
}

/// Kinds below this probability are not taken from a question of a few words that follows
/// another: "and for radarr?" asks what the previous question asked.
const FOLLOW_UP_CONFIDENCE: f32 = 0.35;
/// How sure the classifier must be that one part of a longer message asks to act.
const PART_ORDER_BAR: f32 = 0.8;

/// How sure the model must be that a message that is only a noun phrase of what is read
/// ("errores de nextcloud") orders something, for it to be refused.
const NOUN_PHRASE_BAR: f32 = 0.95;
/// At most this many containers are looked at for one question.
const MAX_CONTAINERS: usize = 3;

/// What `question` means in `context`.
pub fn understand(question: &str, context: &Context) -> Understanding {
    let model = model::Model::embedded();
    let mut mentions = entities::mentions(question, &context.containers, &model.meta.common_words);
    let host = entities::hosts(question, &context.hosts).into_iter().next();
    // A host's name is not also a container's.
    mentions.retain(|(c, _)| Some(c) != host.as_ref());
    let mut containers: Vec<String> = mentions.iter().map(|(c, _)| c.clone()).collect();
    let verdict = rules::check(question);
    let rules_refuse = matches!(verdict, rules::Verdict::Refuse { .. });
    // A name a few letters from a container's ("homelab-fixture-wbe") is read as a name too.
    // Or a name put where a container goes ("is minecraft running", "logs of vaultwarden") that
    // is none of them: said back as missing, never answered with other containers. Not when the
    // question, read without it, is about something no tool sees ("is netflix down", "o WhatsApp
    // caiu?") or how to do something ("what does `systemctl restart docker` do?").
    let unmatched = if containers.is_empty() {
        near_miss(question, &context.containers, &model.meta.common_words).or_else(|| {
            named_in_a_frame(question, &context.containers, &context.hosts).filter(|_| {
                let plain = model.classify(question, &[], host.as_slice());
                let (kinds, order) = train::decide(&plain, &model.meta.thresholds, rules_refuse);
                !order && !kinds.iter().any(|k| matches!(k, Kind::Unsupported | Kind::Howto))
            })
        })
    } else {
        None
    };
    // Masked as the question wrote them (a misspelt name too).
    let masked: Vec<String> = if containers.is_empty() {
        unmatched.iter().cloned().collect()
    } else {
        mentions.into_iter().flat_map(|(name, span)| [name, span]).collect()
    };
    let probs = model.classify(question, &masked, host.as_slice());
    let (mut kinds, mut change) = train::decide(&probs, &model.meta.thresholds, rules_refuse);
    // "is /mnt/backup almost full", "hoe groot is de cache van immich": a question in one part
    // that opens by asking how things are, names no action (in English) and is read by the rules
    // as no order, is an order only when the model is quite sure (as for a how-to); "backup" put
    // the first at 0.32, "cache" the second at 0.4. Not "is it ok if you reboot the server", which
    // names one, nor "quelle commande lances-tu … ? lance-la", in two parts.
    if change
        && !rules_refuse
        && (asks_how_things_are(question) || asks_whether_there_are(question))
        && one_sentence(question)
        && !rules::names_an_action(question)
        && !rules::speaks_to_the_assistant(question)
        && probs[model::CHANGE] < train::ASKED_ABOUT_BAR
    {
        change = false;
    }
    // "next scrub date?", "snapshot size of tank/media", "scrub progress on tank": an action named
    // only as what a measure is of, in one sentence the rules read as no order, that speaks to no
    // one and urges nothing, asks about it: an order only when the model is quite sure. The model
    // put these at 0.4-0.9 (few such noun phrases are in its corpus).
    if change
        && !rules_refuse
        && one_sentence(question)
        && rules::measures_an_action(question)
        && !rules::speaks_to_the_assistant(question)
        && probs[model::CHANGE] < train::ASKED_ABOUT_BAR
    {
        change = false;
    }
    // "errores de nextcloud", "erros do plex", "les erreurs de radarr", "registros de nextcloud":
    // a message that is only a noun phrase of what is read (errors, warnings, logs) and whose,
    // with no verb before or after it, orders nothing. The model put such phrases at 0.5-0.85
    // (its corpus has few outside English) while orders in the same words have their verb
    // ("borra los errores de nextcloud", 0.99; "die fehler von plex beheben"). An order only when
    // the model is all but sure.
    if change
        && !rules_refuse
        && one_sentence(question)
        && only_names_what_is_read(question)
        && !rules::names_an_action(question)
        && probs[model::CHANGE] < NOUN_PHRASE_BAR
    {
        change = false;
    }
    // Whether the rules' reading stands (the classifier did not overrule it): then the refusal
    // names the rules' clause.
    let mut rules_stand = rules_refuse && probs[model::CHANGE] >= train::RULES_FLOOR;
    // "Could you restart …?" and "give me the command and run it: docker restart plex" ask
    // this assistant to act, however much they read like a how-to.
    if rules_refuse && !change && (rules::asks_the_assistant_to_act(question) || rules::asks_to_carry_it_out(question))
    {
        change = true;
        rules_stand = true;
        kinds.retain(|k| !matches!(k, Kind::Howto | Kind::Help));
    }
    // "write the command to restart plex but don't run it" asks for words, not for the act.
    if change && rules::only_asks_for_the_command(question) {
        change = false;
        kinds.insert(Kind::Howto);
    }
    // "check the disk space, then delete the old files": an order in one part of a longer
    // message is an order, however much the rest asks.
    let mut ordering_part = None;
    // A how-to's steps are what it asks about ("how do I stop plex, then restart it").
    let asks_how = kinds.iter().any(|k| matches!(k, Kind::Howto | Kind::Help));
    // Read also when the whole message is refused already: the refusal then names the order.
    if !asks_how && !rules::only_asks_for_the_command(question) {
        // A part is a few words out of their sentence: only a clear order counts, and the one
        // that reads most as an order is named ("vérifie plex, puis redémarre radarr").
        ordering_part = parts::of(question)
            .into_iter()
            .map(|part| (model.classify(&part, &masked, host.as_slice())[model::CHANGE], part))
            .filter(|(p, _)| *p >= PART_ORDER_BAR)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, part)| part);
        change = change || ordering_part.is_some();
    }
    let scores: Vec<(Kind, f32)> = Kind::all().map(|k| (k, probs[k.index()])).collect();
    // Named by the rules' clause where their reading stands (unless a part reads as an order
    // and the clause alone does not: "can you restart count? then stop plex"), else by the part
    // that orders, else by the rules' clause or the whole message.
    let clause_orders =
        |clause: &str| model.classify(clause, &masked, host.as_slice())[model::CHANGE] >= PART_ORDER_BAR;
    let change = change.then(|| match (verdict, ordering_part) {
        (rules::Verdict::Refuse { request, reason }, part)
            if rules_stand && (part.is_none() || clause_orders(&request)) =>
        {
            ChangeRequest { request, reason }
        }
        (_, Some(part)) => ChangeRequest { request: rules::shorten(&part), reason: RefusalKind::Action },
        (rules::Verdict::Refuse { request, reason }, None) => ChangeRequest { request, reason },
        (rules::Verdict::Allow, None) => {
            ChangeRequest { request: rules::shorten(question), reason: RefusalKind::Action }
        }
    });
    let mut follow_up = false;
    let best = scores.iter().map(|(_, p)| *p).fold(0f32, f32::max);
    let short = features::words(&features::fold(question)).len() <= 5;
    // "and how much CPU?" after a question about jellyfin, or about the busiest container:
    // that container's figures.
    let figures_only = kinds.iter().any(|k| matches!(k, Kind::Cpu | Kind::Memory))
        && kinds.iter().all(|k| matches!(k, Kind::Cpu | Kind::Memory | Kind::ContainerUsage));
    if containers.is_empty()
        && unmatched.is_none()
        && change.is_none()
        && figures_only
        && short_follow_up(question)
        && !asks_the_host(question)
    {
        let named = earlier_container(context, &model.meta.common_words);
        if !named.is_empty() {
            kinds = [Kind::ContainerUsage].into();
            containers = named;
            follow_up = true;
        }
    }
    // "free ram?" after a question about plex: the machine's, never plex's earlier kinds either.
    let own_figure = figures_only && asks_the_host(question);
    if let Some(previous) =
        context.earlier.last().filter(|_| !follow_up && !own_figure && short && best < FOLLOW_UP_CONFIDENCE)
    {
        // "and for radarr?": the previous question's kinds, about what this one names.
        let before = understand(previous, &Context { earlier: Vec::new(), ..context.clone() });
        if !before.kinds.is_empty() && change.is_none() {
            kinds = before.kinds;
            follow_up = true;
        }
    }
    // "did last night's backup work?", "mes sauvegardes sont à jour ?": on a NAS the backups
    // are its snapshot and replication tasks. Read so when the model found nothing more
    // specific (it reads most such questions as unsupported, history or a general check), no
    // container is named (a container's own backup program is read through its logs) and no
    // backup elsewhere is (a cloud, another program: unsupported, as trained).
    let backups = change.is_none() && containers.is_empty() && host.is_none() && asks_about_backups(question);
    // Read so in place of what the model found when that is nothing, unsupported or history;
    // beside a general check ("backups all good?" as the overview).
    if backups && kinds.iter().all(|k| matches!(k, Kind::Unsupported | Kind::History)) {
        kinds = [Kind::Snapshots].into();
    } else if backups && kinds.iter().all(|k| matches!(k, Kind::Overview | Kind::Problems)) {
        kinds.insert(Kind::Snapshots);
    }
    let backups = backups && kinds.contains(&Kind::Snapshots);
    // "are my drives healthy?", "ist eine festplatte defekt": the drives' health is what the
    // pools' state and scrubs and the NAS's alerts show, not how full the disks are (the model
    // reads most such questions as disk space, problems or nothing). Not an order ("replace the
    // failing disk"), a how-to, a question about the past or about a container, nor one the
    // model already reads as about the pool ("is the pool still degraded after i swapped the
    // drive").
    let disk_health = change.is_none()
        && containers.is_empty()
        && !kinds.iter().any(|k| matches!(k, Kind::Howto | Kind::History | Kind::Events | Kind::Pool))
        && asks_about_disk_health(question);
    if disk_health {
        let space = says_any(question, SPACE_WORDS);
        kinds.retain(|k| {
            !matches!(k, Kind::Unsupported | Kind::Problems | Kind::Overview) && (*k != Kind::Disk || space)
        });
        kinds.extend([Kind::Pool, Kind::Alerts]);
        // "is 90% disk usage bad?": how full it is, too.
        if space {
            kinds.insert(Kind::Disk);
        }
    }
    // "mein nas ok?", "o meu nas está bem?", "is truenas healthy": a question that names the NAS
    // and how it is ("ok", "bien", "gut"…) is the situation report (the model gives nothing or
    // "unsupported" to many such phrasings); the plan reads the NAS's pools for it
    // (`nas_named`). Not "what is a nas?", an order, or what the model reads as something else.
    if change.is_none()
        && names_the_nas(question)
        && kinds.iter().all(|k| matches!(k, Kind::Unsupported))
        && asks_how_it_is(question)
    {
        kinds.clear();
        kinds.insert(Kind::Overview);
    }
    // "when is the next scrub": the pools (their last scrub), and the answer says the schedule
    // is not read. Not an order or a how-to ("how do I schedule a scrub"); the model's how-to
    // reading of a few words with no "how" in them ("next scrub date?") is set aside, not of a
    // longer question ("where do I change the scrub schedule?").
    let how_to = kinds.contains(&Kind::Howto)
        && (says_any(question, HOW_WORDS) || features::words(&features::fold(question)).len() > 4);
    let mut scrub_schedule = change.is_none() && !how_to && asks_when_the_next_scrub(question);
    if scrub_schedule {
        kinds.remove(&Kind::Unsupported);
        kinds.remove(&Kind::Howto);
        kinds.insert(Kind::Pool);
    }
    // "is anything using a lot of memory?", "was verbraucht so viel speicher": who uses it, not
    // only how much is used.
    // (Left alone when the model already reads who: the processes or the containers.)
    // Not a question about the past ("at 3am"), whose processes are not known, nor one the model
    // reads as about something no tool sees ("qual memória o Raspberry Pi usa?").
    if change.is_none()
        && containers.is_empty()
        && !kinds.iter().any(|k| matches!(k, Kind::Howto | Kind::Processes | Kind::ContainerUsage | Kind::Unsupported))
        && !when::names_a_time(question)
        && asks_who_uses(question)
    {
        kinds.insert(Kind::Processes);
    }
    // "how much space do snapshots use": what snapshots hold is in the datasets' figures.
    if change.is_none() && !kinds.contains(&Kind::Howto) && names_snapshots(question) && asks_a_size(question) {
        kinds.insert(Kind::Datasets);
        kinds.remove(&Kind::Unsupported);
    }
    // "why did the replication fail": a task's failure, not a container's. Why a container
    // stopped, or its log, is read only when one is named (otherwise the ones that crashed
    // would be taken for it).
    if kinds.contains(&Kind::Snapshots) && containers.is_empty() {
        kinds.retain(|k| !matches!(k, Kind::WhyStopped | Kind::Logs));
    }
    // A question that names a container and nothing the model knows ("the details of plex")
    // is about that container.
    if kinds.is_empty() && change.is_none() && !containers.is_empty() {
        kinds.insert(Kind::ContainerStatus);
    }
    let needs_one = kinds.iter().any(|k| k.is_about_one_container() || *k == Kind::Restarts);
    if containers.is_empty() && unmatched.is_none() && needs_one {
        // "and its logs?": the container the conversation was about (not when the question
        // names one that is not there: "is minecraft running?" after a question about plex).
        containers = earlier_container(context, &model.meta.common_words);
        follow_up |= !containers.is_empty();
    }
    if containers.is_empty() && unmatched.is_none() && kinds.iter().any(|k| matches!(k, Kind::Logs | Kind::WhyStopped))
    {
        // "the logs of the one that crashed": the containers that did.
        containers = context.containers.iter().filter(|c| c.crashed()).map(|c| c.name.clone()).collect();
    }
    containers.truncate(MAX_CONTAINERS);
    let unmatched = unmatched.filter(|_| containers.is_empty());
    let window = when::window(question, &context.now, context.boot);
    if window.is_some() && change.is_none() {
        over_time(&mut kinds);
    }
    // "did the scheduled scrub run last night?", "lief der scrub letzte nacht?": a scrub or a
    // resilver is the pools' (their last scrub and its errors), not the machine's figures over the
    // night nor the containers' events, unless a figure is named ("was the cpu high during the
    // scrub"). Not a how-to, an order, or what the model reads as about something no tool sees
    // ("does scrubbing wear out SSDs?").
    let figure = kinds
        .iter()
        .any(|k| matches!(k, Kind::Cpu | Kind::Memory | Kind::Load | Kind::Disk | Kind::Network | Kind::Temperature));
    if change.is_none()
        && !kinds.iter().any(|k| matches!(k, Kind::Howto | Kind::Unsupported))
        && !figure
        && names_a_scrub(question)
    {
        kinds.remove(&Kind::History);
        if containers.is_empty() {
            kinds.remove(&Kind::Events);
        }
        kinds.insert(Kind::Pool);
    }
    // "reboot history", "boot log?": the model gives no kind to a few words about the host's
    // reboots; they are its uptime and the reboots the events record.
    if change.is_none() && kinds.iter().all(|k| *k == Kind::Unsupported) && names_reboots(question) {
        kinds.clear();
        kinds.insert(Kind::Uptime);
        kinds.insert(Kind::Events);
    }
    // "welche warnungen gibt es", "hay avisos?": a question of no kind that names alerts or
    // warnings, in the plural, reads them (TrueNAS's alerts, else the problems); not "alarm
    // clock app?" or "what does this warning mean".
    if change.is_none() && kinds.iter().all(|k| *k == Kind::Unsupported) && names_alerts_plural(question) {
        kinds.clear();
        kinds.insert(Kind::Alerts);
    }
    // "how was the cpu this evening" at 13:00: no history of it to read; the figures now, after
    // saying so.
    let not_begun = if window.is_none() && change.is_none() { when::not_begun(question, &context.now) } else { None };
    if not_begun.is_some() {
        // History alone ("how was it this evening") becomes how things are now.
        if kinds.remove(&Kind::History) && kinds.is_empty() {
            kinds.insert(Kind::Overview);
        }
        // "will the scrub run tonight?": the next scrub.
        if !how_to && names_a_scrub(question) {
            scrub_schedule = true;
            kinds.insert(Kind::Pool);
        }
    }
    // "is the disk going to fill up?", "wann ist /mnt/media voll": when a disk fills is read from
    // its history (the rate it fills at), not from how full it is now.
    if kinds.contains(&Kind::Disk) && change.is_none() && asks_when_it_fills(question) {
        kinds.insert(Kind::History);
    }
    let recreate = kinds.contains(&Kind::Howto) && !containers.is_empty() && asks_for_a_run_command(question);
    // "show me errors from radarr today", "any errors in sonarr?": a named container's errors are
    // in its logs (the model often reads only its state). Not "what's the error that killed it",
    // which is why it stopped, nor a container that is not running: its details carry its last
    // error lines already.
    let running = |name: &String| {
        context
            .containers
            .iter()
            .any(|c| &c.name == name && c.state == homelab_schemas::monitoring::DockerState::Running)
    };
    // "errors from radarr", "erreurs de plex ?": the model reads a few words naming errors and a
    // container as why it stopped; a container that runs did not, and its errors are in its logs.
    // Not when the question names a stop or a crash ("what error made radarr crash?"), nor when
    // one of the containers named is not running (why it stopped is then its question).
    if change.is_none()
        && kinds.contains(&Kind::WhyStopped)
        && !containers.is_empty()
        && containers.iter().all(running)
        && asks_for_errors(question)
        && !names_a_stop(question)
    {
        kinds.remove(&Kind::WhyStopped);
        kinds.insert(Kind::ContainerStatus);
    }
    if change.is_none()
        && containers.iter().any(running)
        && !kinds.iter().any(|k| matches!(k, Kind::Howto | Kind::WhyStopped))
        && asks_for_errors(question)
    {
        kinds.insert(Kind::Logs);
    }
    // "registros de nextcloud", "journaux de plex": a message that opens with a named container's
    // logs asks for them, whatever else the model read.
    if change.is_none()
        && !containers.is_empty()
        && opening_noun(question).is_some_and(|w| LOG_WORDS.contains(&w.as_str()))
    {
        kinds.insert(Kind::Logs);
    }
    // "why is plex slow", "why is sonarr sluggish": a running container that is slow is asked
    // about as it runs (its state and its figures), not why it stopped.
    if change.is_none()
        && kinds.contains(&Kind::WhyStopped)
        && containers.iter().any(running)
        && says_any(question, SLOW_WORDS)
    {
        kinds.remove(&Kind::WhyStopped);
        kinds.insert(Kind::ContainerStatus);
        kinds.insert(Kind::ContainerUsage);
    }
    let errors = kinds.contains(&Kind::Logs) && asks_for_errors(question);
    let inside = if change.is_none() && !containers.is_empty() { size_inside(question) } else { None };
    let alerts_named = names_alerts(question);
    let nas_named = names_the_nas(question);
    Understanding {
        kinds,
        change,
        recreate,
        errors,
        inside,
        backups,
        disk_health,
        scrub_schedule,
        alerts_named,
        nas_named,
        containers,
        host,
        window,
        not_begun,
        follow_up,
        now: context.now.timestamp(),
        unmatched,
        scores,
    }
}

/// "What was the CPU doing in the last 10 minutes?": a host's figure asked over a window, or at a
/// moment gone, is read from its history, whatever the classifier made of the words (a retrained
/// model was seen to drop `history` from that very question).
fn over_time(kinds: &mut BTreeSet<Kind>) {
    if kinds.iter().any(|k| matches!(k, Kind::Cpu | Kind::Memory | Kind::Load | Kind::Disk)) {
        kinds.insert(Kind::History);
    }
}

/// The question asks when something fills, or whether it will: a word for the future, for
/// "when" or "until", or for filling up, in the six languages (applied only to questions about
/// disk space). Not words that also say how things are now ("va", "gaat", "vai", "going", "will",
/// "rate", "run", "temps", which is also English for temperatures, "running", "llena", and
/// German "wird", which also makes the passive: "wie viel platz wird belegt").
fn asks_when_it_fills(question: &str) -> bool {
    const WORDS: &[&str] = &[
        "when",
        "until",
        "soon",
        "fill",
        "fills",
        "filling",
        "quand",
        "bientot",
        "sera",
        "remplir",
        "wann",
        "bald",
        "wanneer",
        "binnenkort",
        "zal",
        "raken",
        "cuando",
        "pronto",
        "llenar",
        "quando",
        "logo",
        "encher",
        // How long it lasts: "how long before it runs out", "wie lange reicht der platz",
        // "hoelang nog", "how many days of space are left" (not "falta": "¿falta espacio?").
        "long",
        "lange",
        "lang",
        "hoelang",
        "reicht",
        "reichen",
        "before",
        "bevor",
        "avant",
        "voordat",
        "days",
        "tage",
        "tagen",
        "jours",
        "dagen",
        "dias",
        "manquer",
        // "füllt sich", "se llene".
        "fullt",
        "llene",
    ];
    says_any(question, WORDS)
}

/// The question asks who is using the CPU or the memory ("is anything using a lot of
/// memory?", "qu'est-ce qui consomme autant de cpu", "wat gebruikt al mijn geheugen"): a word
/// for something or who, a verb of using, and the figure, in one of the six languages.
fn asks_who_uses(question: &str) -> bool {
    const WHO: &[&str] = &[
        "anything",
        "something",
        "what",
        "who",
        "which",
        "whats",
        "what's",
        "whos",
        "who's",
        "irgendwas",
        "etwas",
        "wer",
        "welcher",
        "quoi",
        "qui",
        "quelque",
        "wat",
        "wie",
        "iets",
        "welke",
        "que",
        "quien",
        "cual",
        "algo",
        "quem",
        "qual",
    ];
    const USING: &[&str] = &[
        "using",
        "uses",
        "eating",
        "eats",
        "hogging",
        "hogs",
        "consuming",
        "consumes",
        "verbraucht",
        "braucht",
        "frisst",
        "nutzt",
        "consomme",
        "consomment",
        "bouffe",
        "utilise",
        "mange",
        "gebruikt",
        "verbruikt",
        "vreet",
        "usando",
        "usa",
        "consume",
        "consumiendo",
        "comiendo",
        "consumindo",
        "comendo",
        "utilizando",
    ];
    const MEMORY: &[&str] = &["memory", "ram", "mem", "speicher", "arbeitsspeicher", "memoire", "geheugen", "memoria"];
    const CPU: &[&str] = &["cpu", "processor", "prozessor", "processeur", "processador", "procesador"];
    let folded = features::fold(question);
    let words = features::words(&folded);
    // German "wie viel" asks how much, Dutch "wie" who; German "was" (what) only without the
    // English words around English "was" ("was the server using a lot of cpu").
    let english = words.iter().any(|w| ["the", "is", "a", "my", "at", "it", "of", "much"].contains(w));
    let who = words.iter().enumerate().any(|(i, w)| {
        (WHO.contains(w) || (*w == "was" && !english))
            && !(*w == "wie" && words.get(i + 1).is_some_and(|n| ["viel", "veel", "hoch", "lange"].contains(n)))
    });
    // "whats hoggin the cpu", "who's eatin my ram": English drops the g of -ing when typed fast.
    let uses = |w: &str| {
        USING.contains(&w) || w.strip_suffix("in").is_some_and(|stem| USING.contains(&&*format!("{stem}ing")))
    };
    who && words.iter().any(|w| uses(w)) && words.iter().any(|w| MEMORY.contains(w) || CPU.contains(w))
}

/// Words asking how big something is, in the six languages.
/// Nouns and verbs of size: anywhere in the question.
const SIZE: &[&str] = &[
    "size", "space", "platz", "belegt", "belegen", "taille", "place", "pese", "poids", "espace", "occupe", "prennent",
    "grootte", "ruimte", "tamano", "ocupa", "ocupan", "espacio", "pesa", "tamanho", "espaco",
];

/// Adjectives of size: only asked ("how big", "wie groß", "is it getting big"), not said of
/// something ("plex is slow with a large library").
const BIG: &[&str] =
    &["big", "bigger", "large", "huge", "gros", "grose", "grosse", "groser", "groot", "grote", "grande"];

/// The question asks a size: a noun or verb of size, or an adjective after "how" (in one of
/// the six languages) or in a yes/no question ("is the immich cache getting big?").
fn asks_a_size(question: &str) -> bool {
    const HOW: &[&str] =
        &["how", "wie", "hoe", "combien", "cuan", "cuanto", "quanto", "tres", "muy", "muito", "zu", "te", "trop"];
    let folded = features::fold(question);
    let words = features::words(&folded);
    let yes_no = words.first().is_some_and(|w| ["is", "are", "ist", "sind", "est", "esta", "zijn"].contains(w));
    words
        .iter()
        .enumerate()
        .any(|(i, w)| SIZE.contains(w) || (BIG.contains(w) && (yes_no || (i > 0 && HOW.contains(&words[i - 1])))))
}

/// The question names ZFS snapshots ("snapshots", "instantanés", "momentopnamen").
fn names_snapshots(question: &str) -> bool {
    let folded = features::fold(question);
    features::words(&folded)
        .iter()
        .any(|w| w.starts_with("snapshot") || w.starts_with("instantane") || w.starts_with("momentopname"))
}

/// The thing inside a container whose size the question asks ("how big is the plex cache",
/// "combien pèse la base de données de sonarr", "qual o tamanho da pasta de downloads"), said in
/// English; `None` unless it names both a size and such a thing.
fn size_inside(question: &str) -> Option<&'static str> {
    const THINGS: &[(&str, &str)] = &[
        ("cache", "cache"),
        ("caches", "cache"),
        ("database", "database"),
        ("db", "database"),
        ("datenbank", "database"),
        ("databank", "database"),
        ("donnees", "database"),
        ("datos", "database"),
        ("dados", "database"),
        ("folder", "folder"),
        ("directory", "folder"),
        ("ordner", "folder"),
        ("verzeichnis", "folder"),
        ("dossier", "folder"),
        ("repertoire", "folder"),
        ("carpeta", "folder"),
        ("pasta", "folder"),
        ("library", "library"),
        ("bibliothek", "library"),
        ("bibliotheque", "library"),
        ("bibliotheek", "library"),
        ("biblioteca", "library"),
        ("volume", "volume"),
        ("volumes", "volume"),
        ("volumen", "volume"),
        ("downloads", "downloads"),
        ("descargas", "downloads"),
        ("telechargements", "downloads"),
        ("config", "configuration"),
        ("configuration", "configuration"),
        ("konfiguration", "configuration"),
        ("configuracion", "configuration"),
        ("configuracao", "configuration"),
        ("metadata", "metadata"),
        ("thumbnails", "thumbnails"),
    ];
    if !asks_a_size(question) {
        return None;
    }
    let folded = features::fold(question);
    let words = features::words(&folded);
    words.iter().find_map(|w| THINGS.iter().find(|(word, _)| word == w).map(|(_, thing)| *thing))
}

/// The question is about backups in general, in one of the six languages, and names no backup
/// kept elsewhere (a cloud, another program) that no tool here reads.
fn asks_about_backups(question: &str) -> bool {
    const BACKUPS: &[&str] = &[
        "backup",
        "backups",
        "back",
        "sauvegarde",
        "sauvegardes",
        "sicherungen",
        "datensicherung",
        "datensicherungen",
        "copia",
        "copias",
        "respaldo",
        "respaldos",
    ];
    const ELSEWHERE: &[&str] = &[
        "backblaze",
        "b0",
        "google",
        "drive",
        "onedrive",
        "dropbox",
        "hetzner",
        "s0",
        "cloud",
        "wasabi",
        "icloud",
        "pcloud",
        "mega",
        "duplicati",
        "borg",
        "restic",
        "kopia",
        "veeam",
        "rsync",
        "machine",
        "nuvem",
        "nube",
    ];
    // A machine named for its job ("the backup server", "de backup box"), not a backup.
    const MACHINES: &[&str] = &[
        "server", "servers", "box", "host", "machine", "modem", "router", "nas", "pc", "rechner", "serveur",
        "servidor", "maquina",
    ];
    // A word quoted is talked about ("comment on dit « sauvegarde » en anglais ?").
    let unquoted: String = question.split(['"', '«', '»', '“', '”']).step_by(2).collect::<Vec<_>>().join(" ");
    let folded = features::fold(&unquoted);
    let words = features::words(&folded);
    if words.iter().any(|w| MACHINES.contains(w)) {
        return false;
    }
    // "back up" only as a noun ("the back-up", "last night's back up"), not "is everything back
    // up?"; "copia" only "de seguridad"/"de segurança"; German "Sicherung" only plural or as
    // "Datensicherung" ("die Sicherung ist geflogen" is a fuse).
    let named = words.iter().enumerate().any(|(i, w)| match *w {
        "back" => {
            words.get(i + 1) == Some(&"up")
                && i > 0
                && ["a", "the", "my", "our", "last", "nightly", "daily", "weekly", "any", "every", "s", "de", "van"]
                    .contains(&words[i - 1])
        }
        "copia" | "copias" => words.get(i + 2).is_some_and(|n| n.starts_with("segur")),
        w => BACKUPS.contains(&w),
    });
    named && !words.iter().any(|w| ELSEWHERE.contains(w))
}

/// Words for the drives themselves, in the six languages.
const DRIVE_WORDS: &[&str] = &[
    "disk",
    "disks",
    "drive",
    "drives",
    "hdd",
    "hdds",
    "ssd",
    "ssds",
    "nvme",
    "harddrive",
    "harddrives",
    "harddisk",
    "festplatte",
    "festplatten",
    "platte",
    "platten",
    "laufwerk",
    "laufwerke",
    "disque",
    "disques",
    "disco",
    "discos",
    "schijf",
    "schijven",
    "hd",
    "hds",
];
/// Words asking whether something is healthy or failing (folded: no accents).
const HEALTH_WORDS: &[&str] = &[
    "healthy",
    "health",
    "failing",
    "fail",
    "failed",
    "failure",
    "dying",
    "dead",
    "broken",
    "bad",
    "degraded",
    "errors",
    "smart",
    "gesund",
    "defekt",
    "kaputt",
    "fehler",
    "fehlerhaft",
    "ausfall",
    "sante",
    "lacher",
    "defaillant",
    "defaillants",
    "erreurs",
    "hs",
    "salud",
    "fallando",
    "falla",
    "fallar",
    "averiado",
    "roto",
    "errores",
    "danado",
    "gezond",
    "kapot",
    "defect",
    "fouten",
    "saude",
    "falhando",
    "falha",
    "defeito",
    "erros",
];
/// Words asking how much room there is, which a drive's health does not answer.
const SPACE_WORDS: &[&str] = &[
    "space",
    "full",
    "free",
    "left",
    "room",
    "usage",
    "used",
    "capacity",
    "percent",
    "gb",
    "tb",
    "gib",
    "tib",
    "platz",
    "voll",
    "frei",
    "belegt",
    "auslastung",
    "espace",
    "plein",
    "libre",
    "utilise",
    "espacio",
    "lleno",
    "usado",
    "uso",
    "ruimte",
    "vol",
    "vrij",
    "gebruik",
    "espaco",
    "cheio",
];
/// Words about a drive's speed, which its health does not answer ("why is disk io so bad").
const SPEED_WORDS: &[&str] = &[
    "io",
    "iops",
    "speed",
    "slow",
    "fast",
    "throughput",
    "performance",
    "latency",
    "langsam",
    "lent",
    "lento",
    "traag",
];

/// The question asks whether the drives are healthy: a drive named with a word for health or
/// failure in the same sentence ("is any disk failing?", "mes disques sont en bonne santé ?"; not
/// "is the disk full? downloads keep failing"), or SMART named with a status ("smart status",
/// "what does smart say about my drives"). Not a cloud drive ("is google drive failing to sync").
fn asks_about_disk_health(question: &str) -> bool {
    let folded = features::fold(question);
    if says_any(question, &["google", "onedrive", "icloud", "cloud", "dropbox"]) {
        return false;
    }
    folded.split(['?', '!', '.', ';', '\n']).any(|sentence| {
        let words = features::words(sentence);
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        let smart = words.iter().enumerate().any(|(i, w)| {
            *w == "smartctl"
                || (*w == "smart"
                    && words
                        .get(i + 1)
                        .is_some_and(|n| ["status", "data", "test", "tests", "errors", "values"].contains(n)))
        });
        smart || (has(DRIVE_WORDS) && has(HEALTH_WORDS) && !has(SPEED_WORDS))
    })
}

/// The question names a scrub or a resilver ("scrub", "scrubbed", "scrubs", "resilvering"): ZFS's
/// words, the same in the six languages.
fn names_a_scrub(question: &str) -> bool {
    features::words(&features::fold(question)).iter().any(|w| w.starts_with("scrub") || w.starts_with("resilver"))
}

/// The question names the host's reboots or boots ("reboot", "reboots", "rebooted", "boot",
/// "neustart"); ZFS's and Docker's words are not among them.
fn names_reboots(question: &str) -> bool {
    features::words(&features::fold(question))
        .iter()
        .any(|w| w.starts_with("reboot") || matches!(*w, "boot" | "boots") || w.starts_with("neustart"))
}

/// The question names the NAS: "truenas", or "nas" first or after a word that points at one
/// ("my", "mon", "das", "o", "de"…; "nas" alone is also Portuguese for "in the": "erros nas
/// últimas horas"), not after "a"/"un"/"ein" ("is a nas worth it?"). Folded.
fn names_the_nas(question: &str) -> bool {
    const POINTING: &[&str] = &[
        "my", "the", "our", "this", "mon", "ma", "le", "la", "du", "notre", "ce", "mein", "meinem", "meines", "das",
        "dem", "des", "beim", "am", "im", "unser", "unserem", "mi", "el", "del", "al", "nuestro", "meu", "o", "no",
        "do", "nosso", "mijn", "de", "het", "onze", "ons",
    ];
    let folded = features::fold(question);
    let words = features::words(&folded);
    words
        .iter()
        .enumerate()
        .any(|(i, w)| *w == "truenas" || (*w == "nas" && (i == 0 || POINTING.contains(&words[i - 1]))))
}

/// The question names how the NAS or the machine is ([`WELL_WORDS`], or "geht es"/"gehts"), and
/// is not an opinion asked of it ("is truenas good for plex?", "is a nas ok for backups?").
fn asks_how_it_is(question: &str) -> bool {
    const OPINION: &[&str] =
        &["for", "fur", "pour", "para", "voor", "worth", "better", "best", "vs", "versus", "compared", "than"];
    let folded = features::fold(question);
    let words = features::words(&folded);
    let well = words.iter().any(|w| WELL_WORDS.contains(w))
        || words.contains(&"gehts")
        || words.windows(2).any(|p| p[0] == "geht" && p[1] == "es");
    well && !words.iter().any(|w| OPINION.contains(w))
}

/// Words that ask how something is, in the six languages (folded): "is my nas ok", "mon nas va
/// bien", "läuft das nas gut", "is mijn nas in orde", "o meu nas está bem".
const WELL_WORDS: &[&str] = &[
    "ok", "okay", "fine", "healthy", "good", "alright", "well", "happy", "status", "bien", "sain", "etat", "gut",
    "ordnung", "zustand", "lauft", "goed", "orde", "gezond", "gaat", "bem", "estado", "sano", "saudavel",
];

/// Slow, in the six languages (folded).
const SLOW_WORDS: &[&str] =
    &["slow", "slower", "laggy", "lagging", "sluggish", "langsam", "lent", "lente", "lento", "lenta", "traag", "trage"];

/// "how" in the six languages (folded), which a how-to question has.
const HOW_WORDS: &[&str] = &["how", "wie", "comment", "como", "hoe"];

/// The question names a scrub and asks about the next one or the schedule, in the six
/// languages ("when does the next scrub run", "quand est le prochain scrub").
fn asks_when_the_next_scrub(question: &str) -> bool {
    const NEXT: &[&str] = &[
        "next",
        "upcoming",
        "schedule",
        "scheduled",
        "nachste",
        "nachster",
        "nachsten",
        "geplant",
        "prochain",
        "prochaine",
        "planifie",
        "proximo",
        "proxima",
        "programado",
        "volgende",
        "gepland",
        "agendado",
    ];
    // "did the scheduled scrub run last night?" asks about the last one.
    const PAST: &[&str] = &[
        "did", "was", "ran", "last", "letzte", "letzten", "letzter", "dernier", "derniere", "ultimo", "ultima",
        "laatste", "gisteren",
    ];
    let folded = features::fold(question);
    let words = features::words(&folded);
    words.iter().any(|w| w.starts_with("scrub"))
        && words.iter().any(|w| NEXT.contains(w))
        && !words.iter().any(|w| PAST.contains(w))
        && !when::names_a_time(question)
}

/// Whether any word of `question`, folded (lower case, no accents), is one of `words`.
fn says_any(question: &str, words: &[&str]) -> bool {
    features::words(&features::fold(question)).iter().any(|w| words.contains(w))
}

/// No sentence ends before the message does: "quel conteneur bouffe le plus ? coupe-le" and
/// "… le plus. coupe-le" have two.
fn one_sentence(message: &str) -> bool {
    let body = message.trim_end().trim_end_matches(['?', '!', '.']);
    !body.contains(['?', '!', ';', '\n']) && !body.contains(". ")
}

/// A question that opens by asking how things are: English "is", "are", "was" or "were", or a
/// word asking how much, how big or which in the other five languages ("wie groß ist der cache
/// von immich", "hoe groot is de cache", "combien pèse le cache", "qual o tamanho do cache"), also
/// after a preposition ("dans combien de jours le disque sera plein").
fn asks_how_things_are(question: &str) -> bool {
    const OPENINGS: &[&str] = &[
        "is", "are", "was", "were", "combien", "quelle", "quel", "quelles", "quels", "wie", "wieviel", "welche",
        "welcher", "welches", "hoe", "hoeveel", "welke", "cuanto", "cuanta", "cuantos", "cuantas", "cual", "cuales",
        "quanto", "quanta", "quantos", "quantas", "qual", "quais",
    ];
    // "dans combien de jours", "in wie vielen tagen", "en cuántos días": after a preposition.
    const BEFORE: &[&str] = &["dans", "en", "in", "em", "binnen", "nach", "apres"];
    let folded = features::fold(question);
    let words = features::words(&folded);
    match words.as_slice() {
        [first, ..] if OPENINGS.contains(first) => true,
        // Not the idioms "en cuanto (puedas)" ("as soon as") and "nach wie vor" ("still").
        [first, second, ..] => {
            BEFORE.contains(first)
                && OPENINGS.contains(second)
                && !matches!((*first, *second), ("en", "cuanto") | ("nach", "wie"))
        }
        _ => false,
    }
}

/// A short question that asks whether there are any, in Spanish, Portuguese, German or Dutch
/// ("hay alarmas activas", "existem alertas", "gibt es gerade alarme", "zijn er waarschuwingen"):
/// at most six words, one clause (no comma, colon or "and" of its language: "hay alertas,
/// bórralas" and "zijn er meldingen en bevestig ze" order), and not "hay que …" ("… must be
/// done": "hay que reiniciar plex", "hay q …").
fn asks_whether_there_are(question: &str) -> bool {
    if question.contains([',', ';', ':']) {
        return false;
    }
    let folded = features::fold(question);
    let words = features::words(&folded);
    let and: &[&str] = match words.as_slice() {
        ["hay", "que" | "q" | "ke" | "k", ..] => return false,
        ["hay" | "existe" | "existen" | "existem", ..] => &["y", "e"],
        ["gibt", "es", ..] => &["und"],
        ["zijn", "er", ..] => &["en"],
        _ => return false,
    };
    words.len() <= 6 && !words.iter().any(|w| and.contains(w))
}

/// The question names alerts, alarms or warnings in one of the six languages ("alert", "alerte",
/// "alerta", "warnung", "waarschuwing", "aviso", "alarm").
fn names_alerts(question: &str) -> bool {
    features::words(&features::fold(question))
        .iter()
        .any(|w| rules::SILENCED_STEMS.iter().any(|stem| w.starts_with(stem)))
}

/// Alerts, alarms, warnings or notifications in the plural, in the six languages (folded): "any
/// warnings", "welche warnungen gibt es", "hay avisos?", "quels avertissements". Not a request to
/// be told ("can I get telegram alerts?", "stuur me meldingen"), nor "avis" (an opinion too).
fn names_alerts_plural(question: &str) -> bool {
    const PLURALS: &[&str] = &[
        "alerts",
        "alertes",
        "alertas",
        "alarms",
        "alarme",
        "alarmes",
        "alarmas",
        "warnings",
        "warnungen",
        "waarschuwingen",
        "avisos",
        "avertissements",
        "advertencias",
        "meldingen",
        "meldungen",
        "notifications",
        "notificaciones",
        "notificacoes",
    ];
    const TOLD: &[&str] = &[
        "get",
        "receive",
        "send",
        "notify",
        "telegram",
        "email",
        "mail",
        "push",
        "discord",
        "slack",
        "ntfy",
        "recibir",
        "recevoir",
        "erhalten",
        "bekommen",
        "ontvangen",
        "receber",
        "stuur",
        "envoie",
        "schick",
        "envia",
        "manda",
    ];
    let folded = features::fold(question);
    let words = features::words(&folded);
    words.iter().any(|w| PLURALS.contains(w)) && !words.iter().any(|w| TOLD.contains(w))
}

/// The question names errors, failures or warnings in one of the six languages: a word, not a
/// phrase, so "any errors?", "zeig die fehler" and "hay errores en el log" all count.
fn asks_for_errors(question: &str) -> bool {
    const WORDS: &[&str] = &[
        "error",
        "errors",
        "erreur",
        "erreurs",
        "fehler",
        "fehlern",
        "fehlermeldung",
        "fehlermeldungen",
        "fout",
        "fouten",
        "foutmelding",
        "foutmeldingen",
        "errores",
        "erro",
        "erros",
        "exception",
        "exceptions",
        "failure",
        "failures",
        "warning",
        "warnings",
        "warnungen",
        "waarschuwingen",
        "advertencias",
        "avisos",
        "avertissements",
    ];
    says_any(question, WORDS)
}

/// Logs, in the six languages (folded).
const LOG_WORDS: &[&str] = &[
    "logs",
    "log",
    "registros",
    "registro",
    "journaux",
    "journal",
    "protokolle",
    "protokoll",
    "logdateien",
    "logboek",
    "logboeken",
    "logbestanden",
    "logfiles",
];

/// Words that may come before the noun a message opens with: articles, possessives, "any",
/// "recent"… in the six languages (folded).
const LEAD_WORDS: &[&str] = &[
    "the",
    "any",
    "all",
    "recent",
    "latest",
    "last",
    "my",
    "el",
    "la",
    "los",
    "las",
    "le",
    "les",
    "des",
    "mes",
    "die",
    "der",
    "den",
    "das",
    "meine",
    "alle",
    "letzte",
    "letzten",
    "de",
    "het",
    "mijn",
    "laatste",
    "o",
    "a",
    "os",
    "as",
    "meus",
    "minhas",
    "ultimos",
    "ultimas",
    "mis",
    "derniers",
    "dernieres",
    "todos",
    "tous",
];

/// The word a message opens with, after at most two words such as an article or "any"/"recent"
/// ("los errores de plex": `errores`), folded.
fn opening_noun(question: &str) -> Option<String> {
    let words = features::words(&features::fold(question)).into_iter().map(str::to_string).collect::<Vec<_>>();
    let leads = words.iter().take_while(|w| LEAD_WORDS.contains(&w.as_str())).count();
    words.into_iter().nth(leads).filter(|_| leads <= 2)
}

/// Words that join what is read to whose it is ("errors *of* plex", "erreurs *du* plex"), in the
/// six languages (folded).
const OF_WORDS: &[&str] = &[
    "of", "from", "in", "on", "for", "at", "de", "du", "des", "del", "do", "da", "dos", "das", "no", "na", "em", "en",
    "dans", "von", "vom", "im", "bei", "beim", "van", "op", "bij", "voor", "para", "pour", "fur",
];

/// Articles between such a word and a name ("registros *de la* app"), folded.
const ARTICLES: &[&str] = &[
    "the", "la", "le", "les", "el", "los", "las", "der", "die", "das", "dem", "den", "het", "de", "o", "a", "os", "as",
];

/// What a name is the name of, beside it: "the plex *container*", "le *serveur* plex" (folded).
const THING_WORDS: &[&str] = &[
    "container",
    "conteneur",
    "contenedor",
    "contentor",
    "server",
    "serveur",
    "servidor",
    "service",
    "dienst",
    "app",
    "application",
    "aplicacion",
    "aplicacao",
];

/// The message is only a noun phrase of what is read and whose: errors, warnings or logs (after at
/// most two words such as an article or "any", and with at most one word describing them), then
/// "of", "de", "von"… and one name, then at most the time it is about: "errores de nextcloud",
/// "les erreurs récentes de sonarr", "os erros do radarr hoje". Nothing but a time after the name,
/// so "die fehler von plex beheben" (fix plex's errors) and "errores de plex arreglar" are not.
fn only_names_what_is_read(question: &str) -> bool {
    let folded = features::fold(question);
    let tokens: Vec<&str> = folded
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '-' | '_' | '.' | '/')))
        .map(|t| t.trim_end_matches('.'))
        .filter(|t| !t.is_empty())
        .collect();
    let leads = tokens.iter().take_while(|t| LEAD_WORDS.contains(t)).count();
    let Some((noun, rest)) = tokens[leads..].split_first().filter(|_| leads <= 2) else {
        return false;
    };
    if !(LOG_WORDS.contains(noun) || asks_for_errors(noun)) {
        return false;
    }
    // One word may describe them ("erreurs récentes de sonarr").
    let rest = match rest {
        [word, tail @ ..] if !OF_WORDS.contains(word) => tail,
        _ => rest,
    };
    let Some((_, rest)) = rest.split_first().filter(|(of, _)| OF_WORDS.contains(of)) else {
        return false;
    };
    let rest = match rest {
        [article, tail @ ..] if ARTICLES.contains(article) && !tail.is_empty() => tail,
        _ => rest,
    };
    // The name, with what it is beside it ("erreurs du serveur plex", "logs of the plex container").
    let rest = match rest {
        [thing, name, tail @ ..] if THING_WORDS.contains(thing) => [&[*name][..], tail].concat(),
        [name, thing, tail @ ..] if THING_WORDS.contains(thing) => [&[*name][..], tail].concat(),
        _ => rest.to_vec(),
    };
    match rest.as_slice() {
        [_name] => true,
        [_name, time @ ..] => time.len() <= 4 && when::names_a_time(&time.join(" ")),
        [] => false,
    }
}

/// The question names a stop, a crash or a death in one of the six languages (folded): "why did
/// it stop", "what error made radarr crash", "pourquoi plex s'est arrêté", "warum abgestürzt".
fn names_a_stop(question: &str) -> bool {
    const STEMS: &[&str] = &[
        "stop",
        "crash",
        "kill",
        "shut",
        "arret",
        "plant",
        "abgest",
        "absturz",
        "gestop",
        "gecrash",
        "caid",
        "cayo",
        "parad",
        "parou",
        "morreu",
        "muri",
        "derrub",
        "klapt",
        "uitgeval",
        "gestorv",
        "abgebroch",
        "beendet",
        "travou",
        "detuvo",
        "colgo",
        "tombe",
    ];
    const WORDS: &[&str] = &[
        "exit", "exits", "exited", "exiting", "died", "dies", "dead", "down", "dood", "salio", "caiu", "cair", "paro",
    ];
    features::words(&features::fold(question))
        .iter()
        .any(|w| STEMS.iter().any(|s| w.starts_with(s)) || WORDS.contains(w))
}

/// The question asks for a `docker run` command ("the docker run command for plex", "plex's run
/// command", "the command to recreate plex"), in any language: the command's own words.
fn asks_for_a_run_command(question: &str) -> bool {
    let folded = features::fold(question);
    let words = features::words(&folded);
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    pair("docker", "run") || pair("run", "command") || (has("command") && (has("recreate") || has("re-create")))
}

/// The container the conversation was about: named in the last question that named one, or
/// else the first one the last answer named (the busiest, the one that stopped).
fn earlier_container(context: &Context, common: &[String]) -> Vec<String> {
    if let Some(named) = context
        .earlier
        .iter()
        .rev()
        .map(|q| entities::containers(q, &context.containers, common))
        .find(|named| !named.is_empty())
    {
        return named;
    }
    // The last answer names the container only when the last question asked which one
    // (the busiest, the one that stopped), not when it listed them all.
    let about_one = context.earlier.last().is_some_and(|q| {
        let before = understand(q, &Context { earlier: Vec::new(), last_answer: None, ..context.clone() });
        before.kinds.iter().any(|k| matches!(k, Kind::ContainerUsage | Kind::Processes | Kind::WhyStopped))
    });
    if !about_one {
        return Vec::new();
    }
    context
        .last_answer
        .as_deref()
        .map(|a| entities::containers(a, &context.containers, common).into_iter().take(1).collect())
        .unwrap_or_default()
}

/// A question of a few words, as follow-ups are ("and its CPU?", "et il utilise combien de CPU ?").
fn short_follow_up(question: &str) -> bool {
    features::words(&features::fold(question)).len() <= 8
}

/// Words (folded) that make a figure the machine's even right after a question about a
/// container: what is free, left or in total, or the machine itself ("how much ram is free rn",
/// "¿cuánta memoria queda?"), unless the question points back at the container.
#[rustfmt::skip]
const HOST_FIGURE_WORDS: &[&str] = &[
    "free", "left", "available", "remaining", "spare", "unused", "total", "server", "host", "system", "box",
    "machine", "libre", "libres", "disponible", "disponibles", "reste", "restant", "serveur", "systeme", "frei",
    "freie", "freier", "ubrig", "verfugbar", "verfugbarer", "insgesamt", "gesamt", "rechner", "queda", "quedan",
    "sobra", "servidor", "sistema", "maquina", "vrij", "vrije", "resterend", "beschikbaar", "totaal", "systeem",
    "livre", "livres", "disponiveis", "sobrando", "restante",
];

/// Words (folded) that point back at the container the conversation is about: "and its memory
/// in total?", "is zijn cpu vrij hoog?" (quite high), "et son cpu, elle reste haute ?". Not words
/// that also open an ordinary question about the machine: "this" ("on this box"), French "il"
/// ("il reste combien ?"), Dutch "er" ("is er vrij"), Spanish "el" and "es".
#[rustfmt::skip]
const BACK_REFERENCES: &[&str] = &[
    "it", "its", "his", "her", "their", "son", "sa", "ses", "elle", "lui", "sein", "seine", "seinen", "seiner",
    "ihr", "ihre", "su", "sus", "ella", "zijn", "haar", "hij", "dele", "dela", "seu", "sua", "ele", "ela",
];

/// The question is about the machine's figure, not the container's the conversation was about.
fn asks_the_host(question: &str) -> bool {
    let folded = features::fold(question);
    let words: Vec<&str> = features::words(&folded).into_iter().filter_map(|w| w.split(['\'', '’']).next()).collect();
    words.iter().any(|w| HOST_FIGURE_WORDS.contains(w)) && !words.iter().any(|w| BACK_REFERENCES.contains(w))
}

/// A word of the question that no ordinary question uses and that is a few edits from a
/// container's name: what the owner probably typed for it.
fn near_miss(question: &str, known: &[ContainerRef], common: &[String]) -> Option<String> {
    let folded = features::fold(question);
    // Whole names as typed ("homelab-fixture-wbe"), then single words.
    let typed = question
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|t| t.contains(['-', '_', '.']));
    typed
        .chain(features::words(&folded).into_iter().map(String::from))
        .filter(|w| {
            w.chars().count() >= 3
                && w.chars().any(char::is_alphabetic)
                && common.binary_search(&w.to_string()).is_err()
        })
        .find(|w| {
            known.iter().any(|c| {
                let name = features::fold(&c.name);
                strsim::damerau_levenshtein(w, &name) <= (name.chars().count() / 3).max(2)
            })
        })
}

/// A name the question puts where a container goes, in one of a few frames per language ("is X
/// running", "did X crash", "logs of X", "how much memory does X use", "the X container", "läuft
/// X", "X tourne", "draait X", "o X está rodando"…), when containers are known and X is none of
/// them (nor a host, nor a word such as "everything", "docker" or "it"). Returned as written.
/// The frames are few and exact on purpose: a container's name is any word ("minecraft" is a
/// common one in the corpus), so only its place in the question tells it.
fn named_in_a_frame(question: &str, known: &[ContainerRef], hosts: &[String]) -> Option<String> {
    // Where a state follows the name ("is X running", "ist X abgestürzt", "is X gecrasht").
    const STATES: &[&str] = &[
        "running",
        "up",
        "down",
        "alive",
        "ok",
        "okay",
        "healthy",
        "working",
        "online",
        "offline",
        "stopped",
        "dead",
        "broken",
        "crashing",
        "crashed",
        "restarting",
        "started",
        "abgesturzt",
        "aus",
        "tot",
        "kaputt",
        "gecrasht",
        "gestopt",
        "gestoppt",
        "kapot",
    ];
    // What happened to it ("did X crash", "why does X keep crashing").
    const HAPPENINGS: &[&str] =
        &["crash", "stop", "die", "restart", "fail", "keep", "go", "exit", "shut", "crashed", "stopped", "died"];
    const USES: &[&str] = &["use", "using", "take", "taking", "eat", "eating", "need", "consume", "consuming", "uses"];
    const LOGS: &[&str] = &["logs", "log", "output", "journaux", "registros"];
    const RUNS: &[&str] = &["tourne", "marche", "fonctionne", "plante"];
    const RUNNING_ES_PT: &[&str] =
        &["funcionando", "corriendo", "activo", "caido", "rodando", "ligado", "parado", "levantado"];
    // Words that take a name's place without being one.
    const NOT_NAMES: &[&str] = &[
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "everything",
        "anything",
        "something",
        "nothing",
        "all",
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "any",
        "every",
        "each",
        "one",
        "ones",
        "which",
        "what",
        "who",
        "still",
        "now",
        "also",
        "already",
        "currently",
        "really",
        "actually",
        "not",
        "again",
        "docker",
        "server",
        "servers",
        "nas",
        "host",
        "system",
        "machine",
        "box",
        "computer",
        "pool",
        "disk",
        "disks",
        "drive",
        "network",
        "internet",
        "wifi",
        "lan",
        "truenas",
        "cpu",
        "memory",
        "ram",
        "swap",
        "container",
        "containers",
        "app",
        "apps",
        "service",
        "services",
        "stack",
        "backup",
        "backups",
        "scrub",
        "replication",
        "snapshot",
        "snapshots",
        "he",
        "she",
        "they",
        "er",
        "es",
        "sie",
        "das",
        "der",
        "die",
        "den",
        "alles",
        "etwas",
        "il",
        "elle",
        "ca",
        "tout",
        "rien",
        "le",
        "la",
        "les",
        "el",
        "ello",
        "eso",
        "todo",
        "algo",
        "het",
        "dat",
        "alles",
        "iets",
        "ele",
        "ela",
        "isso",
        "tudo",
        "o",
        "os",
        "nog",
        "noch",
        "encore",
        "todavia",
        "ainda",
        "eigentlich",
        "gerade",
        "denn",
        "jetzt",
        "hier",
        "irgendwas",
        "irgendein",
        "ein",
        "einem",
        "einen",
        "einer",
        "dem",
        "een",
        "de",
        "deze",
        "dit",
        "un",
        "une",
        "uno",
        "una",
        "um",
        "uma",
        "celui",
        "celle",
        "ceux",
        "lo",
        "los",
        "las",
        "bien",
        "bem",
        "mal",
        "ahora",
        "agora",
        "ja",
        "maintenant",
        // What a homelab runs besides containers, and who ("is zfs healthy", "did anyone restart it").
        "zfs",
        "raid",
        "storage",
        "space",
        "dns",
        "ssh",
        "ups",
        "power",
        "update",
        "updates",
        "arc",
        "vpn",
        "nfs",
        "smb",
        "iscsi",
        "anyone",
        "someone",
        "anybody",
        "somebody",
        "servidor",
        "sistema",
        "serveur",
        "systeme",
        "servico",
        "servicio",
        "equipo",
        "rede",
        "red",
        "cela",
        "ceci",
        "nicht",
        "niet",
        "langsam",
        "traag",
        "desde",
        "hace",
        "seit",
        "depuis",
        "sinds",
        "correctement",
        "normal",
        "normally",
        // What logs are asked for instead of whose ("logs for errors", "logs from yesterday").
        "errors",
        "error",
        "warnings",
        "crashed",
        "failed",
        "stopped",
        "recent",
        "earlier",
        "last",
        "startup",
        "boot",
        "today",
        "yesterday",
        "tonight",
        "hoy",
        "ayer",
        "heute",
        "gestern",
        "vandaag",
        "gisteren",
        "hoje",
        "ontem",
        // Which container, not its name ("the unhealthy container", "my new container").
        "unhealthy",
        "healthy",
        "failing",
        "new",
        "old",
        "other",
        "main",
        "first",
        "same",
        // Verbs that go with "up" or "down" ("what is taking up the space", "is it slowing down").
        "taking",
        "eating",
        "using",
        "filling",
        "backing",
        "starting",
        "booting",
        "coming",
        "showing",
        "picking",
        "speeding",
        "slowing",
        "going",
        "running",
        "hogging",
        "getting",
        "being",
        "doing",
        "working",
        "keeping",
        "shutting",
        "spinning",
        "heating",
        "warming",
        "loading",
        "waking",
        "setting",
        "cleaning",
        "winding",
    ];
    if known.is_empty() {
        return None;
    }
    let folded = features::fold(question);
    let words = features::words(&folded);
    let at = |i: usize, d: isize| -> &str {
        let j = i as isize + d;
        if j < 0 {
            ""
        } else {
            words.get(j as usize).copied().unwrap_or("")
        }
    };
    let framed = |i: usize| {
        let (p2, p1, n1, n2) = (at(i, -2), at(i, -1), at(i, 1), at(i, 2));
        // English.
        (["is", "isn't", "isn’t"].contains(&p1) && STATES.contains(&n1) && !(n1 == "running" && ["out", "low", "hot"].contains(&n2)))
            || (["did", "does", "has", "hasn't", "didn't"].contains(&p1) && HAPPENINGS.contains(&n1))
            || (["of", "for", "from"].contains(&p1) && LOGS.contains(&p2))
            || (["does", "is"].contains(&p1) && ["ram", "memory", "cpu", "mem"].contains(&p2) && USES.contains(&n1))
            // Not "the busiest container".
            || (n1 == "container"
                && !words[i].ends_with("est")
                && (p1 == "is" || (["the", "my"].contains(&p1) && ["is", "of", "for", "did"].contains(&p2))))
            // German ("läuft X", "logs von X"), Dutch ("draait X", "logs van X").
            // The verb opens the question; "mein server läuft nicht" says how something runs.
            || (["lauft", "draait"].contains(&p1) && ["", "noch", "gerade", "nog", "wel", "nicht", "niet"].contains(&n1) && p2.is_empty())
            || (["von", "van"].contains(&p1) && LOGS.contains(&p2))
            || (p1 == "ist" && STATES.contains(&n1))
            // French ("est-ce que X tourne", "logs de X", "pourquoi X s'est arrêté").
            || (RUNS.contains(&n1) && ["que", ""].contains(&p1))
            || (["de", "du", "do"].contains(&p1) && LOGS.contains(&p2))
            || (p1 == "pourquoi" && ["s'est", "a", "est", "plante", "ne"].contains(&n1))
            // Spanish and Portuguese ("¿está funcionando X?", "o X está rodando", "por qué X se cayó").
            || (RUNNING_ES_PT.contains(&p1) && p2 == "esta")
            || (n1 == "esta" && RUNNING_ES_PT.contains(&n2) && ["o", "", "que"].contains(&p1))
            || (p1 == "o" && ["caiu", "parou", "travou"].contains(&n1))
    };
    let is_a_name = |w: &str| {
        w.chars().count() >= 3
            && w.chars().any(char::is_alphabetic)
            && !NOT_NAMES.contains(&w)
            // Adverbs ("correctamente", "normalmente") and times ("today", "gestern").
            && !w.ends_with("mente")
            && !when::names_a_time(w)
            && !hosts.iter().any(|h| features::fold(h) == w)
            && !known.iter().any(|c| features::fold(&c.name) == w)
    };
    let found = (0..words.len()).find(|&i| framed(i) && is_a_name(words[i])).map(|i| words[i])?;
    // As the question wrote it (folding turned digits into 0), whole when it has a hyphen
    // ("logs of home-assistant").
    question
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .find(|t| features::fold(t) == found || features::fold(t).split(['-', '_', '.']).next() == Some(found))
        .or(Some(found.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whether_there_are_any_is_asked_in_one_short_clause_and_hay_que_orders() {
        for q in ["hay alarmas activas", "gibt es gerade alarme", "zijn er waarschuwingen", "existem alertas?"] {
            assert!(asks_whether_there_are(q), "{q}");
        }
        for q in [
            "hay que reiniciar plex",
            "hay q reiniciar plex",
            "hay alertas, bórralas",
            "hay alertas y bórralas",
            "zijn er meldingen en bevestig ze",
            "gibt es warnungen und quittiere sie",
        ] {
            assert!(!asks_whether_there_are(q), "{q}");
        }
    }

    #[test]
    fn alerts_in_the_plural_are_named_and_requests_to_be_told_are_not() {
        for q in ["welche warnungen gibt es", "hay avisos?", "quels avertissements sur le nas ?", "any alarms"] {
            assert!(names_alerts_plural(q), "{q}");
        }
        for q in [
            "ton avis sur unraid ?",
            "avísame si plex cae",
            "cette alerte veut dire quoi",
            "can I get telegram alerts?",
            "alarm clock app?",
        ] {
            assert!(!names_alerts_plural(q), "{q}");
        }
    }

    #[test]
    fn a_host_figure_over_a_window_is_its_history_and_nothing_else_is() {
        let mut kinds: BTreeSet<Kind> = [Kind::Cpu].into();
        over_time(&mut kinds);
        assert_eq!(kinds, [Kind::Cpu, Kind::History].into());
        for other in [Kind::Events, Kind::Logs, Kind::Restarts, Kind::ContainerStatus] {
            let mut kinds: BTreeSet<Kind> = [other].into();
            over_time(&mut kinds);
            assert_eq!(kinds, [other].into(), "{other:?}");
        }
    }
}
