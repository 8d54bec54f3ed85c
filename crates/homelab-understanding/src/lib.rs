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
//! - [`kind`]: the kinds of question.
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
pub mod kind;
pub mod model;
pub mod plan;
pub mod rules;
pub mod train;
pub mod when;

use std::collections::BTreeSet;

pub use entities::ContainerRef;
pub use kind::Kind;
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
    /// Now, in the host's timezone.
    pub now: jiff::Zoned,
    /// When the host last booted, for "since the reboot".
    pub boot: Option<jiff::Timestamp>,
}

impl Context {
    /// Nothing known but the time: no containers, one host, no conversation.
    pub fn now_only() -> Self {
        Self { containers: Vec::new(), hosts: Vec::new(), earlier: Vec::new(), now: jiff::Zoned::now(), boot: None }
    }

    /// The context the orchestrator sent (`LlmRequest::context`), with the earlier questions;
    /// without one, only the time is known.
    pub fn from_wire(wire: Option<&homelab_schemas::QuestionContext>, earlier: Vec<String>) -> Self {
        let Some(wire) = wire else { return Self { earlier, ..Self::now_only() } };
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
    /// Kinds or names were taken from the earlier questions.
    pub follow_up: bool,
    /// When it was asked.
    pub now: jiff::Timestamp,
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
/// At most this many containers are looked at for one question.
const MAX_CONTAINERS: usize = 3;

/// What `question` means in `context`.
pub fn understand(question: &str, context: &Context) -> Understanding {
    let model = model::Model::embedded();
    let mut containers = entities::containers(question, &context.containers, &model.meta.common_words);
    let host = entities::hosts(question, &context.hosts).into_iter().next();
    // A host's name is not also a container's.
    containers.retain(|c| Some(c) != host.as_ref());
    let probs = model.classify(question, &containers, host.as_slice());
    let verdict = rules::check(question);
    let rules_refuse = matches!(verdict, rules::Verdict::Refuse { .. });
    let (mut kinds, change) = train::decide(&probs, &model.meta.thresholds, rules_refuse);
    let scores: Vec<(Kind, f32)> = Kind::all().map(|k| (k, probs[k.index()])).collect();
    let change = change.then(|| match verdict {
        rules::Verdict::Refuse { request, reason } => ChangeRequest { request, reason },
        rules::Verdict::Allow => ChangeRequest { request: rules::shorten(question), reason: RefusalKind::Action },
    });
    let mut follow_up = false;
    let best = scores.iter().map(|(_, p)| *p).fold(0f32, f32::max);
    let short = features::words(&features::fold(question)).len() <= 5;
    if let Some(previous) = context.earlier.last().filter(|_| short && best < FOLLOW_UP_CONFIDENCE) {
        // "and for radarr?": the previous question's kinds, about what this one names.
        let before = understand(previous, &Context { earlier: Vec::new(), ..context.clone() });
        if !before.kinds.is_empty() && change.is_none() {
            kinds = before.kinds;
            follow_up = true;
        }
    }
    // "and how much CPU does it use?" after a question about jellyfin: jellyfin's figures.
    if containers.is_empty() && short_follow_up(question) && !kinds.is_empty() {
        let figures_only = kinds.iter().all(|k| matches!(k, Kind::Cpu | Kind::Memory));
        if let (true, Some(previous)) = (figures_only, context.earlier.last()) {
            let named = entities::containers(previous, &context.containers, &model.meta.common_words);
            if !named.is_empty() {
                kinds = [Kind::ContainerUsage].into();
                containers = named;
                follow_up = true;
            }
        }
    }
    let needs_one = kinds.iter().any(|k| k.is_about_one_container() || *k == Kind::Restarts);
    if containers.is_empty() && needs_one {
        // "and its logs?": the container the conversation was about.
        for earlier in context.earlier.iter().rev() {
            let named = entities::containers(earlier, &context.containers, &model.meta.common_words);
            if !named.is_empty() {
                containers = named;
                follow_up = true;
                break;
            }
        }
    }
    if containers.is_empty() && kinds.iter().any(|k| matches!(k, Kind::Logs | Kind::WhyStopped)) {
        // "the logs of the one that crashed": the containers that did.
        containers = context.containers.iter().filter(|c| c.crashed()).map(|c| c.name.clone()).collect();
    }
    containers.truncate(MAX_CONTAINERS);
    let unmatched =
        if containers.is_empty() { near_miss(question, &context.containers, &model.meta.common_words) } else { None };
    let window = when::window(question, &context.now, context.boot);
    Understanding {
        kinds,
        change,
        containers,
        host,
        window,
        follow_up,
        now: context.now.timestamp(),
        unmatched,
        scores,
    }
}

/// A question of a few words, as follow-ups are ("and its CPU?", "et il utilise combien de CPU ?").
fn short_follow_up(question: &str) -> bool {
    features::words(&features::fold(question)).len() <= 8
}

/// A word of the question that no ordinary question uses and that is a few edits from a
/// container's name: what the owner probably typed for it.
fn near_miss(question: &str, known: &[ContainerRef], common: &[String]) -> Option<String> {
    let folded = features::fold(question);
    features::words(&folded)
        .into_iter()
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
        .map(String::from)
}
