// End to end in a real VS Code in a real browser: code-server with the freshly packaged .vsix,
// driven through Debian's chromium by playwright-core. Every wait is on the workbench's DOM.
// A failing test leaves a screenshot and code-server's log in test-results/.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ensureCodeServer, startCodeServer } from '../../scripts/codeServer.mjs';
import { packageExtension } from '../../scripts/packageExtension.mjs';

const root = resolve(__dirname, '..', '..');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// Generous: the shared 2-core machine also runs the rest of the suite in parallel.
const TIMEOUT = 60_000;

let dir: string;
let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
let browser: BrowserContext | undefined;
const serverLog: string[] = [];

before(async () => {
  ensureCodeServer();
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  // A copy, so nothing the workbench writes (.vscode/) lands in the real examples/.
  const workspace = join(dir, 'workspace');
  cpSync(join(root, 'examples'), workspace, { recursive: true });
  // npm test has just built dist/.
  const vsix = packageExtension({ out: join(dir, 'berth.vsix'), build: false, quiet: true });
  server = await startCodeServer({ vsix, folder: workspace, dir: join(dir, 'code-server'), log: (line: string) => serverLog.push(line) });
  // A persistent context on a fresh profile directory: the browser's state starts empty.
  browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` on a fresh page; on failure, saves a screenshot and code-server's log under test-results/. */
async function withPage(t: TestContext, body: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser!.newPage();
  page.setDefaultTimeout(TIMEOUT);
  try {
    await body(page);
  } catch (e) {
    const results = join(root, 'test-results');
    mkdirSync(results, { recursive: true });
    const base = join(results, `e2e-${t.name.replace(/[^a-z0-9]+/gi, '-')}`);
    // Best effort: a page that cannot be captured must not hide the test's own error.
    await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
    writeFileSync(`${base}.code-server.log`, serverLog.join('\n') + '\n');
    throw new Error(`${e instanceof Error ? e.message : e}\n(screenshot: ${base}.png, code-server log: ${base}.code-server.log)`, { cause: e });
  } finally {
    await page.close();
  }
}

test('opening the example Dockerfile shows berth best-practice diagnostics in the Problems panel', async (t) => {
  await withPage(t, async (page) => {
    await page.goto(server!.url);
    // The explorer lists the workspace once the workbench has loaded the folder.
    const dockerfile = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^Dockerfile$/ });
    await dockerfile.click();
    await page.locator('.tabs-container .tab', { hasText: 'Dockerfile' }).waitFor();
    // Focus the editor, then open the Problems panel (View: Problems).
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel .monaco-list-row');
    // BH002 is berth's rule for a FROM on the moving `latest` tag (or none); the row names
    // its source, berth.
    const untagged = problems.filter({ hasText: 'BH002' }).first();
    await untagged.waitFor();
    const text = await untagged.innerText();
    assert.match(text, /berth[\s\S]*BH002/, `the row's source is berth: ${text}`);
    assert.match(text, /'latest' tag/, `the BH002 row explains the moving tag: ${text}`);
    // The ADD rule too, so it is berth's rule set reporting, not a single check.
    await problems.filter({ hasText: 'BH003' }).first().waitFor();
  });
});
