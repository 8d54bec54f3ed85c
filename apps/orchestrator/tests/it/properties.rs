//! Property tests: the policy classifier and tool validation never panic, whatever the input,
//! and a refusal always quotes something the user actually wrote.

use orchestrator::{
    policy::{check, refusal_message, Verdict},
    registry::Registry,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_policy_never_panics_on_any_text(message in any::<String>()) {
        let _ = check(&message);
    }

    #[test]
    fn the_policy_never_panics_on_wordy_text(words in prop::collection::vec("[a-zA-Z'`.,;:!?/ -]{0,12}", 0..40)) {
        let message = words.join(" ");
        if let Verdict::Refuse { request, reason } = check(&message) {
            let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            let quoted = squash(request.trim_end_matches('…'));
            prop_assert!(squash(&message.replace(['’', '‘'], "'")).contains(&quoted), "{quoted:?} not in {message:?}");
            prop_assert!(refusal_message(&request, reason).contains("read-only"));
        }
    }

    #[test]
    fn adding_please_never_turns_an_order_into_a_question(
        verb in "(restart|stop|delete|reboot|kill|remove|update|install)",
        // Words that make "<verb> <word>" a noun phrase ("restart count", "update log") are read
        // as questions on purpose; the corpus covers them.
        object in "[a-z]{3,10}".prop_filter("not a noun-phrase word", |o| !orchestrator::policy::NOUN_CONTEXT.contains(&o.as_str())),
    ) {
        for message in [format!("{verb} {object}"), format!("please {verb} the {object} container"), format!("Could you {verb} {object}?")] {
            let refused = matches!(check(&message), Verdict::Refuse { .. });
            prop_assert!(refused, "not refused: {}", message);
        }
    }

    #[test]
    fn tool_validation_never_panics(name in "[a-z_]{0,30}", json in "[ -~]{0,80}") {
        let registry = Registry::stage_one();
        let enabled = registry.names().into_iter().map(String::from).collect();
        let arguments = serde_json::from_str(&json).unwrap_or(serde_json::Value::String(json));
        let _ = registry.validate(&name, &arguments, &enabled);
    }
}
