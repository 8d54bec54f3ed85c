import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePolling } from "./usePolling";

/** Says whether the tab is hidden, and tells the page it changed. */
function setHidden(hidden: boolean) {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("usePolling", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setHidden(false);
  });
  afterEach(() => {
    vi.useRealTimers();
    setHidden(false);
  });

  it("asks at once and then every interval, not while the tab is hidden, and at once when it is shown", async () => {
    const load = vi.fn<(key: string) => Promise<void>>(async () => {});
    const { unmount } = renderHook(() => usePolling("k", 1000, load));
    await act(async () => {});
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenLastCalledWith("k");
    await act(async () => vi.advanceTimersByTimeAsync(2500));
    expect(load).toHaveBeenCalledTimes(3);

    await act(async () => setHidden(true));
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(load).toHaveBeenCalledTimes(3);

    await act(async () => setHidden(false));
    expect(load).toHaveBeenCalledTimes(4);
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    expect(load).toHaveBeenCalledTimes(5);

    unmount();
    await act(async () => vi.advanceTimersByTimeAsync(10_000));
    expect(load).toHaveBeenCalledTimes(5);
  });

  it("goes on asking after a load that throws", async () => {
    const load = vi.fn<(key: string) => Promise<void>>(async () => {
      throw new Error("offline");
    });
    renderHook(() => usePolling("k", 1000, load));
    await act(async () => vi.advanceTimersByTimeAsync(2500));
    expect(load).toHaveBeenCalledTimes(3);
  });

  it("asks nothing without a key", async () => {
    const load = vi.fn<(key: string) => Promise<void>>(async () => {});
    renderHook(() => usePolling("", 1000, load));
    await act(async () => vi.advanceTimersByTimeAsync(5000));
    expect(load).not.toHaveBeenCalled();
  });
});
