//! The orchestrator's direct tool routes, `GET /tools` and `POST /tools/call`: the catalog's
//! tools run one at a time without a model, with the checks a chat's tool calls get. The
//! gateway's MCP endpoint (`POST /mcp`) is their only caller; these shapes stay internal.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `GET /tools`: the tools that can answer now, in catalog order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolList {
    pub tools: Vec<ListedTool>,
}

/// One tool as an MCP client is shown it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedTool {
    pub name: String,
    pub description: String,
    /// The JSON Schema every call's arguments are checked against (bounds included, no other
    /// keys allowed; with several hosts, the optional `host`).
    pub input_schema: Value,
}

/// `POST /tools/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallRequest {
    pub name: String,
    /// The call's arguments; absent means none.
    #[serde(default)]
    pub arguments: Option<Map<String, Value>>,
}

/// What a call gave: the text a model would have read (redacted, within the output budget) and,
/// when the tool answered in full, the same answer as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallResult {
    pub text: String,
    /// The call was rejected (bad arguments) or the tool failed; `text` says why.
    pub is_error: bool,
    /// The tool's typed answer as a JSON object (an answer that is a list is given as
    /// `{"result": [...]}`, since MCP's structured content is an object). Absent on an error or
    /// when the answer had to be cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured: Option<Map<String, Value>>,
}
