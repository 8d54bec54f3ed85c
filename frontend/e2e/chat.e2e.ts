// Browser end-to-end test: Debian's Chromium, driven by playwright-core, against the built UI
// served by nginx in front of the real four services on the builtin model.
//   npx tsc -p e2e && node e2e/build/chat.e2e.js <ui-url> <api-key> <output-dir>
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Locator, Page, ViewportSize } from "playwright-core";
import type { AxeResults } from "axe-core";
import { assert, boxOf, check, drawnPixels, finish, launch } from "./harness.ts";

declare global {
  interface Window {
    /** axe-core, once its source has been evaluated in the page. */
    axe: { run: (context: Document) => Promise<AxeResults> };
  }
}

/** Two sizes a check is repeated at. */
type Sizes = [label: string, viewport: ViewportSize][];

const [url, apiKey, outDir = "test-output/browser"] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });

const browser = await launch();

const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
// A finished answer; the bubble that fills in while a chat streams carries data-live.
const answers = () => page.locator('[data-role="assistant"]:not([data-live])');
let alerted = false;
page.on("dialog", async (d) => {
  alerted = true;
  await d.dismiss();
});

await check("the key dialog is a real modal: focus stays in it, Escape cannot dismiss it without a key", async () => {
  await page.goto(url);
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  // Tab moves among the dialog's controls and the browser's own (where the page sees <body>),
  // never to the page behind it.
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const where = await page.evaluate(() => {
      const a = document.activeElement;
      return !a || a === document.body || a.closest("dialog") ? "ok" : a.outerHTML.slice(0, 80);
    });
    assert(where === "ok", `Tab ${i + 1} reached the page behind the dialog: ${where}`);
  }
  await page.keyboard.press("Escape");
  assert(await dialog.isVisible(), "Escape closed the dialog although there is no key");
  // The page behind is inert: the message box can be neither focused nor typed into.
  await page.evaluate(() => document.getElementById("message")?.focus());
  assert(await page.evaluate(() => document.activeElement?.id !== "message"), "the message box took the focus");
  assert(await page.evaluate(() => document.querySelector("dialog:modal") !== null), "the dialog is not modal");
});

await check("the key prompt comes first and the key is saved", async () => {
  await page.getByLabel("API key", { exact: true }).fill(apiKey);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByLabel("Message").waitFor();
  await page.waitForFunction(() => document.activeElement?.id === "message", null, { timeout: 5000 });
});

await check("a CPU question is answered with a percentage and the tool chip", async () => {
  await page.getByLabel("Message").fill("What is the current CPU usage?");
  await page.keyboard.press("Enter");
  const answer = answers().first();
  await answer.waitFor({ timeout: 15000 });
  const text = await answer.innerText();
  assert(/\d+(\.\d+)?%/.test(text), `no percentage in: ${text}`);
  assert(await answer.locator(".chip", { hasText: "get_system_resources" }).isVisible(), "no tool chip");
  await page.screenshot({ path: `${outDir}/answered-chat.png`, fullPage: true });
});

await check("a reloaded page restores the conversation", async () => {
  await page.reload();
  const answer = answers().first();
  await answer.waitFor({ timeout: 10000 });
  assert(/\d+(\.\d+)?%/.test(await answer.innerText()), "the earlier answer is back");
});

await check("markup in a message is shown as text", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  await page.getByLabel("Message").fill(evil);
  await page.keyboard.press("Enter");
  await page.locator('[data-role="user"]', { hasText: evil }).waitFor();
  await answers().nth(1).waitFor({ timeout: 15000 });
  assert((await page.locator(".bubble img").count()) === 0, "an <img> element was created");
  assert(!alerted, "a script ran");
});

await check("a request to change something is answered as a marked refusal", async () => {
  await page.getByLabel("Message").fill("Restart the plex container");
  await page.keyboard.press("Enter");
  const refusal = page.locator('[data-role="assistant"][data-refused]:not([data-live])').last();
  await refusal.waitFor({ timeout: 15000 });
  const text = await refusal.innerText();
  assert(text.includes("Refused") && text.includes("read-only"), `not marked: ${text}`);
});

