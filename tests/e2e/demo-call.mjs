#!/usr/bin/env node
// demo-call.mjs: a newcomer's first call, as a person makes it.  Headless
// Chromium (fake microphone: a beep) opens the softphone the SBC serves
// (--url, e.g. https://127.0.0.1:8443/), waits until the page says it is
// connected, dials --number on the pad, presses Call, stays --seconds in
// the call, reads the page's call-quality panel, presses Hang up.  Passes
// when the call was answered, the panel showed DTLS-SRTP connected and
// more than --min-packets audio packets received, the received audio
// carried energy (our own beep came back: the demo PBX echoes), and the
// page said the call ended.  Prints one JSON line; exit 0 on pass.
//
// Usage: node demo-call.mjs --url URL [--number N] [--seconds S]
//   [--min-packets N] [--timeout S] [--chromium PATH]
import { chromium } from "playwright-core";
import { parseOptions } from "./args.mjs";

function usage(msg) {
	process.stderr.write(`demo-call.mjs: ${msg}\nusage: demo-call.mjs --url URL ` +
	    "[--number N] [--seconds S] [--min-packets N] [--timeout S] [--chromium PATH]\n");
	process.exit(2);
}

const args = parseOptions(process.argv.slice(2),
    { url: null, number: "600", seconds: 6, minPackets: 100, timeout: 90,
      chromium: "/usr/bin/chromium" },
    { "--url": "url", "--number": "number", "--seconds": "seconds",
      "--min-packets": "minPackets", "--timeout": "timeout", "--chromium": "chromium" },
    {}, ["seconds", "minPackets", "timeout"], usage);
if (!args.url)
	usage("--url is required");

const result = { pass: false, url: args.url, steps: [], quality: null,
    panel: null, status: null, fault: null, console: [] };
const step = (s) => result.steps.push(`${(performance.now() / 1000).toFixed(1)} ${s}`);

async function statusIs(page, re, ms) {
	await page.waitForFunction((src) => new RegExp(src).test(
	    document.getElementById("status").textContent), re.source, { timeout: ms });
}

async function panel(page) {
	return page.evaluate(() => Object.fromEntries(["codec", "dtls", "sent",
	    "received", "lost", "jitter", "rtt"].map((k) =>
	    [k, document.getElementById(`q-${k}`).textContent])));
}

async function run(page) {
	await page.goto(args.url, { timeout: 30000 });
	step("page loaded");
	await statusIs(page, /^Connected to /, 20000);
	step("connected");
	for (const k of args.number)
		await page.click(`#pad button[data-key="${k}"]`);
	if (await page.inputValue("#number") !== args.number)
		throw new Error(`the pad typed '${await page.inputValue("#number")}'`);
	await page.click("#call");
	step("call pressed");
	await statusIs(page, /^In call$/, 20000);
	step("in call");
	await page.waitForTimeout(args.seconds * 1000);
	result.panel = await panel(page);
	result.quality = await page.evaluate(() => window.sbcPhoneQuality || null);
	await page.click("#hangup");
	await statusIs(page, /^Call ended/, 10000);
	step("call ended");
	const q = result.quality;
	const received = Number(result.panel.received);
	result.pass = q !== null && /connected/.test(result.panel.dtls) &&
	    received > args.minPackets && q.energy > 0;
}

let browser = null;
const timer = setTimeout(() => {
	result.fault = `no result within ${args.timeout} s`;
	finish(1);
}, args.timeout * 1000);

function finish(code) {
	clearTimeout(timer);
	process.stdout.write(JSON.stringify(result) + "\n");
	const close = browser ? browser.close().catch(() => {}) : Promise.resolve();
	close.then(() => process.exit(code));
}

try {
	browser = await chromium.launch({ executablePath: args.chromium, headless: true,
	    timeout: 30000, args: ["--headless=new", "--no-sandbox",
	    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
	    "--autoplay-policy=no-user-gesture-required", "--disable-gpu",
	    "--no-first-run", "--disable-background-networking",
	    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
	    "--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets," +
	    "LocalNetworkAccessChecksWebRTC"] });
	// A person accepts the self-signed certificate once; so does this.
	const context = await browser.newContext({ ignoreHTTPSErrors: true });
	const page = await context.newPage();
	page.on("console", (m) => result.console.push(`${m.type()}: ${m.text()}`.slice(0, 300)));
	page.on("pageerror", (e) => result.console.push(`pageerror: ${e.message}`));
	try {
		await run(page);
	} finally {
		result.status = await page.textContent("#status").catch(() => null);
		result.fault = result.fault || await page.textContent("#fault").catch(() => null);
	}
	finish(result.pass ? 0 : 1);
} catch (e) {
	result.fault = `${result.fault ? result.fault + "; " : ""}${e.message.split("\n")[0]}`;
	finish(1);
}
