//! Property tests: Docker JSON mapping, mountinfo parsing and log redaction never panic, and the
//! mapping keeps its promises (12-character ids, no leading "/" in names).

use proptest::prelude::*;
use tool_monitoring::{disks, docker::to_container_info, logs::redact};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn docker_summaries_map_without_panicking(
        id in "[0-9a-f]{0,70}",
        name in "/?[ -~]{0,40}",
        image in prop::option::of("[ -~]{0,80}"),
        created in any::<i64>(),
        private in any::<u16>(),
        public in prop::option::of(any::<u16>()),
        state in "[a-z]{0,12}",
    ) {
        let mut port = serde_json::json!({"PrivatePort": private, "Type": "tcp"});
        if let Some(p) = public {
            port["PublicPort"] = p.into();
        }
        let raw = serde_json::json!({"Id": id, "Names": [name], "Image": image, "Created": created, "Ports": [port], "State": state, "Status": "x"});
        if let Ok(summary) = serde_json::from_value(raw) {
            let c = to_container_info(summary);
            prop_assert!(c.id.len() <= 12);
            prop_assert!(!c.name.starts_with('/'));
        }
    }

    #[test]
    fn mountinfo_parsing_never_panics(text in "[ -~\\n\\\\]{0,400}") {
        let _ = disks::distinct_real_mounts(disks::parse_mountinfo(&text));
    }

    #[test]
    fn redaction_never_panics_and_hides_password_values(line in any::<String>(), secret in "[a-zA-Z0-9]{6,20}") {
        let _ = redact(&line);
        let with_secret = format!("{line} password={secret}");
        let exposed = format!("password={}", secret);
        prop_assert!(!redact(&with_secret).ends_with(&exposed));
    }
}