await check("a wrong key is refused when it is saved", async () => {
  await page.getByRole("button", { name: /Settings/ }).click();
  await page.getByLabel("API key", { exact: true }).fill("wrong-key-0123456789");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("dialog").getByText("did not accept").waitFor({ timeout: 10000 });
  await page.getByLabel("API key", { exact: true }).fill(apiKey);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("dialog").waitFor({ state: "detached", timeout: 10000 });
});

await check("a question refused for a bad key is answered once the key is fixed", async () => {
  // The key changed on the server side: the stored one no longer works.
  await page.evaluate(() => localStorage.setItem("homelab-assistant.api-key", "stale-key-0123456789"));
  await page.reload();
  const before = await answers().count();
  await page.getByLabel("Message").fill("How much memory is being used?");
  await page.keyboard.press("Enter");
  await page.getByRole("dialog").getByText("did not accept").waitFor({ timeout: 10000 });
  await page.getByLabel("API key", { exact: true }).fill(apiKey);
  await page.getByRole("button", { name: "Save" }).click();
  await answers().nth(before).waitFor({ timeout: 15000 });
  const asked = await page.locator('[data-role="user"]', { hasText: "How much memory is being used?" }).count();
  assert(asked === 1, `the question shows ${asked} times`);
  assert((await answers().nth(before).innerText()).toLowerCase().includes("memory"), "not the memory answer");
});

await check("the chat fits a phone-sized screen", async () => {
  const phone = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await phone.goto(url);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 375, `page is ${width}px wide`);
  await phone.screenshot({ path: `${outDir}/phone.png` });
  await phone.close();
});

await check("the API docs at /docs show the gateway's OpenAPI document", async () => {
  const docs = await browser.newPage();
  await docs.goto(new URL("/docs", url).href);
  assert(docs.url() === new URL("/docs/", url).href, `redirected to ${docs.url()}`);
  await docs.getByText("/chat/stream").first().waitFor({ timeout: 15000 });
  await docs.getByText("/conversations/{id}").first().waitFor();
  await docs.close();
});

await check("an answer with an image or link to another host sends no request there", async () => {
  // A listener on loopback stands for any other host: a LAN device or a collector of leaked data.
  const hits: string[] = [];
  const listener = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "image/png" });
    res.end();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const target = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  const leak = `Health check output: ![status](${target}/leak.png?d=secret) and [details](${target}/page)`;
  const tab = await browser.newPage();
  const violations: string[] = [];
  tab.on("console", (m) => m.text().includes("Content Security Policy") && violations.push(m.text()));
  await tab.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
  // The answer comes from the server as usual; only its text is the attacker's.
  await tab.route("**/api/chat/stream", (route) =>
    route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/event-stream" },
      body:
        `event: message\ndata: ${JSON.stringify({ text: leak })}\n\n` +
        `event: done\ndata: ${JSON.stringify({ message: leak, conversation_id: "leak-test", tool_calls_made: [] })}\n\n`,
    }),
  );
  await tab.goto(url);
  await tab.getByLabel("Message").fill("Is the web container healthy?");
  await tab.keyboard.press("Enter");
  await tab.locator('[data-role="assistant"]:not([data-live])').last().waitFor({ timeout: 10000 });
  // The browser would fetch a rendered image at once; give it time to try, and a CSP-blocked
  // image injected directly must not reach the listener either.
  await tab.evaluate((src) => {
    const img = document.createElement("img");
    img.src = src;
    document.body.appendChild(img);
  }, `${target}/injected.png`);
  await tab.waitForTimeout(1000);
  const text = await tab.locator('[data-role="assistant"]').last().innerText();
  await tab.close();
  await new Promise((resolve) => listener.close(resolve));
  assert(hits.length === 0, `the browser requested ${hits.join(", ")}`);
  assert(text.includes(`${target}/leak.png?d=secret`), `the image address is not shown as text: ${text}`);
  assert(text.includes(`(${target}/page)`), `the link target is not shown: ${text}`);
  assert(violations.length > 0, "the injected image was not stopped by the Content-Security-Policy");
});

