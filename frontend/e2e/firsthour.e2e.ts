// Browser end-to-end test of the page's first-hour edges, at desktop and phone widths: the
// problems' list opens by tap and keyboard, a chart under a new answer is scrolled into view and
// comes back after a reload, a refusal stays marked after a reload, a model without its key is
// said as something to set, no icon depends on an emoji font, and one time convention (the
// browser's zone, 24-hour) in the page and in the builtin model's answers.
//   npx tsc -p e2e && node e2e/build/firsthour.e2e.js <ui-url> <api-key> <output-dir>
import { mkdirSync } from "node:fs";
import type { BrowserContextOptions, Locator, Page } from "playwright-core";
import { assert, boxOf, check, drawnPixels, finish, launch } from "./harness.ts";

const [url, apiKey, outDir = "test-output/browser"] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const browser = await launch();

// Far from UTC and from the host's zone, so that a time said in the wrong one shows.
const ZONE = "Asia/Tokyo";
const SIZES: [label: string, options: BrowserContextOptions][] = [
  ["desktop", { viewport: { width: 1100, height: 700 } }],
  ["phone", { viewport: { width: 390, height: 700 }, hasTouch: true, isMobile: true }],
];

/** A page with the key saved, in the browser zone `ZONE`. */
async function keyedPage(options: BrowserContextOptions) {
  const context = await browser.newContext({ ...options, timezoneId: ZONE });
  await context.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
  const page = await context.newPage();
  return { context, page };
}

const finished = (page: Page) => page.locator('[data-role="assistant"]:not([data-live])');

async function ask(page: Page, question: string): Promise<Locator> {
  const before = await finished(page).count();
  await page.getByLabel("Message").fill(question);
  await page.keyboard.press("Enter");
  const answer = finished(page).nth(before);
  await answer.waitFor({ timeout: 20000 });
  return answer;
}

/** Whether `locator` is wholly inside the conversation's visible area (under the header and the
 *  status strip, above the composer). */
async function inView(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const chat = await page.locator("main.chat").boundingBox();
  return box !== null && chat !== null && box.y >= chat.y - 1 && box.y + box.height <= chat.y + chat.height + 1;
}

