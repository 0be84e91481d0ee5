// Drives tgsim's web chat in Debian's headless Chromium (playwright-core),
// as a person would: types with Shift+Enter, pastes lines, sends a location,
// reads the message times in two time zones. Prints one JSON object of what
// it saw; tests/e2e/test_tgsim_web.py checks it and the chat through the API.
//   node webchat.mjs URL USER_ID OUT_DIR
import { chromium } from "playwright-core";

const [url, userId, outDir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { times: {}, titles: {} };
try {
  for (const zone of ["Europe/Moscow", "Asia/Novosibirsk"]) {
    const ctx = await browser.newContext({ timezoneId: zone, locale: "ru-RU", viewport: { width: 1100, height: 700 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    await page.goto(`${url}/#${userId}`);
    await page.waitForSelector(".row.bot .meta");
    out.times[zone] = await page.$$eval(".row.bot .meta", (els) => els.map((e) => e.textContent));
    out.titles[zone] = await page.$eval(".row.bot .meta", (e) => e.title);
    await page.screenshot({ path: `${outDir}/times-${zone.replace("/", "-")}.png` });
    if (zone !== "Europe/Moscow") { await ctx.close(); continue; }

    const box = page.locator("#text");
    const userRows = () => page.locator(".row.user").count();
    let n = await userRows();
    // typed: Shift+Enter is a new line, Enter sends
    await box.click();
    await page.keyboard.type("Мыло 3");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("Шампунь 2");
    out.height_two_lines = await box.evaluate((e) => e.offsetHeight);
    await page.keyboard.press("Enter");
    await page.waitForFunction((k) => document.querySelectorAll(".row.user").length > k, n);
    out.after_send = await box.inputValue();
    // pasted: the lines stay lines
    n = await userRows();
    await box.click();
    await page.keyboard.insertText("p1 10\np2 20\np3 30");
    await page.screenshot({ path: `${outDir}/multiline.png` });
    await page.keyboard.press("Enter");
    await page.waitForFunction((k) => document.querySelectorAll(".row.user").length > k, n);
    // 📍: a preset place
    n = await userRows();
    await page.click("#geobtn");
    await page.click("text=Казань, Баумана 10");
    await page.screenshot({ path: `${outDir}/location-picker.png` });
    await page.click("#geosend");
    await page.waitForFunction((k) => document.querySelectorAll(".row.user").length > k, n);
    // 📍: typed coordinates, one off the globe first
    await page.click("#geobtn");
    await page.fill("#lat", "100");
    await page.fill("#lon", "30");
    await page.click("#geosend");
    await page.waitForSelector("#toast", { state: "visible" });
    out.bad_toast = await page.textContent("#toast");
    n = await userRows();
    await page.fill("#lat", "56,8387");
    await page.fill("#lon", "60.6030");
    await page.click("#geosend");
    await page.waitForFunction((k) => document.querySelectorAll(".row.user").length > k, n);
    out.geo_open_after = await page.$eval("#geo", (e) => e.classList.contains("open"));
    await page.screenshot({ path: `${outDir}/chat.png` });
    await ctx.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
