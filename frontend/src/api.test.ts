import { describe, expect, it, vi } from "vitest";
import { ApiError, describeError, getHistory, historyQuery, loadConversation, sendChat, streamChat } from "./api";
import { refreshEvery } from "./StatusStrip";

function reply(status: number, body: unknown, headers: Record<string, string> = {}) {
  return vi.fn().mockResolvedValue(
    new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } }),
  );
}

describe("sendChat", () => {
  it("posts the message, conversation id and key to the relative /api/chat", async () => {
    const fetchMock = reply(200, { message: "ok", conversation_id: "c1", tool_calls_made: [] });
    const result = await sendChat("hi", "c0", "k", fetchMock);
    expect(result.conversation_id).toBe("c1");
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe("/api/chat");
    expect(init.method).toBe("POST");
    expect(init.headers["X-API-Key"]).toBe("k");
    // The browser's time zone goes along, so times in the answer are the reader's.
    const body = JSON.parse(init.body);
    expect(body).toEqual({ message: "hi", conversation_id: "c0", time_zone: body.time_zone });
    expect(body.time_zone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it("turns error statuses into ApiError with the detail and Retry-After", async () => {
    const err = await sendChat("hi", null, "k", reply(429, { detail: "Rate limit exceeded" }, { "Retry-After": "7" })).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(429);
    expect(err.detail).toBe("Rate limit exceeded");
    expect(err.retryAfter).toBe(7);
  });

  it("reports an unreachable gateway as status 0", async () => {
    const err = await sendChat("hi", null, "k", vi.fn().mockRejectedValue(new TypeError("fetch failed"))).catch((e) => e);
    expect(err.status).toBe(0);
  });
});

describe("loadConversation", () => {
  it("says the gateway's own detail when a conversation is gone, not the bare status text", async () => {
    const err = await loadConversation("c-gone", "k", reply(404, { detail: "Conversation not found" })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(err.detail).toBe("Conversation not found");
  });

  it("returns the stored messages", async () => {
    const messages = [{ role: "user", content: "hi" }];
    const fetchMock = reply(200, { conversation_id: "c1", messages });
    expect(await loadConversation("c1", "k", fetchMock)).toEqual(messages);
    expect(fetchMock.mock.calls[0][0]).toBe("/api/conversations/c1");
  });
});

describe("describeError", () => {
  it("says in plain words which part is down", () => {
    expect(describeError(new ApiError(401, "Invalid API key"))).toMatch(/enter it again/);
    expect(describeError(new ApiError(429, "x", 12))).toBe("Slow down: too many requests. Retry in 12 s.");
    expect(describeError(new ApiError(502, "LLM service unavailable"))).toMatch(/language model/);
    expect(describeError(new ApiError(502, "Backend service unavailable"))).toMatch(/backend is down/);
    expect(describeError(new ApiError(504, "Backend service timed out"))).toMatch(/too long/);
    expect(describeError(new ApiError(0, "x"))).toMatch(/Cannot reach/);
  });
});

describe("a model that is not set up", () => {
  it("is said as something to set, naming the variable, whether it came as a 503 or a stream event", () => {
    const detail = "LLM provider not configured: set GROQ_API_KEY for LLM_PROVIDER=groq, or LLM_PROVIDER=builtin for the offline model";
    for (const status of [503, 502]) {
      const said = describeError(new ApiError(status, detail));
      expect(said).toBe(
        "No language model is set up: set GROQ_API_KEY for LLM_PROVIDER=groq, or LLM_PROVIDER=builtin for the offline model, then restart the assistant.",
      );
      expect(said).not.toMatch(/down|unavailable/);
    }
    expect(describeError(new ApiError(503, "LLM provider not configured"))).toMatch(/^No language model is set up: set the selected provider's API key/);
  });
});

describe("streamChat", () => {
  it("reports tools and tokens as they arrive and resolves with the final answer", async () => {
    const body =
      'event: tool_call\ndata: {"name":"list_containers","arguments":{}}\n\n' +
      'event: tool_result\ndata: {"name":"list_containers","ok":true}\n\n' +
      'event: token\ndata: {"text":"Two "}\n\n' +
      'event: token\ndata: {"text":"stopped."}\n\n' +
      'event: message\ndata: {"text":"Two stopped."}\n\n' +
      'event: done\ndata: {"message":"Two stopped.","conversation_id":"c","tool_calls_made":["list_containers"]}\n\n';
    const fetchMock = vi.fn().mockResolvedValue(new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    const seen: string[] = [];
    const result = await streamChat("q", null, "k", {
      onToolCall: (n) => seen.push(`call ${n}`),
      onToolResult: (n, ok) => seen.push(`result ${n} ${ok}`),
      onToken: (t) => seen.push(`token ${t}`),
    }, undefined, fetchMock);
    expect(seen).toEqual(["call list_containers", "result list_containers true", "token Two ", "token stopped."]);
    expect(result.tool_calls_made).toEqual(["list_containers"]);
    expect(fetchMock.mock.calls[0][0]).toBe("/api/chat/stream");
  });

  it("turns an error event into an ApiError with its detail", async () => {
    const body = 'event: error\ndata: {"detail":"LLM service unavailable"}\n\n';
    const fetchMock = vi.fn().mockResolvedValue(new Response(body, { status: 200 }));
    const err = await streamChat("q", null, "k", {}, undefined, fetchMock).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.detail).toBe("LLM service unavailable");
  });

  it("keeps a character split across two chunks whole and reads CRLF line endings", async () => {
    const wire = new TextEncoder().encode(
      'event: token\r\ndata: {"text":"Température 41 °C"}\r\n\r\n' +
        'event: done\r\ndata: {"message":"Température 41 °C","conversation_id":"c","tool_calls_made":[]}\r\n\r\n',
    );
    const cut = wire.indexOf(0xc3) + 1; // inside the two bytes of "é"
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(wire.slice(0, cut));
        controller.enqueue(wire.slice(cut));
        controller.close();
      },
    });
    const fetchMock = vi.fn().mockResolvedValue(new Response(stream, { status: 200 }));
    const tokens: string[] = [];
    const result = await streamChat("q", null, "k", { onToken: (t) => tokens.push(t) }, undefined, fetchMock);
    expect(tokens).toEqual(["Température 41 °C"]);
    expect(result.message).toBe("Température 41 °C");
  });
});

describe("history charts", () => {
  it("takes the chart's query from a get_history call and nothing else", () => {
    expect(historyQuery("get_history", { metric: "cpu", window: "12h" })).toEqual({ metric: "cpu", window: "12h" });
    expect(historyQuery("get_history", { metric: "container_cpu", name: "plex" })).toEqual({ metric: "container_cpu", name: "plex" });
    expect(historyQuery("get_system_resources", { metric: "cpu" })).toBeNull();
    expect(historyQuery("get_history", { window: "1h" })).toBeNull();
    expect(historyQuery("get_history", "cpu")).toBeNull();
  });

  it("asks the gateway for the same history with the key", async () => {
    const fetchImpl = vi.fn().mockResolvedValue(new Response(JSON.stringify({ metric: "cpu", series: [] }), { status: 200 }));
    await getHistory({ metric: "container_memory", window: "6h", name: "plex" }, "k", fetchImpl);
    expect(fetchImpl.mock.calls[0][0]).toBe("/api/history?metric=container_memory&window=6h&name=plex");
    expect(fetchImpl.mock.calls[0][1].headers["X-API-Key"]).toBe("k");
  });

  it("refreshes the status every 15 s unless ?refresh= says otherwise (never under 2 s)", () => {
    expect(refreshEvery("")).toBe(15000);
    expect(refreshEvery("?refresh=5")).toBe(5000);
    expect(refreshEvery("?refresh=0.5")).toBe(15000);
  });
});