for (const [label, options] of SIZES) {
  await check(`${label}: the problems open as a list by tap or click and by keyboard, and say so to screen readers`, async () => {
    const { context, page } = await keyedPage(options);
    // The real status, with three problems added (this machine may have none to show).
    await page.route("**/api/status", async (route) => {
      const glance = await (await route.fetch()).json();
      glance.hosts[0].problems = 3;
      glance.hosts[0].problem_list = [
        { severity: "critical", kind: "container", subject: "plex", reason: "unhealthy" },
        { severity: "warning", kind: "filesystem", subject: "/mnt/tank", reason: "93% full" },
        { severity: "warning", kind: "memory", subject: "memory", reason: "91.0% used" },
      ];
      await route.fulfill({ json: glance });
    });
    await page.goto(url);
    // Its name says what a press does: show the list, then hide it.
    const button = page.getByRole("button", { name: /^3 problems: (show|hide) the list$/ });
    await button.waitFor({ timeout: 10000 });
    assert((await button.getAttribute("aria-label"))?.endsWith("show the list"), "not offering to show at first");
    assert((await button.getAttribute("aria-expanded")) === "false", "not collapsed at first");
    const list = page.getByRole("list", { name: "problems" });
    assert(!(await list.isVisible()), "the list shows before it is asked for");
    if (options.hasTouch) await button.tap();
    else await button.click();
    await list.waitFor({ timeout: 5000 });
    assert((await button.getAttribute("aria-expanded")) === "true", "aria-expanded does not say open");
    const items = await list.getByRole("listitem").allInnerTexts();
    assert(items.length === 3 && items[0].includes("plex") && items[0].includes("unhealthy"), `items: ${items}`);
    assert((await inView(page, list).catch(() => false)) || (await boxOf(list)).y >= 0, "the list is off screen");
    await page.screenshot({ path: `${outDir}/problems-${label}.png` });
    // Keyboard: Escape closes it, Enter opens it again.
    await button.focus();
    await page.keyboard.press("Escape");
    assert(!(await list.isVisible()), "Escape does not close the list");
    await page.keyboard.press("Enter");
    await list.waitFor({ timeout: 5000 });
    await context.close();
  });

  await check(`${label}: a new answer with a chart is scrolled into view, and the chart comes back after a reload`, async () => {
    const { context, page } = await keyedPage(options);
    await page.goto(url);
    // Enough before it that the answer lands below the fold.
    await ask(page, "Give me a full system health report");
    await ask(page, "What containers are running?");
    const answer = await ask(page, "What was the CPU doing in the last 10 minutes?");
    const chart = answer.locator("figure.history-chart");
    const canvas = chart.locator("canvas");
    await canvas.waitFor({ timeout: 15000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${outDir}/chart-in-view-${label}.png` });
    assert(await inView(page, chart), `the chart is not in view: ${JSON.stringify(await chart.boundingBox())} in ${JSON.stringify(await page.locator("main.chat").boundingBox())}`);
    await page.screenshot({ path: `${outDir}/chart-in-view-${label}.png` });

    // The recent events above the conversation come back after the chart is drawn (as they may
    // on a slow host), so the view shrinks under a restored conversation: it must still end on
    // the chart.
    let releaseEvents = () => {};
    const eventsHeld = new Promise<void>((resolve) => (releaseEvents = resolve));
    await page.route("**/api/events*", async (route) => {
      await eventsHeld;
      await route.continue();
    });
    await page.reload();
    const restored = finished(page).last().locator("figure.history-chart canvas");
    await restored.waitFor({ timeout: 15000 });
    await page.waitForTimeout(500);
    releaseEvents();
    await page.locator(".recent-events summary").waitFor({ timeout: 10000 });
    await page.waitForTimeout(500);
    const below = await page.evaluate(() => {
      const chat = document.querySelector("main.chat")!;
      // What is under the end of the last answer: the view's own bottom padding, nothing more.
      return chat.scrollHeight - chat.scrollTop - chat.clientHeight - parseFloat(getComputedStyle(chat).paddingBottom);
    });
    assert(below <= 2, `the conversation no longer ends at its last answer: ${below} px below the view`);
    assert((await drawnPixels(restored)) > 200, "the restored chart is not drawn");
    const caption = await finished(page).last().locator("figure.history-chart figcaption").first().innerText();
    assert(caption.startsWith("CPU use, "), `caption: ${caption}`);
    assert(await inView(page, finished(page).last().locator("figure.history-chart")), "the restored chart is out of view");
    await context.close();
  });

  await check(`${label}: a refusal stays marked after a reload, with an icon that needs no emoji font`, async () => {
    const { context, page } = await keyedPage(options);
    await page.goto(url);
    await page.getByRole("button", { name: "New chat" }).click();
    const refusal = await ask(page, "Restart the plex container");
    assert((await refusal.getAttribute("data-refused")) !== null, "not marked as a refusal");
    await page.reload();
    const again = page.locator('[data-role="assistant"][data-refused]');
    await again.first().waitFor({ timeout: 10000 });
    const mark = again.first().locator(".refusal-mark");
    assert((await mark.innerText()).includes("Refused"), "the mark's words are gone");
    assert((await mark.locator("svg").count()) === 1, "the mark has no drawn icon");
    // No character that needs an emoji font anywhere on the page (⛔, ⚙ and the like).
    const pictographs = await page.evaluate(() => (document.body.innerText.match(/\p{Extended_Pictographic}/gu) ?? []).join(" "));
    assert(pictographs === "", `emoji on the page: ${pictographs}`);
    await context.close();
  });

  await check(`${label}: one time convention: the browser's zone on a 24-hour clock, in the page and in the answer`, async () => {
    const { context, page } = await keyedPage(options);
    await page.goto(url);
    await page.getByRole("button", { name: "New chat" }).click();
    const answer = await ask(page, "What was the memory doing in the last 10 minutes?");
    const text = await answer.locator(".markdown").innerText();
    // `since recording began at 07:15 JST`: the browser's zone, said by the builtin model.
    const said = /since recording began at (\d\d:\d\d) ([A-Z]+)/.exec(text);
    assert(said && said[2] === "JST", `not in the browser's zone: ${text}`);
    const stamp = await answer.locator(".meta time").innerText();
    assert(/^\d\d:\d\d$/.test(stamp), `the answer's time is not on a 24-hour clock: ${stamp}`);
    const datetime = await answer.locator(".meta time").getAttribute("datetime");
    assert(datetime, "the answer's time has no datetime");
    const expected = await page.evaluate(
      (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      datetime,
    );
    assert(stamp === expected, `${stamp} is not the browser's local time ${expected}`);
    // The chart's caption says what is recorded once its own read of the history is in (until
    // then it says what was asked); a chart that could not be read says why.
    const chart = answer.locator('figure.history-chart[data-metric="memory"]');
    const settled = chart.locator("figcaption", { hasText: "since recording began" });
    await settled.waitFor({ timeout: 10000 }).catch(async () => {
      throw new Error(`the chart never said what is recorded: ${await chart.innerText()}`);
    });
    const caption = await settled.innerText();
    assert(caption.includes(`since recording began at ${said[1]}`), `the chart says another time than the answer: ${caption} / ${said[0]}`);
    await context.close();
  });

  await check(`${label}: a model without its key is said as a variable to set, and leaves no empty conversation`, async () => {
    const { context, page } = await keyedPage(options);
    const detail = "LLM provider not configured: set GROQ_API_KEY for LLM_PROVIDER=groq, or LLM_PROVIDER=builtin for the offline model";
    await page.route("**/api/chat/stream", (route) => route.fulfill({ status: 503, json: { detail } }));
    await page.goto(url);
    await page.getByRole("button", { name: "New chat" }).click();
    await page.getByLabel("Message").fill("How much disk space is left?");
    await page.keyboard.press("Enter");
    const alert = page.getByRole("alert");
    await alert.waitFor({ timeout: 10000 });
    const said = await alert.innerText();
    assert(said.includes("set GROQ_API_KEY") && !/down|unavailable/i.test(said), `said: ${said}`);
    await page.unroute("**/api/chat/stream");
    await page.reload();
    const titles = await page.locator('nav[aria-label="Past conversations"] .title').allInnerTexts();
    assert(!titles.includes("(no question)"), `an empty conversation is listed: ${titles}`);
    await context.close();
  });
}

await finish(browser);
