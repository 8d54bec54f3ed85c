"""The official MCP client SDK (PyPI `mcp`, pinned in requirements.txt) against a running
Homelab Assistant: lists the tools, calls each one, checks the refusals (no key, a wrong key, a
foreign Origin) and that every call left its audit line. Run by tests/tests/it/mcp.rs, which starts
the real services (tests/scripts/mcp-client.sh makes the venv).

    client_test.py <mcp url> <key> [--audit <audit.jsonl>] [--hosts local,pi] [--quick]

--hosts: the hosts the assistant has (MONITORING_TARGETS); every tool then takes `host`.
--quick: a list and one call (through the web UI's nginx, where the audit file is elsewhere).
"""

import argparse
import asyncio
import contextlib
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

# The catalog (homelab_schemas::ToolId::ALL), in its order.
# The catalog's tools in its order, as the Rust test that runs this reads them from the catalog
# itself (MCP_CATALOG, by commas), so a new tool needs no edit here. Without it (the quick run
# through nginx) the order is not checked.
CATALOG = [name for name in os.environ.get("MCP_CATALOG", "").split(",") if name]
# Tools that answer on any Linux machine.
ALWAYS = ["get_system_resources", "list_problems", "get_host_info"]
READ_ONLY = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

failures = []


def check(condition, what, detail=""):
    print(("ok - " if condition else "not ok - ") + what + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(what)


def initialize(version):
    return {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}


@contextlib.asynccontextmanager
async def connect(url, key, mode):
    """The SDK's client over Streamable HTTP, with the key as a bearer token (when given)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            yield client


def arguments_for(tool, containers, host=None):
    """Valid arguments for each tool; a container tool gets a real container when there is one."""
    name = containers[0] if containers else "no-such-container"
    arguments = {
        "get_container_details": {"name": name},
        "get_container_logs": {"name": name, "lines": 5},
        "get_history": {"metric": "cpu", "window": "1h"},
    }.get(tool, {})
    if host:
        arguments["host"] = host
    return arguments


async def tools_and_calls(url, key, mode, hosts, calls):
    """Lists and calls every tool with the SDK; `calls` collects (tool, arguments, is_error)."""
    async with connect(url, key, mode) as client:
        revision = {"legacy": "2025-11-25", "auto": "2026-07-28"}[mode]
        check(client.server_info.name == "homelab-assistant" and client.protocol_version == revision,
              f"[{mode}] connected with revision {revision}", client.protocol_version)
        listed = (await client.list_tools()).tools
        names = [t.name for t in listed]
        check((not CATALOG or names == [n for n in CATALOG if n in names]) and set(ALWAYS) <= set(names),
              f"[{mode}] tools/list gives the catalog's tools that can answer, in its order", names)
        check(all(t.annotations.model_dump(by_alias=True, exclude_none=True) == READ_ONLY for t in listed),
              f"[{mode}] every tool is annotated read-only, not destructive, idempotent, closed-world",
              [t.annotations for t in listed])
        check(all(t.input_schema.get("additionalProperties") is False for t in listed),
              f"[{mode}] every input schema is the catalog's bounded one")
        if len(hosts) > 1:
            check(all(t.input_schema["properties"]["host"]["enum"] == hosts for t in listed),
                  f"[{mode}] with several hosts every tool takes host, one of {hosts}")

        containers = []
        if "list_containers" in names:
            result = await client.call_tool("list_containers", {})
            calls.append(("list_containers", {}, result.is_error))
            if not result.is_error and len(hosts) == 1:
                containers = [c["name"] for c in result.structured_content["result"]]
        for tool in names:
            arguments = arguments_for(tool, containers)
            result = await client.call_tool(tool, arguments)
            calls.append((tool, arguments, result.is_error))
            text = result.content[0].text if result.content else ""
            if tool in ALWAYS:
                check(not result.is_error and result.structured_content is not None and json.loads(text),
                      f"[{mode}] {tool} answers text and structured content", text[:200])
            else:
                check(bool(text), f"[{mode}] {tool} answers (error: {result.is_error})", text[:200])

        result = await client.call_tool("get_system_resources", {})
        calls.append(("get_system_resources", {}, result.is_error))
        figures = result.structured_content
        if len(hosts) > 1:
            check([h["host"] for h in figures["hosts"]] == hosts, f"[{mode}] without host every host answers", figures)
            figures = figures["hosts"][0]["result"]
            one = await client.call_tool("get_system_resources", {"host": hosts[1]})
            calls.append(("get_system_resources", {"host": hosts[1]}, one.is_error))
            check([h["host"] for h in one.structured_content["hosts"]] == [hosts[1]],
                  f"[{mode}] host={hosts[1]} asks that host only", one.structured_content)
        check(figures["memory_total_gb"] > 0 and 0 <= figures["cpu_percent"] <= 100 and figures["disk"],
              f"[{mode}] the figures are real: {figures['memory_total_gb']} GB memory, {figures['cpu_percent']} % CPU",
              figures)

        bad = {"name": "../etc", "lines": 500}
        result = await client.call_tool("get_container_logs", bad)
        calls.append(("get_container_logs", bad, result.is_error))
        text = result.content[0].text
        # The first problem is named with its field (the keys are read in order: lines, then name).
        check(result.is_error and "lines: 500 is greater than the maximum of 200" in text,
              f"[{mode}] bad arguments: isError with the reason", text)
        try:
            await client.call_tool("restart_container", {"name": "plex"})
            check(False, f"[{mode}] an unknown tool is refused", "it was answered")
        except MCPError as e:
            check(e.error.code == -32602 and "unknown tool 'restart_container'" in e.error.message,
                  f"[{mode}] an unknown tool is refused with an MCP error ({e.error.code})", e.error)
        calls.append(("restart_container", {"name": "plex"}, True))


async def refusals(url, key):
    async with httpx2.AsyncClient(timeout=30) as http:
        for what, headers, detail in [
            ("no key", {}, "Missing API key"),
            ("a wrong key", {"Authorization": "Bearer not-the-key-000000"}, "Invalid API key"),
        ]:
            r = await http.post(url, headers=HEADERS | headers, json=initialize("2025-11-25"))
            check(r.status_code == 401 and r.headers.get("www-authenticate", "").startswith("Bearer")
                  and r.json() == {"detail": detail},
                  f"{what}: 401, WWW-Authenticate: Bearer, {{\"detail\": \"{detail}\"}}",
                  (r.status_code, r.headers.get("www-authenticate"), r.text))
        r = await http.post(url, headers=HEADERS | {"Authorization": f"Bearer {key}", "Origin": "https://evil.example"},
                            json=initialize("2025-11-25"))
        check(r.status_code == 403 and "CORS_ALLOW_ORIGINS" in r.json()["detail"],
              "a foreign Origin is refused with 403 even with the key", (r.status_code, r.text))
        r = await http.post(url, headers=HEADERS | {"X-API-Key": key}, json=initialize("2025-06-18"))
        check(r.status_code == 200 and r.json()["result"]["protocolVersion"] == "2025-06-18",
              "revision 2025-06-18 is served (X-API-Key)", r.text)
    try:
        async with connect(url, None, "legacy") as client:
            await client.list_tools()
        check(False, "the SDK without the key is refused", "it connected")
    except BaseException as e:  # the SDK raises from its task group
        check("401" in repr(e) or "Unauthorized" in repr(e) or "error response" in repr(e),
              "the SDK without the key is refused", repr(e)[:300])


def audit_lines_match(path, calls):
    lines = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    mcp = [line for line in lines if line.get("source") == "mcp"]
    check(len(mcp) == len(calls), f"one audit line per tools/call, marked source mcp ({len(mcp)})",
          f"{len(mcp)} lines for {len(calls)} calls")
    seen = [(m["tool_invocations"][0]["name"], m["tool_invocations"][0]["arguments"], not m["tool_invocations"][0]["ok"])
            for m in mcp]
    check(seen == [(t, a, e) for t, a, e in calls], "each line has the tool, its arguments and its outcome",
          json.dumps(list(zip(seen, calls)))[:2000])
    check(all(m["outcome"] == ("failed" if e else "answered") for m, (_, _, e) in zip(mcp, calls)),
          "each line's outcome says whether the tool answered")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("--audit")
    parser.add_argument("--hosts", default="local")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    hosts = args.hosts.split(",")
    if args.quick:
        async with connect(args.url, args.key, "legacy") as client:
            names = [t.name for t in (await client.list_tools()).tools]
            check(set(ALWAYS) <= set(names), f"tools/list through {args.url}", names)
            result = await client.call_tool("get_system_resources", {})
            check(result.structured_content["memory_total_gb"] > 0, f"a call through {args.url}", result)
    else:
        calls = []
        # 2025-11-25 through its initialize handshake, then 2026-07-28 found by server/discover.
        for mode in ["legacy", "auto"]:
            await tools_and_calls(args.url, args.key, mode, hosts, calls)
        await refusals(args.url, args.key)
        if args.audit:
            audit_lines_match(args.audit, calls)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