const longSizes: Sizes = [["desktop", { width: 1100, height: 700 }], ["phone", { width: 375, height: 667 }]];
for (const [label, viewport] of longSizes) {
  await check(`${label}: in a long conversation an error stays in view, and New chat clears it`, async () => {
    const tab = await browser.newPage({ viewport });
    await tab.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
    let calls = 0;
    await tab.route("**/api/chat/stream", (route) => {
      calls++;
      if (calls > 6) {
        return route.fulfill({ status: 429, headers: { "Content-Type": "application/json", "Retry-After": "30" },
          body: JSON.stringify({ detail: "Rate limit exceeded. Max 60 requests per 60 seconds" }) });
      }
      const text = `Answer ${calls}:\n\n` + Array.from({ length: 12 }, (_, i) => `- line ${i + 1}`).join("\n");
      const done = { message: text, conversation_id: "long-test", tool_calls_made: [] };
      return route.fulfill({ status: 200, headers: { "Content-Type": "text/event-stream" },
        body: `event: message\ndata: ${JSON.stringify({ text })}\n\nevent: done\ndata: ${JSON.stringify(done)}\n\n` });
    });
    await tab.goto(url);
    for (let i = 1; i <= 7; i++) {
      await tab.getByLabel("Message").fill(`question ${i}`);
      await tab.keyboard.press("Enter");
      if (i <= 6) await tab.locator('[data-role="assistant"]:not([data-live])').nth(i - 1).waitFor({ timeout: 10000 });
    }
    const alert = tab.getByRole("alert");
    await alert.waitFor({ timeout: 10000 });
    const box = await boxOf(alert);
    const composer = await boxOf(tab.getByLabel("Message"));
    assert(box.y >= 0 && box.y + box.height <= viewport.height, `the error is out of view: ${JSON.stringify(box)}`);
    assert(box.y + box.height <= composer.y + 1, "the error is drawn behind the composer");
    assert((await alert.innerText()).includes("Retry in 30 s"), "no retry time");
    await tab.screenshot({ path: `${outDir}/long-conversation-error-${label}.png` });
    await tab.getByRole("button", { name: "New chat", exact: true }).click();
    assert((await tab.getByRole("alert").count()) === 0, "the error carried over into a new chat");
    await tab.close();
  });
}

await check("Escape closes the settings dialog and the focus goes back to the message box", async () => {
  await page.getByRole("button", { name: /Settings/ }).click();
  await page.getByRole("dialog").waitFor();
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "detached", timeout: 5000 });
  await page.waitForFunction(() => document.activeElement?.id === "message", null, { timeout: 5000 });
});

await check("past conversations are listed, opened and deleted", async () => {
  await page.getByRole("button", { name: "New chat" }).click();
  await page.getByLabel("Message").fill("How much disk space is left?");
  await page.keyboard.press("Enter");
  await answers().first().waitFor({ timeout: 15000 });
  const nav = page.getByRole("navigation", { name: "Past conversations" });
  const disk = nav.getByRole("button", { name: /^How much disk space is left\?/ });
  await disk.first().waitFor({ timeout: 10000 });
  const listed = await disk.count();
  const older = nav.getByRole("button", { name: /^What is the current CPU usage\?/ }).first();
  await older.click();
  await page.locator('[data-role="user"]', { hasText: "What is the current CPU usage?" }).first().waitFor({ timeout: 10000 });
  assert((await page.locator('[data-role="user"]', { hasText: "How much disk space" }).count()) === 0, "did not switch");
  // Counted before the click: the list can refresh before a count taken after it.
  const before = await nav.locator(".title").count();
  await nav.getByRole("button", { name: "Delete conversation: How much disk space is left?" }).first().click();
  await page.waitForFunction(
    (n) => document.querySelectorAll('nav[aria-label="Past conversations"] .title').length < n,
    before,
    { timeout: 10000 },
  );
  assert((await disk.count()) === listed - 1, "the conversation was not deleted");
});

await check("phone: past conversations open from the ☰ panel", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const tab = await context.newPage();
  await tab.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
  await tab.goto(url);
  const nav = tab.getByRole("navigation", { name: "Past conversations" });
  assert(!(await nav.isVisible()), "the list takes the phone's screen before it is asked for");
  const toggle = tab.getByRole("button", { name: "Past conversations" });
  await toggle.click();
  assert((await toggle.getAttribute("aria-expanded")) === "true", "the toggle does not say it is open");
  await nav.getByRole("button", { name: /^What is the current CPU usage\?/ }).first().click();
  await tab.locator('[data-role="user"]', { hasText: "What is the current CPU usage?" }).first().waitFor({ timeout: 10000 });
  assert(!(await nav.isVisible()), "the panel stays over the conversation");
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 390, `page is ${width}px wide`);
  await tab.screenshot({ path: `${outDir}/phone-history.png` });
  await context.close();
});

