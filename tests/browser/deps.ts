/**
 * The browser tests' library, pinned here: playwright-core (no browser download; it drives
 * Debian's chromium at /usr/bin/chromium).
 *
 * @module
 */
export { type Browser, type BrowserContext, chromium, type Page } from "npm:playwright-core@1.65.1";
