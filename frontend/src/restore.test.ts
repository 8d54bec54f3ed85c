import { describe, expect, it } from "vitest";
import { pinned, restore } from "./restore";

let n = 0;
const next = () => ++n;

describe("a stored conversation comes back", () => {
  it("with its charts, pinned to the time of the answer, and its refusals marked", () => {
    const stored = [
      { role: "user", content: "What was the CPU doing?", created_at: "2026-12-05T10:00:00.000Z" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "prefetch_0", function: { name: "get_history", arguments: '{"metric":"cpu","window":"30m"}' } },
          { id: "prefetch_1", function: { name: "get_system_resources", arguments: "{}" } },
        ],
      },
      { role: "tool", content: "{}" },
      { role: "assistant", content: "It averaged 3%.", tool_calls_made: ["get_history"], created_at: "2026-12-05T10:00:01.000Z" },
      { role: "user", content: "Restart plex", created_at: "2026-12-05T10:01:00.000Z" },
      { role: "assistant", content: "I can't: read-only.", tool_calls_made: [], refused: true, created_at: "2026-12-05T10:01:00.100Z" },
    ];
    const bubbles = restore(stored, next);
    expect(bubbles.map((b) => b.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(bubbles[1].charts).toEqual([
      { metric: "cpu", start: "2026-12-05T09:30:01.000Z", end: "2026-12-05T10:00:01.000Z" },
    ]);
    expect(bubbles[1].refused).toBeUndefined();
    expect(bubbles[3].refused).toBe(true);
    expect(bubbles[3].charts).toBeUndefined();
  });

  it("keeps a chart that already names its span, and one whose window it cannot read", () => {
    expect(pinned({ metric: "disk", start: "2026-12-04T22:00:00+01:00", end: "2026-12-05T06:00:00+01:00" }, "2026-12-05T10:00:00Z"))
      .toEqual({ metric: "disk", start: "2026-12-04T22:00:00+01:00", end: "2026-12-05T06:00:00+01:00" });
    expect(pinned({ metric: "cpu", window: "soon" }, "2026-12-05T10:00:00Z")).toEqual({ metric: "cpu", window: "soon" });
    expect(pinned({ metric: "cpu" }, "2026-12-05T10:00:00Z")).toEqual({
      metric: "cpu",
      start: "2026-12-05T09:00:00.000Z",
      end: "2026-12-05T10:00:00.000Z",
    });
  });

  it("skips an unreadable call rather than failing the whole conversation", () => {
    const bubbles = restore(
      [
        { role: "user", content: "q" },
        { role: "assistant", content: null, tool_calls: [{ function: { name: "get_history", arguments: "{not json" } }] },
        { role: "assistant", content: "a", tool_calls_made: [] },
      ],
      next,
    );
    expect(bubbles[1].charts).toBeUndefined();
  });
});