await check("the message box grows with its text", async () => {
  const box = page.getByLabel("Message");
  const before = (await boxOf(box)).height;
  await box.fill("one\ntwo\nthree\nfour");
  const after = (await boxOf(box)).height;
  assert(after > before * 1.8, `height ${before} → ${after}`);
  await box.fill("");
});

/** A new tab that already has the key saved (as after the first visit), at `viewport`. */
async function keyedTab(viewport: ViewportSize, search = "") {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
  const tab = await context.newPage();
  await tab.goto(new URL(search, url).toString());
  return { context, tab };
}

await check("the status strip shows CPU, memory and disk gauges, containers and problems", async () => {
  const strip = page.getByRole("region", { name: "The homelab at a glance" });
  await strip.waitFor({ timeout: 10000 });
  for (const name of ["CPU", "Memory", "Disk"]) {
    const meter = strip.getByRole("meter", { name: new RegExp(`^${name} \\d+%$`) });
    const value = Number(await meter.getAttribute("value"));
    assert(value >= 0 && value <= 100, `${name} meter reads ${value}`);
  }
  const text = ((await strip.textContent()) ?? "").replace(/\s+/g, " ");
  assert(/\d+ running · \d+ stopped/.test(text), `no container counts in: ${text}`);
  assert(/no problems|\d+ problems?/i.test(text), `no problem count in: ${text}`);
});

await check("the status strip refreshes itself, and not while the tab is hidden", async () => {
  const { context, tab } = await keyedTab({ width: 1100, height: 800 }, "/?refresh=2");
  let asked = 0;
  tab.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/status") asked++;
  });
  await tab.getByRole("region", { name: "The homelab at a glance" }).waitFor({ timeout: 10000 });
  await tab.waitForTimeout(4500);
  assert(asked >= 2, `asked ${asked} times in 4.5 s at a 2 s refresh`);
  const visibility = (hidden: boolean) =>
    tab.evaluate((h) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => h });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (h ? "hidden" : "visible") });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await visibility(true);
  await tab.waitForTimeout(300);
  const whileHidden = asked;
  await tab.waitForTimeout(5000);
  assert(asked === whileHidden, `asked ${asked - whileHidden} times while hidden`);
  await visibility(false);
  await tab.waitForTimeout(1000);
  assert(asked === whileHidden + 1, `shown again: asked ${asked - whileHidden} times in 1 s, expected once at once`);
  await context.close();
});

await check("a question about the past is answered in words with a chart drawn under it", async () => {
  const before = await answers().count();
  await page.getByLabel("Message").fill("What was the CPU doing in the last 10 minutes?");
  await page.keyboard.press("Enter");
  const answer = answers().nth(before);
  await answer.waitFor({ timeout: 15000 });
  const text = await answer.innerText();
  assert(/averaged \d+(\.\d+)?%/.test(text), `no figures in: ${text}`);
  const chart = answer.locator("figure.history-chart");
  await chart.waitFor({ timeout: 10000 });
  // The canvas is drawn once the figures are in; until then the caption says what was asked.
  const canvas = chart.locator("canvas");
  await canvas.waitFor({ timeout: 10000 });
  // A fresh stack has recorded seconds, not ten minutes: the caption says what is recorded.
  const caption = await chart.locator("figcaption").innerText();
  assert(
    /^CPU use, the last (10 minutes|\d+ (second|minute)s?, since recording began at \d\d:\d\d )/.test(caption),
    `caption: ${caption}`,
  );
  await page.waitForTimeout(300);
  const drawn = await drawnPixels(canvas);
  assert(drawn > 200, `the chart's canvas has ${drawn} drawn pixels`);
  const span = Number(await chart.locator(".chart-box").getAttribute("data-span"));
  assert(span >= 60 && span <= 600, `a 10-minute chart's time axis spans ${span} s`);
  await chart.screenshot({ path: `${outDir}/history-chart.png` });
});

