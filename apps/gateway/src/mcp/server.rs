//! The MCP server proper: `tools/list` and `tools/call` answered from the orchestrator's direct
//! tool routes (`GET /tools`, `POST /tools/call`), where the catalog, its checks and the audit
//! live. Every tool of the catalog only reads, which the annotations tell the client.

use std::sync::Arc;

use axum::http::StatusCode;
use homelab_common::ApiError;
use homelab_schemas::tools::{ListedTool, ToolCallRequest};
use rmcp::{
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
        PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
    },
    service::RequestContext,
    ErrorData, RoleServer, ServerHandler,
};
use serde_json::Value;

use crate::forward::OrchestratorClient;

/// What a client is told when it connects.
const INSTRUCTIONS: &str = "Read-only tools for a homelab: system resources, containers, their logs and \
statistics, problems, ZFS pools, TrueNAS alerts and history. None of them can change anything. With several \
hosts, each tool takes an optional `host`; without it every host answers.";

/// One MCP request's handler (the SDK makes one per request: the endpoint keeps no session).
#[derive(Clone)]
pub struct Tools {
    orchestrator: OrchestratorClient,
}

impl Tools {
    pub fn new(orchestrator: OrchestratorClient) -> Self {
        Self { orchestrator }
    }
}

/// The gateway's request id of the HTTP request that carried this MCP request, so the
/// orchestrator's audit line and logs can be matched with the gateway's.
fn request_id(context: &RequestContext<RoleServer>) -> Option<String> {
    let parts = context.extensions.get::<axum::http::request::Parts>()?;
    parts.headers.get(homelab_common::startup::REQUEST_ID)?.to_str().ok().map(String::from)
}

/// A catalog tool as MCP describes it.
fn described(tool: ListedTool) -> Tool {
    let schema = match tool.input_schema {
        Value::Object(schema) => schema,
        _ => Default::default(),
    };
    Tool::new(tool.name, tool.description, Arc::new(schema))
        .with_annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false))
}

impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("homelab-assistant", env!("CARGO_PKG_VERSION")).with_title("Homelab Assistant"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let listed = self.orchestrator.tools(request_id(&context).as_deref()).await.map_err(|e| {
            tracing::warn!(error = %e, "MCP tools/list: the orchestrator did not answer");
            ErrorData::internal_error(e.detail(), None)
        })?;
        Ok(ListToolsResult::with_all_items(listed.tools.into_iter().map(described).collect()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let call = ToolCallRequest { name: request.name.into_owned(), arguments: request.arguments };
        match self.orchestrator.call_tool(&call, request_id(&context).as_deref()).await {
            Ok(answer) => {
                let content = vec![ContentBlock::text(answer.text)];
                let mut result =
                    if answer.is_error { CallToolResult::error(content) } else { CallToolResult::success(content) };
                result.structured_content = answer.structured.map(Value::Object);
                Ok(result.into())
            }
            // MCP's answer to a tool it does not have: a protocol error (invalid params).
            Err(ApiError::Upstream { status: StatusCode::NOT_FOUND, detail }) => {
                Err(ErrorData::invalid_params(detail, None))
            }
            // The tool could not be reached: said to the client (and its model) as the tool's error.
            Err(e) => {
                tracing::warn!(error = %e, tool = ?call.name, "MCP tools/call: the orchestrator did not answer");
                Ok(CallToolResult::error(vec![ContentBlock::text(format!("Error: {}", e.detail()))]).into())
            }
        }
    }
}
