//! Which tools the model is offered for one question: those the understanding layer's plan
//! needs, plus `more_tools`, a way to ask for every other read-only tool. Fewer tool definitions
//! make a shorter prompt for a cloud model and a better choice for a small local one, which
//! degrades when offered many. A question the plan cannot map is offered every tool (a small
//! model, [`SMALL_MODEL_DEFAULT`]).

use homelab_schemas::{ToolDefinition, ToolId};
use homelab_understanding::{plan, Understanding};

/// The name of the tool that asks for every tool.
pub const MORE_TOOLS: &str = "more_tools";

/// What a small model is offered when the plan names no tool.
pub const SMALL_MODEL_DEFAULT: [ToolId; 5] =
    [ToolId::SystemResources, ToolId::Containers, ToolId::Problems, ToolId::ContainerDetails, ToolId::History];

/// The definition of `more_tools`.
pub fn more_tools() -> ToolDefinition {
    ToolDefinition {
        name: MORE_TOOLS.into(),
        description: "Call this when none of the offered tools can answer: the next turn offers every read-only tool."
            .into(),
        parameters: Vec::new(),
    }
}

/// The tools to offer for `understanding`, among `all` (those enabled that can answer now).
pub fn focused(understanding: &Understanding, all: &[ToolDefinition], small_model: bool) -> Vec<ToolDefinition> {
    let offered: Vec<ToolId> = all.iter().filter_map(|t| ToolId::from_name(&t.name)).collect();
    let mut wanted: Vec<ToolId> = plan::calls(understanding, &offered).into_iter().map(|(t, _)| t).collect();
    wanted.dedup();
    if wanted.is_empty() {
        if !small_model {
            return all.to_vec();
        }
        wanted = SMALL_MODEL_DEFAULT.to_vec();
    }
    let mut tools: Vec<ToolDefinition> =
        all.iter().filter(|t| ToolId::from_name(&t.name).is_some_and(|id| wanted.contains(&id))).cloned().collect();
    if tools.len() < all.len() {
        tools.push(more_tools());
    }
    tools
}

/// What the model is told when it asks for more tools.
pub fn more_tools_result(all: &[ToolDefinition]) -> String {
    let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
    format!("Every read-only tool is offered from now on: {}.", names.join(", "))
}

#[cfg(test)]
mod tests {
    use homelab_understanding::{understand, Context};

    use super::*;

    fn all() -> Vec<ToolDefinition> {
        ToolId::ALL.iter().map(|t| t.definition()).collect()
    }

    #[test]
    fn a_question_is_offered_what_it_needs_and_the_way_to_the_rest() {
        let cpu = focused(&understand("What is the current CPU usage?", &Context::now_only()), &all(), false);
        let names: Vec<&str> = cpu.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["get_system_resources", MORE_TOOLS]);
        let both = focused(
            &understand("is anything unhealthy and how much disk is left?", &Context::now_only()),
            &all(),
            false,
        );
        assert!(both.len() <= 4 && both.iter().any(|t| t.name == "list_problems"), "{both:?}");
    }

    #[test]
    fn a_question_the_plan_cannot_map_gets_every_tool_or_a_handful_for_a_small_model() {
        let unclear = understand("hmm", &Context::now_only());
        assert_eq!(focused(&unclear, &all(), false).len(), ToolId::ALL.len());
        let small = focused(&unclear, &all(), true);
        assert!(small.len() <= 6 && small.iter().any(|t| t.name == MORE_TOOLS), "{small:?}");
    }
}
