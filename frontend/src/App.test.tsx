import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { CONVERSATION_STORAGE, KEY_STORAGE } from "./types";

function respond(status: number, body: unknown, headers: Record<string, string> = {}) {
  // A successful chat answer comes as the event stream /api/chat/stream sends.
  if (status === 200 && body && typeof body === "object" && "tool_calls_made" in body) {
    const b = body as { message: string; tool_calls_made: string[] };
    const events = [
      ...b.tool_calls_made.map((t) => `event: tool_call\ndata: ${JSON.stringify({ name: t, arguments: {} })}\n\n`),
      `event: message\ndata: ${JSON.stringify({ text: b.message })}\n\n`,
      `event: done\ndata: ${JSON.stringify(body)}\n\n`,
    ];
    return new Response(events.join(""), { status, headers: { "Content-Type": "text/event-stream" } });
  }
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

const local = {
  host: "local",
  cpu_percent: 12.4,
  memory_percent: 93.2,
  disk: { path: "/mnt/tank", total_gb: 1000, used_gb: 800, free_gb: 200, percent_used: 80 },
  containers: { running: 5, stopped: 2, total: 7 },
  problems: 1,
  problem_list: [{ severity: "warning", kind: "memory", subject: "memory", reason: "93.2% used" }],
  unavailable: [],
};
let glance: { hosts: unknown[] } = { hosts: [local] };

/** A night on a Berlin host: sonarr crashed and was started again, a filesystem filled up. */
const night = {
  since: "2026-12-04T08:00:00+01:00",
  until: "2026-12-05T08:00:00+01:00",
  timezone: "Europe/Berlin",
  events: [
    { at: "2026-12-05T03:12:00+01:00", kind: "died", subject: "sonarr", exit_code: 1, log_line: "FATAL: <b>database</b> malformed" },
    { at: "2026-12-05T03:12:02+01:00", kind: "started", subject: "sonarr" },
    { at: "2026-12-05T05:10:00+01:00", kind: "filesystem_high", subject: "/mnt/media", percent_used: 92.1 },
  ],
  gaps: [{ from: "2026-12-05T01:00:00+01:00", to: "2026-12-05T01:20:00+01:00", why: "tool-monitoring was not running" }],
  omitted: 0,
};
let happened: unknown = night;

describe("App", () => {
  const fetchMock = vi.fn();
  /** What the conversation list answers; the other calls go to fetchMock. */
  let listed: unknown[] = [];
  const listCalls = vi.fn();
  const statusCalls = vi.fn();
  const eventCalls = vi.fn();
  beforeEach(() => {
    listed = [];
    glance = { hosts: [local] };
    happened = night;
    vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
      if (url === "/api/conversations") {
        listCalls(url, init);
        return Promise.resolve(respond(200, { conversations: listed }));
      }
      if (url === "/api/status") {
        statusCalls(url, init);
        return Promise.resolve(respond(200, glance));
      }
      if (url.startsWith("/api/events")) {
        eventCalls(url, init);
        return Promise.resolve(respond(200, happened));
      }
      return fetchMock(url, init);
    });
  });
  afterEach(() => {
    fetchMock.mockReset();
    listCalls.mockReset();
    statusCalls.mockReset();
    eventCalls.mockReset();
    vi.unstubAllGlobals();
  });

  it("asks for the API key on first use and keeps it in localStorage", async () => {
    render(<App />);
    const input = screen.getByLabelText("API key", { selector: "input" });
    await userEvent.type(input, "secret-key");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(localStorage.getItem(KEY_STORAGE)).toBe("secret-key");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("sends with Enter, shows the answer with tool chips and continues the conversation", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock
      .mockResolvedValueOnce(respond(200, { message: "CPU usage is **12.5%**.", conversation_id: "c-1", tool_calls_made: ["get_system_resources"] }))
      .mockResolvedValueOnce(respond(200, { message: "Memory is fine.", conversation_id: "c-1", tool_calls_made: [] }));
    render(<App />);
    const box = screen.getByLabelText("Message");
    await userEvent.type(box, "What is the CPU usage?{Enter}");
    expect(await screen.findByText("12.5%")).toBeInTheDocument();
    expect(screen.getByText("get_system_resources")).toHaveClass("chip");
    await userEvent.type(box, "And memory?{Enter}");
    await screen.findByText("Memory is fine.");
    expect(JSON.parse(fetchMock.mock.calls[1][1].body).conversation_id).toBe("c-1");
  });

  it("Shift+Enter makes a new line instead of sending", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    render(<App />);
    const box = screen.getByLabelText("Message");
    await userEvent.type(box, "line one{Shift>}{Enter}{/Shift}line two");
    expect(box).toHaveValue("line one\nline two");
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("offers the example questions on an empty chat and sends one when clicked", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock.mockResolvedValueOnce(respond(200, { message: "done", conversation_id: "c", tool_calls_made: [] }));
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Which containers are stopped?" }));
    expect(JSON.parse(fetchMock.mock.calls[0][1].body).message).toBe("Which containers are stopped?");
    await screen.findByText("done");
  });

  it("shows markup in a message as text, never as HTML", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const evil = "<img src=x onerror=alert(1)>";
    fetchMock.mockResolvedValueOnce(respond(200, { message: `echo ${evil}`, conversation_id: "c", tool_calls_made: [] }));
    const { container } = render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), evil + "{Enter}");
    await screen.findByText(evil);
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(container.querySelector("img")).toBeNull();
  });

  it("never loads an image from an answer and shows where links go", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const answer = "Look: ![status](http://192.0.2.1/leak.png?d=secret) and [the docs](http://192.0.2.2/page) [js](javascript:alert(1))";
    fetchMock.mockResolvedValueOnce(respond(200, { message: answer, conversation_id: "c", tool_calls_made: [] }));
    const { container } = render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "hi{Enter}");
    await screen.findByText(/the docs/);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("[data-blocked-image]")).toHaveTextContent("status — http://192.0.2.1/leak.png?d=secret");
    const link = screen.getByRole("link", { name: "the docs" });
    expect(link).toHaveAttribute("rel", "noopener noreferrer nofollow");
    expect(container).toHaveTextContent("the docs (http://192.0.2.2/page)");
    expect(screen.queryByRole("link", { name: "js" })).toBeNull();
  });

  it("marks a refusal as one", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock.mockResolvedValueOnce(
      respond(200, { message: "I can't do that: read-only.", conversation_id: "c", tool_calls_made: [], refused: true }),
    );
    const { container } = render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "Restart plex{Enter}");
    expect(await screen.findByRole("note")).toHaveTextContent("Refused");
    expect(container.querySelector("[data-refused]")).not.toBeNull();
  });

  it("checks the key with the gateway when it is saved", async () => {
    fetchMock.mockResolvedValueOnce(respond(401, { detail: "Invalid API key" }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("API key", { selector: "input" }), "wrong-key");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("dialog")).toHaveTextContent("did not accept");
    expect(localStorage.getItem(KEY_STORAGE)).toBeNull();
    expect(fetchMock.mock.calls[0][0]).toBe("/api/metrics");
    expect(fetchMock.mock.calls[0][1].headers["X-API-Key"]).toBe("wrong-key");
    fetchMock.mockResolvedValueOnce(new Response("# metrics", { status: 200 }));
    const input = screen.getByLabelText("API key", { selector: "input" });
    await userEvent.clear(input);
    await userEvent.type(input, "right-key");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(localStorage.getItem(KEY_STORAGE)).toBe("right-key");
  });

  it("sends a question that failed for a bad key again once the key is fixed", async () => {
    localStorage.setItem(KEY_STORAGE, "old-key");
    fetchMock.mockResolvedValueOnce(respond(401, { detail: "Invalid API key" }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "How much disk is left?{Enter}");
    expect(await screen.findByRole("dialog")).toHaveTextContent("did not accept");
    fetchMock
      .mockResolvedValueOnce(new Response("# metrics", { status: 200 }))
      .mockResolvedValueOnce(respond(200, { message: "42 GB free", conversation_id: "c", tool_calls_made: [] }));
    const input = screen.getByLabelText("API key", { selector: "input" });
    await userEvent.clear(input);
    await userEvent.type(input, "new-key");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("42 GB free")).toBeInTheDocument();
    const resent = fetchMock.mock.calls[2];
    expect(JSON.parse(resent[1].body).message).toBe("How much disk is left?");
    expect(resent[1].headers["X-API-Key"]).toBe("new-key");
    expect(screen.getAllByText("How much disk is left?")).toHaveLength(1);
  });

  it("New chat clears the error and the stopped note", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock.mockResolvedValueOnce(respond(429, { detail: "Rate limit exceeded" }, { "Retry-After": "30" }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "hi{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Retry in 30 s");
    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("asks for the key again after a 401", async () => {
    localStorage.setItem(KEY_STORAGE, "old");
    fetchMock.mockResolvedValueOnce(respond(401, { detail: "Invalid API key" }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "hi{Enter}");
    expect(await screen.findByRole("dialog")).toHaveTextContent("did not accept");
  });

  it("explains a rate limit with the retry time", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock.mockResolvedValueOnce(respond(429, { detail: "Rate limit exceeded" }, { "Retry-After": "30" }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "hi{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("Retry in 30 s");
  });

  it("New chat forgets the conversation", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock
      .mockResolvedValueOnce(respond(200, { message: "first", conversation_id: "c-9", tool_calls_made: [] }))
      .mockResolvedValueOnce(respond(200, { message: "second", conversation_id: "c-10", tool_calls_made: [] }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "hi{Enter}");
    await screen.findByText("first");
    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect(screen.queryByText("first")).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Message"), "again{Enter}");
    await screen.findByText("second");
    expect(JSON.parse(fetchMock.mock.calls[1][1].body).conversation_id).toBeNull();
  });

  it("restores the current conversation after a reload", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    localStorage.setItem(CONVERSATION_STORAGE, "c-42");
    fetchMock.mockResolvedValueOnce(
      respond(200, {
        conversation_id: "c-42",
        messages: [
          { role: "user", content: "How much disk is left?" },
          { role: "assistant", content: null, tool_calls: [{ id: "x" }] },
          { role: "tool", content: "{}" },
          { role: "assistant", content: "60 GB free on /.", tool_calls_made: ["get_system_resources"] },
        ],
      }),
    );
    render(<App />);
    expect(await screen.findByText("60 GB free on /.")).toBeInTheDocument();
    expect(screen.getByText("How much disk is left?")).toBeInTheDocument();
    expect(fetchMock.mock.calls[0][0]).toBe("/api/conversations/c-42");
    fetchMock.mockResolvedValueOnce(respond(200, { message: "ok", conversation_id: "c-42", tool_calls_made: [] }));
    await userEvent.type(screen.getByLabelText("Message"), "and memory?{Enter}");
    await screen.findByText("ok");
    expect(JSON.parse(fetchMock.mock.calls[1][1].body).conversation_id).toBe("c-42");
  });

  it("shows streamed text in a busy bubble until the answer is complete", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const encoder = new TextEncoder();
    let push: (text: string) => void = () => {};
    let finish: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(encoder.encode(text));
        finish = () => controller.close();
      },
    });
    fetchMock.mockResolvedValueOnce(new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "What is the CPU usage?{Enter}");
    push(`event: tool_call\ndata: ${JSON.stringify({ name: "get_system_resources", arguments: {} })}\n\n`);
    push(`event: token\ndata: ${JSON.stringify({ text: "CPU is " })}\n\n`);
    const partial = await screen.findByText("CPU is");
    expect(partial.closest("[data-role=assistant]")).toHaveAttribute("aria-busy", "true");
    const done = { message: "CPU is 7%.", conversation_id: "c-9", tool_calls_made: ["get_system_resources"] };
    push(`event: done\ndata: ${JSON.stringify(done)}\n\n`);
    finish();
    const complete = await screen.findByText("CPU is 7%.");
    expect(complete.closest("[data-role=assistant]")).not.toHaveAttribute("aria-busy");
    expect(document.querySelectorAll("[data-live]")).toHaveLength(0);
  });

  it("Stop cancels the answer being worked on", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock.mockImplementationOnce(
      (_url: string, init: RequestInit) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        }),
    );
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "What is the CPU usage?{Enter}");
    await userEvent.click(await screen.findByRole("button", { name: "Stop" }));
    expect(await screen.findByText(/Stopped/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
    expect((fetchMock.mock.calls[0][1] as RequestInit).signal?.aborted).toBe(true);
  });

  it("lists past conversations, opens one and forgets one", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    listed = [
      { conversation_id: "c-2", title: "Which containers are stopped?", last_active_at: "2026-11-24T10:00:00Z", message_count: 1 },
      { conversation_id: "c-1", title: "How much disk space is left?", last_active_at: "2026-11-23T10:00:00Z", message_count: 1 },
    ];
    fetchMock.mockImplementation((url: string, init?: RequestInit) => {
      if (url === "/api/conversations/c-1" && init?.method === "DELETE") {
        return Promise.resolve(respond(200, { conversation_id: "c-1", deleted: true }));
      }
      return Promise.resolve(
        respond(200, {
          conversation_id: "c-2",
          messages: [
            { role: "user", content: "Which containers are stopped?", created_at: "2026-11-24T10:00:00Z" },
            { role: "assistant", content: "None are stopped.", tool_calls_made: ["list_containers"], created_at: "2026-11-24T10:00:01Z" },
          ],
        }),
      );
    });
    render(<App />);
    const nav = await screen.findByRole("navigation", { name: "Past conversations" });
    const titles = await waitFor(() => {
      const items = nav.querySelectorAll(".title");
      expect(items).toHaveLength(2);
      return [...items].map((t) => t.textContent);
    });
    expect(titles).toEqual(["Which containers are stopped?", "How much disk space is left?"]);
    await userEvent.click(within(nav).getByRole("button", { name: /^Which containers are stopped\?/ }));
    expect(await screen.findByText("None are stopped.")).toBeInTheDocument();
    expect(localStorage.getItem(CONVERSATION_STORAGE)).toBe("c-2");
    expect(within(nav).getByRole("button", { name: /^Which containers are stopped\?/ })).toHaveAttribute("aria-current", "true");
    listed = listed.slice(0, 1);
    await userEvent.click(screen.getByRole("button", { name: "Delete conversation: How much disk space is left?" }));
    await waitFor(() => expect(nav.querySelectorAll(".title")).toHaveLength(1));
    expect(fetchMock).toHaveBeenCalledWith("/api/conversations/c-1", expect.objectContaining({ method: "DELETE" }));
  });

  it("offers Retry after a failure and asks the same question again in its place", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    fetchMock
      .mockResolvedValueOnce(respond(502, { detail: "LLM service unavailable" }))
      .mockResolvedValueOnce(respond(200, { message: "CPU usage is 3%.", conversation_id: "c", tool_calls_made: [] }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "What is the CPU usage?{Enter}");
    await userEvent.click(await screen.findByRole("button", { name: /Retry/ }));
    expect(await screen.findByText("CPU usage is 3%.")).toBeInTheDocument();
    expect(screen.getAllByText("What is the CPU usage?")).toHaveLength(1);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows what an answer cost, discreetly, when the provider counted it", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const usage = { prompt_tokens: 800, completion_tokens: 12, llm_calls: 1 };
    fetchMock.mockResolvedValueOnce(respond(200, { message: "CPU usage is 3%.", conversation_id: "c", tool_calls_made: [], usage }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "CPU?{Enter}");
    const cost = await screen.findByText("812 tokens");
    expect(cost).toHaveAttribute("title", "800 prompt + 12 answer tokens, 1 LLM call(s)");
  });

  it("says how long an answer waited for a local model busy with another question", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const usage = { prompt_tokens: 800, completion_tokens: 12, llm_calls: 1, queued_ms: 41_200 };
    fetchMock.mockResolvedValueOnce(respond(200, { message: "CPU usage is 3%.", conversation_id: "c", tool_calls_made: [], usage }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "CPU?{Enter}");
    const cost = await screen.findByText("812 tokens");
    expect(cost).toHaveAttribute("title", "800 prompt + 12 answer tokens, 1 LLM call(s), waited 41 s for the local model");
  });

  it("keeps line breaks and tables, and gives each answer a time and a copy button", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const answer = "Line one\nLine two\n\n| pool | state |\n|---|---|\n| tank | ONLINE |";
    fetchMock.mockResolvedValueOnce(respond(200, { message: answer, conversation_id: "c", tool_calls_made: [] }));
    const { container } = render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "Pools?{Enter}");
    await screen.findByText("ONLINE");
    const bubble = container.querySelector('[data-role="assistant"]')!;
    expect(bubble.querySelector("br")).not.toBeNull();
    expect(bubble.querySelector("table td")?.textContent).toBe("tank");
    expect(bubble.querySelector("time")?.getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    await userEvent.click(screen.getByRole("button", { name: "Copy answer" }));
    expect(writeText).toHaveBeenCalledWith(answer);
    expect(await screen.findByRole("button", { name: "Copied" })).toBeInTheDocument();
  });

  it("says who speaks, and the conversation log is there before the first message", () => {
    localStorage.setItem(KEY_STORAGE, "k");
    render(<App />);
    expect(screen.getByRole("log", { name: "Conversation" })).toBeInTheDocument();
    expect(screen.getByRole("main")).toBeInTheDocument();
    expect(screen.getByRole("banner")).toBeInTheDocument();
    expect(screen.getByRole("contentinfo")).toBeInTheDocument();
    expect(screen.getByText("Enter to send · Shift+Enter for a new line")).toBeInTheDocument();
  });

  it("closes the key dialog with Escape only when a key exists", async () => {
    render(<App />);
    const dialog = screen.getByRole("dialog");
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel" })).not.toBeInTheDocument();
  });

  it("Escape closes the settings dialog and the message box gets the focus back", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Settings: change API key" }));
    screen.getByRole("dialog").dispatchEvent(new Event("cancel", { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByLabelText("Message")).toHaveFocus());
  });

  it("shows the homelab at a glance with the saved key, and not before a key is saved", async () => {
    render(<App />);
    expect(screen.queryByRole("region", { name: "The homelab at a glance" })).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("API key", { selector: "input" }), "secret-key");
    fetchMock.mockResolvedValueOnce(new Response("# metrics", { status: 200 }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const strip = await screen.findByRole("region", { name: "The homelab at a glance" });
    expect(statusCalls.mock.calls[0][1].headers["X-API-Key"]).toBe("secret-key");
    expect(strip).toHaveTextContent("5 running · 2 stopped");
    expect(strip).toHaveTextContent("1 problem");
    expect(screen.getByRole("meter", { name: "Memory 93%" })).toHaveAttribute("value", "93.2");
    expect(screen.getByRole("meter", { name: "Disk 80%" })).toBeInTheDocument();
  });

  it("names each host in the strip when there are several, and says which did not answer", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const silent = { host: "attic", cpu_percent: null, memory_percent: null, disk: null, containers: null, problems: null, problem_list: [], unavailable: ["the system resources: no answer within 8 s"] };
    glance = { hosts: [local, { ...local, host: "pi", containers: null }, silent] };
    render(<App />);
    const pi = await screen.findByRole("group", { name: "Host pi" });
    expect(pi).toHaveTextContent("Containers –");
    expect(screen.getByRole("meter", { name: "pi: CPU 12%" })).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Host attic" })).toHaveTextContent("attic (no answer)");
    expect(screen.getByRole("group", { name: "Host local" })).toHaveTextContent("5 running · 2 stopped");
  });

  it("lists the last 24 hours under the status strip, newest first, in the host's time", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    render(<App />);
    const summary = await screen.findByText(/^Last 24 h:/);
    const list = summary.closest("details")!;
    expect(list).toHaveAttribute("open");
    expect(eventCalls.mock.calls[0][0]).toBe("/api/events?window=24h");
    expect(eventCalls.mock.calls[0][1].headers["X-API-Key"]).toBe("k");
    expect(list).toHaveTextContent("3 events, 2 went wrong (not all watched)");
    const items = within(list).getAllByRole("listitem");
    expect(items.map((i) => i.textContent)).toEqual([
      "05:10/mnt/media reached 92 % used",
      "03:12sonarr started",
      "03:12sonarr died, exit 1FATAL: <b>database</b> malformed",
      "01:00–01:20not watched (tool-monitoring was not running): unknown, not quiet",
    ]);
    expect(items[2]).toHaveClass("trouble");
    expect(list.querySelector("b")).toBeNull();
  });

  it("folds the list away on a phone, and says a quiet day in words", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    vi.stubGlobal("matchMedia", (query: string) => ({ matches: query.includes("max-width"), media: query, addEventListener() {}, removeEventListener() {} }));
    happened = { ...night, events: [], gaps: [] };
    render(<App />);
    const summary = await screen.findByText(/^Last 24 h:/);
    expect(summary.closest("details")).not.toHaveAttribute("open");
    expect(summary).toHaveTextContent("Last 24 h: quiet");
    await userEvent.click(summary);
    expect(await screen.findByText(/Nothing happened/)).toBeVisible();
  });

  it("draws the events an answer looked at as a timeline under it", async () => {
    localStorage.setItem(KEY_STORAGE, "k");
    const stream =
      'event: tool_call\ndata: {"name":"get_events","arguments":{"since":"2026-12-04T20:00:00+01:00","until":"2026-12-05T08:00:00+01:00"}}\n\n' +
      'event: done\ndata: {"message":"Last night: **sonarr** crashed.","conversation_id":"c-9","tool_calls_made":["get_events"]}\n\n';
    fetchMock.mockResolvedValueOnce(new Response(stream, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), "What happened last night?{Enter}");
    const timeline = await screen.findByRole("figure");
    expect(timeline).toHaveTextContent("Timeline");
    expect(within(timeline).getAllByRole("listitem")[0]).toHaveTextContent("01:00–01:20not watched");
    expect(within(timeline).getAllByRole("listitem")[1]).toHaveTextContent("03:12sonarr died, exit 1");
    const asked = eventCalls.mock.calls.map((c) => c[0]).find((u: string) => u.includes("since="));
    expect(asked).toBe("/api/events?since=2026-12-04T20%3A00%3A00%2B01%3A00&until=2026-12-05T08%3A00%3A00%2B01%3A00");
  });
});