await check("phone, 390 px: the status strip and a chart fit the screen", async () => {
  const { context, tab } = await keyedTab({ width: 390, height: 844 });
  const strip = tab.getByRole("region", { name: "The homelab at a glance" });
  await strip.waitFor({ timeout: 10000 });
  await tab.getByLabel("Message").fill("How did memory change over the last 10 minutes?");
  await tab.keyboard.press("Enter");
  const canvas = tab.locator("figure.history-chart canvas");
  await canvas.waitFor({ timeout: 15000 });
  await tab.waitForTimeout(300);
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 390, `page is ${width}px wide`);
  const box = await boxOf(canvas);
  assert(box.x >= 0 && box.x + box.width <= 390, `chart spans ${box.x}..${box.x + box.width}`);
  const stripBox = await boxOf(strip);
  assert(stripBox.height < 80, `the strip takes ${stripBox.height}px`);
  assert((await drawnPixels(canvas)) > 200, "the chart is drawn");
  await tab.screenshot({ path: `${outDir}/phone-history.png`, fullPage: true });
  await context.close();
});

// What happened. When the product watches a Docker engine (DOCKER_HOST, with the engine
// fixture's busybox image), a container crashes now and must be named, with its exit code and
// last log line, in the list under the status strip and in the timeline under an answer; without
// one, the list and the answer are still there and say what is recorded.
const crashImage = process.env.E2E_CRASH_IMAGE || "homelab-fixture-busybox:latest";
let crashed: string | null = null;
if (process.env.DOCKER_HOST) {
  try {
    execFileSync("docker", ["image", "inspect", crashImage], { stdio: "ignore" });
    crashed = `homelab-e2e-crash-${process.pid}`;
    execFileSync("docker", ["run", "-d", "--name", crashed, crashImage, "sh", "-c", "echo 'FATAL: e2e database malformed' >&2; exit 5"], { stdio: "ignore" });
  } catch {
    crashed = null;
  }
}
console.log(crashed ? `# a container crashed for the events checks: ${crashed}` : "# no Docker engine: the events checks see what the host recorded");

/** The list under the status strip, once it names the crash (reloading until it does). */
async function recentEvents(tab: Page): Promise<Locator> {
  const list = tab.locator("details.recent-events");
  for (let i = 0; i < 30; i++) {
    await list.waitFor({ timeout: 10000 });
    if (!crashed || (await list.innerText()).includes(crashed)) return list;
    await tab.waitForTimeout(1000);
    await tab.reload();
  }
  throw new Error(`the list never named ${crashed}: ${await list.innerText()}`);
}

const eventSizes: Sizes = [["desktop", { width: 1100, height: 800 }], ["phone", { width: 375, height: 700 }]];
for (const [label, viewport] of eventSizes) {
  await check(`${label}: the last 24 h are listed under the status strip, and an answer about what happened draws its timeline`, async () => {
    const { context, tab } = await keyedTab(viewport);
    const list = await recentEvents(tab);
    const summary = list.locator("summary");
    assert(/^Last 24 h: /.test(await summary.innerText()), `summary: ${await summary.innerText()}`);
    const open = await list.evaluate((d: HTMLDetailsElement) => d.open);
    assert(open === (label === "desktop"), `${label}: the list is ${open ? "open" : "folded"}`);
    if (!open) await summary.click();
    if (crashed) {
      const item = list.locator("li", { hasText: crashed }).filter({ hasText: "died" });
      const text = await item.innerText();
      assert(text.includes("exit 5") && text.includes("FATAL: e2e database malformed"), `the crash: ${text}`);
      assert(await item.evaluate((li) => li.classList.contains("trouble")), "the crash is not marked as trouble");
    }
    await tab.getByLabel("Message").fill("What happened in the last hour?");
    await tab.keyboard.press("Enter");
    const answer = tab.locator('[data-role="assistant"]:not([data-live])').last();
    await answer.waitFor({ timeout: 15000 });
    // Without the label screen readers hear first ("Assistant:").
    const said = (await answer.innerText()).replace(/^Assistant:\s*/, "");
    assert(await answer.locator(".chip", { hasText: "get_events" }).isVisible(), `no get_events chip: ${said}`);
    if (crashed) {
      for (const part of [crashed, "crashed", "exit code 5", "last log line: FATAL: e2e database malformed"]) {
        assert(said.includes(part), `the answer lacks "${part}": ${said}`);
      }
      const timeline = answer.locator("figure.events-answer");
      await timeline.waitFor({ timeout: 10000 });
      assert((await timeline.locator("li", { hasText: crashed }).count()) >= 2, "the timeline lacks the crash");
    } else {
      assert(/^(Nothing happened in the last hour|No events are recorded in the last hour|In the last hour: )/.test(said), `the answer: ${said}`);
    }
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= viewport.width, `page is ${width}px wide`);
    await tab.screenshot({ path: `${outDir}/events-${label}.png`, fullPage: true });
    await context.close();
  });
}
if (crashed) execFileSync("docker", ["rm", "-f", crashed], { stdio: "ignore" });

