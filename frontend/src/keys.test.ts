import { describe, expect, it } from "vitest";
import { withKeys } from "./keys";

describe("list keys", () => {
  it("name each item by its own words, and number the copies so no two are the same", () => {
    const keys = withKeys(["get_history", "list_containers", "get_history", "get_history"], (t) => t).map((k) => k.key);
    expect(keys).toEqual(["get_history", "list_containers", "get_history#2", "get_history#3"]);
  });

  it("follow the item, not its place, when the list is reversed", () => {
    const events = [{ at: "03:12", subject: "sonarr" }, { at: "05:10", subject: "/mnt/media" }];
    const keyOf = (e: { at: string; subject: string }) => `${e.at} ${e.subject}`;
    const forward = withKeys(events, keyOf);
    const backward = withKeys([...events].reverse(), keyOf);
    expect(backward.find((k) => k.item === events[0])?.key).toBe(forward[0].key);
  });
});
