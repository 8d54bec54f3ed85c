// Browser test of the page with several hosts (MONITORING_TARGETS): the local host, `pi` (an agent
// without Docker) and `attic` (named, but nothing answers there). Debian's Chromium, playwright-core.
//   npx tsc -p e2e && node e2e/build/fleet.e2e.js <ui-url> <api-key> <output-dir>
import { mkdirSync } from "node:fs";
import type { Locator, Page, ViewportSize } from "playwright-core";
import { assert, boxOf, check, finish, launch } from "./harness.ts";

const [url, apiKey, outDir = "test-output/browser"] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });

const browser = await launch();

/** A tab with the key already saved, at `viewport`. */
async function keyedTab(viewport: ViewportSize) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
  const tab = await context.newPage();
  await tab.goto(url);
  return { context, tab };
}

/** Sends `question` and gives the answer's bubble once it is there. */
async function ask(tab: Page, question: string): Promise<Locator> {
  const answers = tab.locator('[data-role="assistant"]:not([data-live])');
  const before = await answers.count();
  await tab.getByLabel("Message").fill(question);
  await tab.keyboard.press("Enter");
  const answer = answers.nth(before);
  await answer.waitFor({ timeout: 20000 });
  return answer;
}

const desktop = await keyedTab({ width: 1100, height: 800 });
const strip = desktop.tab.getByRole("region", { name: "The homelab at a glance" });

await check("the status strip has a row per host, each with its own gauges", async () => {
  await strip.waitFor({ timeout: 15000 });
  for (const host of ["local", "pi"]) {
    const row = strip.getByRole("group", { name: `Host ${host}` });
    await row.waitFor({ timeout: 15000 });
    assert((await row.innerText()).includes(host), `the ${host} row does not name it`);
    const cpu = row.getByRole("meter", { name: new RegExp(`^${host}: CPU \\d+%$|^CPU \\d+%$`) });
    const value = Number(await cpu.getAttribute("value"));
    assert(value >= 0 && value <= 100, `${host}: CPU meter reads ${value}`);
  }
});

await check("a host that does not answer is one short line that says so, with the reason on hover", async () => {
  const row = strip.getByRole("group", { name: "Host attic" });
  await row.waitFor({ timeout: 15000 });
  const text = (await row.innerText()).replace(/\s+/g, " ").trim();
  assert(text === "attic (no answer)", `the attic row reads: ${text}`);
  assert((await row.getByRole("meter").count()) === 0, "a silent host shows meters");
  const why = await row.locator("[title]").first().getAttribute("title");
  assert(why && why.length > 5, `no reason on hover: ${why}`);
});

await check("an answer names each host, and says which did not answer", async () => {
  const answer = await ask(desktop.tab, "How much disk space is left?");
  const text = await answer.innerText();
  assert(/On local/i.test(text) && /On pi/i.test(text), `hosts not named in: ${text}`);
  assert(/attic/.test(text) && /did not answer|unreachable|could not/i.test(text), `attic not reported in: ${text}`);
});

await check("a question naming a host is answered for that host alone", async () => {
  const answer = await ask(desktop.tab, "What is the CPU usage on the pi?");
  const text = await answer.innerText();
  assert(/\d+(\.\d+)?%/.test(text), `no figure in: ${text}`);
  assert(!/On local|attic/i.test(text), `other hosts in: ${text}`);
});

await check("a chart of several hosts draws and labels a series per host", async () => {
  const answer = await ask(desktop.tab, "How was the memory over the last 10 minutes?");
  const chart = answer.locator("figure.history-chart");
  await chart.locator("canvas").waitFor({ timeout: 15000 });
  await desktop.tab.waitForTimeout(300);
  const legend = (await chart.locator(".u-legend").innerText()).replace(/\s+/g, " ");
  assert(legend.includes("(local)") && legend.includes("(pi)"), `legend: ${legend}`);
  // Just started, so a point or two: the time axis still spans about what was asked, not years.
  const span = Number(await chart.locator(".chart-box").getAttribute("data-span"));
  assert(span >= 60 && span <= 600, `the time axis spans ${span} s`);
  // Hovering shows each host's value at that time (or a dash where that host has none).
  const errors: string[] = [];
  desktop.tab.on("pageerror", (e) => errors.push(e.message));
  const over = await boxOf(chart.locator(".u-over"));
  await desktop.tab.mouse.move(over.x + over.width - 2, over.y + over.height / 2);
  await desktop.tab.waitForTimeout(200);
  const hovered = (await chart.locator(".u-legend").innerText()).replace(/\s+/g, " ");
  assert(/\d(\.\d+)? %/.test(hovered) && errors.length === 0, `legend on hover: ${hovered}; errors: ${errors}`);
  await chart.screenshot({ path: `${outDir}/fleet-chart.png` });
  await desktop.tab.screenshot({ path: `${outDir}/fleet-desktop.png` });
});
await desktop.context.close();

await check("phone, 390 px: three hosts' rows and the chart fit the screen", async () => {
  const { context, tab } = await keyedTab({ width: 390, height: 844 });
  const phoneStrip = tab.getByRole("region", { name: "The homelab at a glance" });
  await phoneStrip.getByRole("group", { name: "Host attic" }).waitFor({ timeout: 15000 });
  await phoneStrip.getByRole("group", { name: "Host pi" }).waitFor({ timeout: 15000 });
  const answer = await ask(tab, "How was the CPU over the last 10 minutes?");
  await answer.locator("figure.history-chart canvas").waitFor({ timeout: 15000 });
  await tab.waitForTimeout(300);
  const width = await tab.evaluate(() => document.documentElement.scrollWidth);
  assert(width <= 390, `page is ${width}px wide`);
  const box = await boxOf(phoneStrip);
  assert(box.height < 200, `the strip takes ${box.height}px of 844`);
  await tab.screenshot({ path: `${outDir}/fleet-phone.png` });
  await context.close();
});

await finish(browser);