// axe-core checks the app's own page in both colour schemes at both sizes, with an answer shown.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const axeSizes: Sizes = [["desktop", { width: 1100, height: 800 }], ["phone", { width: 390, height: 844 }]];
for (const [label, viewport] of axeSizes) {
  for (const colorScheme of ["light", "dark"] as const) {
    await check(`${label}, ${colorScheme}: no axe violations on the chat page, the key dialog included`, async () => {
      // The page's CSP rightly refuses injected scripts; this context lets axe in.
      const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
      const tab = await context.newPage();
      await tab.goto(url);
      await tab.getByRole("dialog").waitFor();
      await tab.evaluate(axeSource);
      const onDialog = await tab.evaluate(async () => (await window.axe.run(document)).violations);
      await tab.getByLabel("API key", { exact: true }).fill(apiKey);
      await tab.getByRole("button", { name: "Save" }).click();
      // The key is checked with the gateway first; until the dialog has gone, nothing is sent.
      await tab.getByRole("dialog").waitFor({ state: "detached", timeout: 10000 });
      await tab.getByLabel("Message").fill("Give me a full system health report");
      await tab.keyboard.press("Enter");
      await tab.locator('[data-role="assistant"]:not([data-live])').first().waitFor({ timeout: 15000 });
      // An answer with a chart, and the status strip, are checked too.
      await tab.getByLabel("Message").fill("How busy was the CPU over the last 10 minutes?");
      await tab.keyboard.press("Enter");
      await tab.locator("figure.history-chart canvas").first().waitFor({ timeout: 15000 });
      const onChat = await tab.evaluate(async () => (await window.axe.run(document)).violations);
      await tab.screenshot({ path: `${outDir}/axe-${label}-${colorScheme}.png` });
      await context.close();
      const found = [...onDialog, ...onChat].map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      assert(found.length === 0, found.join("; "));
    });
  }
}

await check("compressed answers say Vary, and Swagger UI's versioned files are cached for good", async () => {
  const html = await (await fetch(new URL("/", url))).text();
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert(script, "no script in index.html");
  const asset = await fetch(new URL(script, url), { headers: { "Accept-Encoding": "gzip" } });
  assert((asset.headers.get("vary") ?? "").includes("Accept-Encoding"), `Vary: ${asset.headers.get("vary")}`);
  const docs = await (await fetch(new URL("/docs/", url))).text();
  const bundle = /src="(swagger-ui-bundle\.[0-9.]+\.js)"/.exec(docs)?.[1];
  assert(bundle, "the docs page does not load a versioned bundle");
  const cached = await fetch(new URL(`/docs/${bundle}`, url));
  assert(cached.ok, `${bundle}: ${cached.status}`);
  assert((cached.headers.get("cache-control") ?? "").includes("immutable"), `Cache-Control: ${cached.headers.get("cache-control")}`);
  const manifest = await fetch(new URL("/manifest.webmanifest", url));
  assert(manifest.ok && ((await manifest.json()) as { name?: string }).name === "Homelab Assistant", "no web app manifest");
  assert((await fetch(new URL("/favicon.svg", url))).ok, "no favicon");
});

await check("every response of the web UI carries the security headers", async () => {
  for (const path of ["/", "/index.html", "/docs/", "/api/health"]) {
    const response = await fetch(new URL(path, url));
    const csp = response.headers.get("content-security-policy") ?? "";
    assert(csp.includes("default-src 'self'") && csp.includes("frame-ancestors 'none'") && csp.includes("base-uri 'none'"), `${path}: CSP ${csp}`);
    assert(response.headers.get("x-content-type-options") === "nosniff", `${path}: no nosniff`);
    assert(response.headers.get("referrer-policy") === "no-referrer", `${path}: no Referrer-Policy`);
  }
});

await finish(browser);
