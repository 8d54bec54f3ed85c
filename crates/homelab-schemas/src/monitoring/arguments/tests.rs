use serde_json::json;

use super::*;

/// Values a model might send for any parameter: good, bad and borderline.
fn candidates() -> Vec<Value> {
    let mut values = vec![
        json!("plex"),
        json!("my-app_2.0"),
        json!("../etc"),
        json!(""),
        json!("a".repeat(128)),
        json!("a".repeat(129)),
        json!("2h"),
        json!("30m"),
        json!("45s"),
        json!("7d"),
        json!("0m"),
        json!("9999d"),
        json!("10000m"),
        json!("1234567s"),
        json!("2026-12-04T22:00:00+01:00"),
        json!("2026-12-05T06:00:00.5Z"),
        json!("2026-02-30T00:00:00Z"),
        json!("2026-12-04 22:00"),
        json!("2026-12-04T22:00:00"),
        json!("yesterday"),
        json!("bogus"),
        json!(0),
        json!(1),
        json!(20),
        json!(21),
        json!(200),
        json!(201),
        json!(-1),
        json!(5.5),
        json!(50.0),
        json!(true),
        json!(["plex"]),
        json!({"a": 1}),
    ];
    // Every choice of every tool, so a new choice list is compared without being listed here.
    for tool in ToolId::ALL {
        for choices in tool.spec().params.iter().filter_map(|p| p.allowed) {
            values.extend(choices.iter().map(|c| json!(c)));
        }
    }
    values.extend([json!({"cpu": null}), json!(1e15), json!(18446744073709551615u64), json!(-1e20)]);
    values
}

/// The smallest arguments the tool takes: each required parameter with a good value.
fn required(tool: ToolId) -> Map<String, Value> {
    let mut base = Map::new();
    for p in tool.spec().params.iter().filter(|p| p.required) {
        let good = match p.name {
            "name" => json!("plex"),
            "metric" => json!("cpu"),
            other => panic!("no good value for the required parameter {other}: add one here"),
        };
        base.insert(p.name.into(), good);
    }
    base
}

/// What the model is shown and what is checked agree, for every tool, parameter and candidate:
/// a tool given a parameter the schema does not have, a bound the struct does not check, or a
/// choice missing from one of them fails here.
#[test]
fn the_typed_arguments_accept_exactly_what_the_advertised_schema_accepts() {
    let mut compared = 0;
    for &tool in ToolId::ALL {
        let schema = tool.arguments_schema();
        let validator = jsonschema::draft7::new(&schema).unwrap();
        let agree = |arguments: Value| {
            let typed = tool.check_arguments(arguments.clone());
            assert_eq!(typed.is_ok(), validator.is_valid(&arguments), "{}: {arguments} typed {typed:?}", tool.name());
        };
        agree(Value::Object(required(tool)));
        agree(json!({}));
        agree(json!("plex"));
        agree(Value::Object({
            let mut extra = required(tool);
            extra.insert("follow".into(), json!(true));
            extra
        }));
        for p in tool.spec().params {
            for value in candidates() {
                let mut arguments = required(tool);
                arguments.insert(p.name.into(), value);
                agree(Value::Object(arguments));
                compared += 1;
            }
        }
    }
    assert!(compared > 500, "{compared}");
}

#[test]
fn refusals_name_the_field_and_what_is_wrong() {
    let check = |tool: ToolId, arguments: Value| tool.check_arguments(arguments).unwrap_err();
    assert_eq!(
        check(ToolId::ContainerLogs, json!({"name": "plex", "lines": 500})),
        "lines: 500 is greater than the maximum of 200"
    );
    assert_eq!(
        check(ToolId::ContainerLogs, json!({"name": "../etc"})),
        "name: \"../etc\" does not match a container name (a letter or digit, then letters, digits, '_', '.' or '-'; at most 128)"
    );
    assert_eq!(check(ToolId::ContainerLogs, json!({})), "missing field `name`");
    assert!(check(ToolId::ContainerLogs, json!({"name": "plex", "follow": true})).contains("unknown field `follow`"));
    assert!(check(ToolId::Containers, json!({"all": true})).contains("unknown field `all`"));
    assert!(check(ToolId::History, json!({"metric": "bogus"})).starts_with("metric: unknown variant `bogus`"));
    assert_eq!(check(ToolId::Processes, json!({"limit": 5.5})), "limit: 5.5 is not a whole number");
    assert_eq!(check(ToolId::Network, json!(["x"])), "arguments must be a JSON object");
    assert_eq!(
        check(ToolId::Events, json!({"since": "yesterday"})),
        "since: \"yesterday\" does not match a time with its offset, such as 2026-12-05T22:00:00+01:00"
    );
    // A long bad value is not echoed whole.
    let long = check(ToolId::ContainerDetails, json!({"name": "x".repeat(5000)}));
    assert!(long.len() < 200, "{long}");
}

#[test]
fn checked_arguments_are_what_is_sent_on() {
    let sent = ToolId::ContainerLogs.check_arguments(json!({"name": "plex", "lines": 50.0, "since": null})).unwrap();
    assert_eq!(Value::Object(sent), json!({"name": "plex", "lines": 50}));
    let sent = ToolId::Events.check_arguments(json!({"kind": "oom_killed", "container": "db"})).unwrap();
    assert_eq!(Value::Object(sent), json!({"container": "db", "kind": "oom_killed"}));
}

#[test]
fn container_names_are_checked_as_docker_allows_them() {
    assert!(ContainerName::is_valid("plex"));
    assert!(ContainerName::is_valid(&"a".repeat(128)));
    for bad in ["", "-x", "a b", "../etc", "é", &"a".repeat(129)] {
        assert!(!ContainerName::is_valid(bad), "{bad}");
    }
}

/// tool-monitoring reads its query string by the same check: a number parameter's text is read
/// as a number, everything else stays text (a container named `123` is a name, not a number).
#[test]
fn a_call_as_text_is_read_by_the_same_check() {
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let logs: LogsArguments =
        ToolId::ContainerLogs.arguments_from_text(pairs(&[("name", "123"), ("lines", "20"), ("since", "2h")])).unwrap();
    assert_eq!((logs.name.as_str(), logs.lines.map(Bounded::get)), ("123", Some(20)));
    let refused =
        |tool: ToolId, list: &[(&str, &str)]| tool.arguments_from_text::<LogsArguments>(pairs(list)).unwrap_err();
    assert_eq!(
        refused(ToolId::ContainerLogs, &[("name", "plex"), ("lines", "500")]),
        "lines: 500 is greater than the maximum of 200"
    );
    assert!(refused(ToolId::ContainerLogs, &[("name", "plex"), ("lines", "many")])
        .starts_with("lines: invalid type: string"));
    assert!(refused(ToolId::ContainerLogs, &[("name", "plex"), ("follow", "1")]).contains("unknown field `follow`"));
    let history: Result<HistoryArguments, _> = ToolId::History.arguments_from_text(pairs(&[("metric", "cpu")]));
    assert_eq!(history.unwrap().metric.0, HistoryMetric::Cpu);
}
