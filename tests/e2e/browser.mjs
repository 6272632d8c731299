// Headless Chromium through playwright-core, with the flags this kind of
// machine needs (no sandbox as root, no background networking).
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS } from "../lib.mjs";

export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), "chorus-chromium-"));
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHORUS_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Collects uncaught page errors so tests can assert the host page stays clean. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

export const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, name) });
