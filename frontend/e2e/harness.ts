// What the browser tests share: Debian's Chromium started the way this closed network needs, the
// `ok - …` / `FAILED - …` checks, the closing count, and a few measurements of the page.
import { chromium, type Browser, type Locator } from "playwright-core";

/** Headless Chromium, without the background connections a closed network refuses. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

let passed = 0;
let failed = 0;

/** Runs one named check; a thrown error fails it and the others still run. */
export async function check(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Closes the browser, prints "N passed, M failed" and exits non-zero on any failure. */
export async function finish(browser: Browser): Promise<never> {
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** Where `locator` is drawn; it fails when it is not (hidden or detached). */
export async function boxOf(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await locator.boundingBox();
  assert(box, `not drawn: ${locator}`);
  return box;
}

/** Pixels a canvas has drawn (not transparent). */
export function drawnPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}
