import { describe, expect, it } from "vitest";
import type { EventItem } from "./api";
import { describeEvent } from "./eventWords";

const loop: EventItem = { at: "2026-12-05T02:53:00+01:00", kind: "died", subject: "sonarr", count: 12, exit_code: 1 };

describe("describeEvent", () => {
  it("says a crash loop's count and exit code", () => {
    expect(describeEvent(loop)).toBe("sonarr died ×12, exit 1");
  });

  it("does not claim a count that reaches past the window for it", () => {
    expect(describeEvent({ ...loop, partly_outside: true })).toBe("sonarr died ×12 (some outside this window), exit 1");
  });
});
