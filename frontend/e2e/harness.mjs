// What the browser tests share: Debian's Chromium started the way this closed network needs, the
// `ok - …` / `FAILED - …` checks, and the closing count.
import { chromium } from "playwright-core";

/** Headless Chromium, without the background connections a closed network refuses. */
export function launch() {
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
export async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAILED - ${name}: ${e.message}`);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Closes the browser, prints "N passed, M failed" and exits non-zero on any failure. */
export async function finish(browser) {
  await browser.close();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
