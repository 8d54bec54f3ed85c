import { useEffect, useRef } from "react";

/** Calls `load(key)` now and then every `every` ms while the tab is shown: not at all while it is
 *  hidden, and at once when it is shown again. Nothing while `key` (the API key) is empty. The
 *  newest `load` is the one called, so it may close over the component's state setters freely. */
export function usePolling(key: string, every: number, load: (key: string) => Promise<void>): void {
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    if (!key) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const tick = async () => {
      clearTimeout(timer);
      if (document.hidden) return;
      try {
        await loadRef.current(key);
      } catch {
        // A load says its own failures (the strip shows "unavailable"); one that throws does
        // not end the polling.
      }
      if (!stopped && !document.hidden) timer = setTimeout(tick, every);
    };
    const onVisibility = () => {
      if (document.hidden) clearTimeout(timer);
      else void tick();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [key, every]);
}
