import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { Thinking } from "./Thinking";
import { KEY_STORAGE } from "./types";

/** A chat stream the test writes to, event by event; it fails as a browser's would when the page
 *  aborts the request (Stop). */
function openStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    respond(init?: RequestInit) {
      init?.signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      return Promise.resolve(new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }));
    },
    send(event: string, data: unknown) {
      act(() => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)));
    },
    close() {
      controller.close();
    },
  };
}

function json(body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }));
}

/** Seconds pass: the page's clock and its interval timers move, nothing else. */
function wait(ms: number) {
  act(() => vi.advanceTimersByTime(ms));
}

/** No interval is left running. React removes an effect's interval just after the page shows the
 *  change (in its passive-effects pass), which can come after a `findBy…` has already seen it. */
async function noTimerLeft() {
  await vi.waitFor(() => expect(vi.getTimerCount()).toBe(0));
}

/** The thinking line: its name is what the assistant does, its text adds the seconds. */
function thinking() {
  return screen.queryByRole("status", { name: /^(Thinking|Reading)/ });
}

describe("the thinking state", () => {
  let stream: ReturnType<typeof openStream>;
  beforeEach(() => {
    // Only the clock and intervals are faked: the page's other timers, the stream and the
    // testing library's waits run as they do for real.
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    localStorage.setItem(KEY_STORAGE, "k");
    stream = openStream();
    vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
      if (url === "/api/chat/stream") return stream.respond(init);
      if (url === "/api/conversations") return json({ conversations: [] });
      if (url === "/api/status") return json({ hosts: [] });
      return json({ since: "", until: "", timezone: "UTC", events: [], gaps: [], omitted: 0 });
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  async function ask(question: string) {
    render(<App />);
    await userEvent.type(screen.getByLabelText("Message"), `${question}{Enter}`);
    return screen.findByRole("status", { name: "Thinking…" });
  }

  it("counts the seconds since the question, says which tool it reads, and goes when the text comes", async () => {
    const line = await ask("What is the CPU usage?");
    expect(line).toHaveTextContent("Thinking… 0 s");
    expect(line.closest(".bubble.assistant")).not.toBeNull();
    wait(12_000);
    expect(line).toHaveTextContent("Thinking… 12 s");
    // One timer, however often the page draws itself again.
    expect(vi.getTimerCount()).toBe(1);

    stream.send("tool_call", { name: "get_system_resources", arguments: {} });
    const reading = await screen.findByRole("status", { name: "Reading get_system_resources…" });
    expect(reading).toHaveTextContent("Reading get_system_resources… 12 s");
    expect(screen.getByText("get_system_resources")).toHaveClass("chip");
    stream.send("tool_result", { name: "get_system_resources", ok: true });
    await screen.findByRole("status", { name: "Thinking…" });
    wait(63_000);
    expect(thinking()).toHaveTextContent("Thinking… 1 min 15 s");
    // The seconds are for the eye: a screen reader is told what the assistant does, once.
    expect(thinking()!.querySelector(".elapsed")).toHaveAttribute("aria-hidden", "true");
    expect(vi.getTimerCount()).toBe(1);

    // Blank lines a model sends first are not words yet (seen once the event after them is).
    stream.send("token", { text: "\n\n" });
    stream.send("tool_call", { name: "get_processes", arguments: {} });
    expect(await screen.findByRole("status", { name: "Reading get_processes…" })).toHaveTextContent("1 min 15 s");
    expect(document.querySelector("[data-live]")).toBeNull();
    stream.send("tool_result", { name: "get_processes", ok: true });
    await screen.findByRole("status", { name: "Thinking…" });

    stream.send("token", { text: "CPU is " });
    const words = await screen.findByText("CPU is");
    expect(thinking()).toBeNull();
    expect(document.querySelector("[data-thinking]")).toBeNull();
    await noTimerLeft();
    // The tools read stay with the answer being written.
    expect(words.closest("[data-live]")).toHaveTextContent("get_system_resourcesget_processes");

    stream.send("done", { message: "CPU is 7%.", conversation_id: "c-1", tool_calls_made: ["get_system_resources"] });
    stream.close();
    await screen.findByText("CPU is 7%.");
    await noTimerLeft();
  });

  it("says how many tools it reads when several run at once", async () => {
    await ask("Give me a full system health report");
    stream.send("tool_call", { name: "get_system_resources", arguments: {} });
    stream.send("tool_call", { name: "list_containers", arguments: {} });
    await screen.findByRole("status", { name: "Reading 2 tools…" });
    stream.send("tool_result", { name: "get_system_resources", ok: true });
    await screen.findByRole("status", { name: "Reading list_containers…" });
    stream.send("tool_result", { name: "list_containers", ok: false });
    await screen.findByRole("status", { name: "Thinking…" });
  });

  it("Stop while thinking ends it and its timer, and the page can ask again", async () => {
    await ask("What is the CPU usage?");
    wait(5_000);
    expect(thinking()).toHaveTextContent("5 s");
    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    expect(await screen.findByText(/Stopped/)).toBeInTheDocument();
    expect(thinking()).toBeNull();
    await noTimerLeft();
    wait(10_000);
    expect(screen.queryByText(/\d+ s$/)).toBeNull();
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
  });

  it("a failed answer ends it and its timer", async () => {
    await ask("What is the CPU usage?");
    wait(3_000);
    stream.send("error", { detail: "LLM service unavailable" });
    expect(await screen.findByRole("alert")).toHaveTextContent("language model is unavailable");
    expect(thinking()).toBeNull();
    await noTimerLeft();
  });

  it("leaves no timer behind when the page goes", () => {
    const { unmount } = render(<Thinking since={Date.now()} tools={[]} reading={[]} />);
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
