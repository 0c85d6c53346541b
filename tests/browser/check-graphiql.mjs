// Opens the GraphiQL page in Debian's headless Chromium with every request
// that does not go to 127.0.0.1 blocked, runs the example query and checks the
// result pane shows data.
//
//   node tests/browser/check-graphiql.mjs http://127.0.0.1:8000/graphql \
//     [--expect TEXT]... [--screenshot /tmp/graphiql.png]
//
// Env CHROMIUM overrides the browser binary (default /usr/bin/chromium).
// Prints progress and a final `SUMMARY {json}` line; exits 1 on any failure.
import { chromium } from 'playwright-core';

const argv = process.argv.slice(2);
const expects = [];
let pageUrl;
let screenshot;
for (let i = 0; i < argv.length; i += 1) {
  if (argv[i] === '--expect') expects.push(argv[++i]);
  else if (argv[i] === '--screenshot') screenshot = argv[++i];
  else pageUrl = argv[i];
}
if (!pageUrl) {
  console.error('usage: node check-graphiql.mjs <graphiql-url> [--expect TEXT]... [--screenshot PNG]');
  process.exit(2);
}

const failures = [];
const blocked = [];
const badResponses = [];
const pageErrors = [];
const consoleErrors = [];
const requested = [];

const isLocal = (raw) => {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname === '127.0.0.1';
  } catch {
    return false;
  }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let result = '';
let editorQuery = '';
try {
  const context = await browser.newContext({
    serviceWorkers: 'block',
    viewport: { width: 1280, height: 800 },
  });
  // Anything not aimed at 127.0.0.1 is aborted and recorded: a CDN reference
  // in the page fails the check instead of silently loading.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLocal(url)) {
      requested.push(url);
      await route.continue();
    } else {
      blocked.push(url);
      await route.abort('blockedbyclient');
    }
  });
  await context.routeWebSocket(/.*/, (ws) => {
    if (!isLocal(ws.url().replace(/^ws/, 'http'))) blocked.push(ws.url());
    ws.close();
  });

  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('response', (res) => {
    // The browser asks for /favicon.ico on its own; we do not ship one.
    if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) {
      badResponses.push(`${res.status()} ${res.url()}`);
    }
  });

  const nav = await page.goto(pageUrl, { waitUntil: 'load' });
  console.log(`page: ${nav?.status()} ${nav?.headers()['content-type']}`);
  const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
  await queryEditor.waitFor({ timeout: 20_000 });
  editorQuery = await queryEditor.evaluate((el) => el.CodeMirror.getValue());
  console.log(`query editor: ${JSON.stringify(editorQuery)}`);

  await page.locator('button.graphiql-execute-button').click();
  const resultPane = page.locator('.result-window .CodeMirror');
  await page.waitForFunction(
    () => {
      const el = document.querySelector('.result-window .CodeMirror');
      return el && el.CodeMirror && el.CodeMirror.getValue().trim().length > 0;
    },
    null,
    { timeout: 20_000 },
  );
  result = await resultPane.evaluate((el) => el.CodeMirror.getValue());
  console.log(`result pane:\n${result}`);
  // What a user sees, not just the editor model.
  const visible = await page.locator('.result-window').innerText();

  let parsed;
  try {
    parsed = JSON.parse(result);
  } catch {
    failures.push('result pane does not hold JSON');
  }
  if (parsed) {
    if (!parsed.data || typeof parsed.data !== 'object') failures.push('result has no data');
    if (parsed.errors) failures.push(`result has errors: ${JSON.stringify(parsed.errors)}`);
  }
  for (const text of expects) {
    if (!visible.includes(text)) failures.push(`result pane does not show ${JSON.stringify(text)}`);
  }
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);
  }
} catch (err) {
  failures.push(`check crashed: ${err && err.stack ? err.stack : err}`);
} finally {
  await browser.close();
}

if (blocked.length) failures.push(`non-local requests attempted: ${blocked.join(', ')}`);
if (pageErrors.length) failures.push(`page errors: ${pageErrors.join(' | ')}`);
if (badResponses.length) failures.push(`failed responses: ${badResponses.join(', ')}`);
const cspErrors = consoleErrors.filter((t) => /Content Security Policy/i.test(t));
if (cspErrors.length) failures.push(`CSP violations: ${cspErrors.join(' | ')}`);

const summary = {
  ok: failures.length === 0,
  localRequests: requested.length,
  blocked,
  consoleErrors,
  failures,
};
console.log(`SUMMARY ${JSON.stringify(summary)}`);
process.exit(failures.length ? 1 : 0);
