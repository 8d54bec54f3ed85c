// The README's picture of the page: Debian's Chromium, driven by playwright-core, against a
// running product (make run), with a short conversation on the builtin model.
//   npx tsc -p e2e && node e2e/build/screenshot.js <ui-url> <api-key> <out.png>
import { launch } from "./harness.ts";

const [url, apiKey, out = "../docs/screenshot.png"] = process.argv.slice(2);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1000, height: 620 }, colorScheme: "light" });
await context.addInitScript((key) => localStorage.setItem("homelab-assistant.api-key", key), apiKey);
const page = await context.newPage();
await page.goto(url);
await page.getByRole("button", { name: "New chat" }).click();
for (const question of ["How much disk space is left?", "What was the CPU doing in the last 10 minutes?"]) {
  const before = await page.locator('[data-role="assistant"]:not([data-live])').count();
  await page.getByLabel("Message").fill(question);
  await page.keyboard.press("Enter");
  await page.locator('[data-role="assistant"]:not([data-live])').nth(before).waitFor({ timeout: 20000 });
}
await page.locator("figure.history-chart canvas").last().waitFor({ timeout: 15000 });
await page.waitForTimeout(800);
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
