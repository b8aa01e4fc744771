/**
 * Real-browser tests of the web UI: Debian's chromium driven by playwright-core, against a real
 * skiff server (tests/web/helpers.ts: in this process, process runtime, temp data dir, token
 * auth). Every browser gets a fresh profile dir, removed at the end; screenshots go to one temp
 * dir per run (printed; SKIFF_SCREENSHOTS=dir picks it).
 *
 * Where chromium is absent the tests are skipped, saying why; `bash tests/browser/setup-chromium.sh`
 * installs it.
 */
import { type BrowserContext, chromium, type Page } from "./deps.ts";
import { Store } from "../../controller/local/store.ts";
import type { TestServer } from "../web/helpers.ts";

/** The chromium binary: $SKIFF_CHROMIUM, else Debian's. */
export const CHROMIUM = Deno.env.get("SKIFF_CHROMIUM") ?? "/usr/bin/chromium";

function chromiumMissing(): string | undefined {
  try {
    const info = Deno.statSync(CHROMIUM);
    return info.isFile ? undefined : `${CHROMIUM} is not a file`;
  } catch {
    return `${CHROMIUM} not found`;
  }
}

/** Why browser tests cannot run here (undefined when they can). */
export const SKIP_REASON: string | undefined = chromiumMissing();
if (SKIP_REASON) {
  console.warn(
    `tests/browser: skipping the browser tests: ${SKIP_REASON} (run \`bash tests/browser/setup-chromium.sh\`)`,
  );
}

/** Flags every browser starts with (no network but to the server under test, no first-run work). */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--font-render-hinting=none",
];

let shots: string | undefined;

/** The run's screenshot dir (made at first use). */
export function screenshotDir(): string {
  if (!shots) {
    shots = Deno.env.get("SKIFF_SCREENSHOTS") ?? Deno.makeTempDirSync({ prefix: "skiff-ui-shots-" });
    Deno.mkdirSync(shots, { recursive: true });
    console.log(`tests/browser: screenshots in ${shots}`);
  }
  return shots;
}

/** Saves a screenshot of the page as `<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = `${screenshotDir()}/${name}.png`;
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** A browser (fresh profile) for `fn`, closed and removed afterwards. */
export async function withBrowser(fn: (ctx: BrowserContext) => Promise<void>): Promise<void> {
  const profile = await Deno.makeTempDir({ prefix: "skiff-chromium-" });
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** A page of `ctx` signed in to `s` (the token cookie set as the token prompt sets it). */
export async function signedInPage(ctx: BrowserContext, s: TestServer): Promise<Page> {
  await ctx.addCookies([{
    name: "authorization",
    value: encodeURIComponent(`Bearer ${s.token}`),
    url: s.url,
    sameSite: "Strict",
  }]);
  const page = await ctx.newPage();
  collectErrors(page);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Records the page's uncaught errors and console errors (see {@link errorsOf}). */
export function collectErrors(page: Page): void {
  const list: string[] = [];
  pageErrors.set(page, list);
  page.on("pageerror", (e) => list.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // A 4xx the UI asked for (a lint answer, the 401 before signing in) is logged by chromium; not a fault.
    if (m.type() === "error" && !/^Failed to load resource: .* status of 4\d\d/.test(m.text())) {
      list.push(`console: ${m.text()}`);
    }
  });
}

/** The errors {@link collectErrors} saw. */
export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

/**
 * Stores workflows straight into the server's SQLite file (a second connection), as if they had
 * run: for list and scale tests that need many finished workflows without running them.
 */
export function insertWorkflows(
  dataDir: string,
  workflows: { metadata: { name?: string; namespace?: string } }[],
): void {
  const store = Store.open(dataDir);
  try {
    store.transaction((st) => {
      for (const wf of workflows) st.createWorkflow(wf);
    });
  } finally {
    store.close();
  }
}

/** A finished one-step workflow for lists. */
export function finishedWorkflow(
  name: string,
  phase: "Succeeded" | "Failed" | "Error",
  createdSecondsAgo: number,
  labels: Record<string, string> = {},
) {
  const created = new Date(Date.now() - createdSecondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const finished = new Date(Date.now() - createdSecondsAgo * 1000 + 7000).toISOString().replace(
    /\.\d{3}Z$/,
    "Z",
  );
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name, namespace: "default", creationTimestamp: created, labels },
    spec: {
      entrypoint: "main",
      templates: [{ name: "main", container: { image: "busybox", command: ["true"] } }],
    },
    status: {
      phase,
      startedAt: created,
      finishedAt: finished,
      progress: phase === "Succeeded" ? "1/1" : "0/1",
      ...(phase === "Succeeded" ? {} : { message: "main: exit code 1" }),
      nodes: {
        [name]: {
          id: name,
          name,
          displayName: name,
          type: "Pod",
          templateName: "main",
          phase,
          startedAt: created,
          finishedAt: finished,
        },
      },
    },
  };
}
