// Runs a subscription in the GraphiQL page (headless Chromium, 127.0.0.1 only):
// puts SUBSCRIPTION in the editor, runs it, sends MUTATION over HTTP once the
// socket is open, and checks the result pane then shows every --expect text.
//
//   node tests/browser/check-graphiql-subscription.mjs URL --subscription Q \
//     --mutation M [--expect TEXT]...
//
// Prints progress and a final `SUMMARY {json}` line; exits 1 on any failure.
import { chromium } from 'playwright-core';

const argv = process.argv.slice(2);
const expects = [];
let pageUrl;
let subscription;
let mutation;
for (let i = 0; i < argv.length; i += 1) {
  if (argv[i] === '--expect') expects.push(argv[++i]);
  else if (argv[i] === '--subscription') subscription = argv[++i];
  else if (argv[i] === '--mutation') mutation = argv[++i];
  else pageUrl = argv[i];
}

const failures = [];
const blocked = [];
const pageErrors = [];
const consoleErrors = [];
const sockets = [];

const isLocal = (raw) => {
  try {
    return new URL(raw).hostname === '127.0.0.1';
  } catch {
    return false;
  }
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
let shown = '';
let page;
const posts = [];
try {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  await context.route('**/*', async (route) => {
    if (isLocal(route.request().url())) await route.continue();
    else {
      blocked.push(route.request().url());
      await route.abort('blockedbyclient');
    }
  });
  page = await context.newPage();
  page.on('request', (req) => {
    if (req.method() === 'POST') posts.push((req.postData() || '').slice(0, 120));
  });
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  let opened;
  const socketOpen = new Promise((resolve) => {
    opened = resolve;
  });
  page.on('websocket', (ws) => {
    sockets.push(ws.url());
    if (!isLocal(ws.url())) blocked.push(ws.url());
    ws.on('framereceived', (frame) => {
      if (String(frame.payload).includes('connection_ack')) opened();
    });
  });

  await page.goto(pageUrl, { waitUntil: 'load' });
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor({ timeout: 20_000 });
  await editor.evaluate((el, q) => el.CodeMirror.setValue(q), subscription);
  // GraphiQL parses the editor 100 ms after a change (debounced) and picks the
  // WebSocket only when that parse says "subscription": run after it, not before.
  await editor.evaluate((el) =>
    new Promise((resolve) => {
      const ready = () => {
        const ast = el.CodeMirror.documentAST;
        if (ast && ast.definitions.some((d) => d.operation === 'subscription')) resolve();
        else setTimeout(ready, 20);
      };
      ready();
    }),
  );
  await page.locator('button.graphiql-execute-button').click();
  await Promise.race([
    socketOpen,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no socket ack')), 45_000)),
  ]);
  console.log(`socket: ${sockets.join(', ')}`);
  await new Promise((r) => setTimeout(r, 1000)); // the poller reads its baseline
  const answer = await fetch(pageUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: mutation }),
  });
  console.log(`mutation: ${answer.status} ${await answer.text()}`);
  await page.waitForFunction(
    (texts) => {
      const el = document.querySelector('.result-window .CodeMirror');
      const value = el && el.CodeMirror ? el.CodeMirror.getValue() : '';
      return texts.every((t) => value.includes(t));
    },
    expects,
    { timeout: 20_000 },
  );
  shown = await page.locator('.result-window .CodeMirror').evaluate((el) => el.CodeMirror.getValue());
  console.log(`result pane:\n${shown}`);
} catch (err) {
  failures.push(`check crashed: ${err && err.stack ? err.stack : err}`);
  // What the page did instead, so a failure in CI explains itself.
  try {
    const pane = await page.locator('.result-window .CodeMirror').evaluate(
      (el) => el.CodeMirror.getValue(),
      undefined,
      { timeout: 2_000 },
    );
    console.log(`result pane at failure:\n${pane}`);
  } catch (paneErr) {
    console.log(`result pane unreadable: ${paneErr}`);
  }
  console.log(`POSTs from the page: ${JSON.stringify(posts)}`);
} finally {
  await browser.close();
}

if (blocked.length) failures.push(`non-local requests attempted: ${blocked.join(', ')}`);
if (pageErrors.length) failures.push(`page errors: ${pageErrors.join(' | ')}`);
const cspErrors = consoleErrors.filter((t) => /Content Security Policy/i.test(t));
if (cspErrors.length) failures.push(`CSP violations: ${cspErrors.join(' | ')}`);
if (!sockets.length) failures.push('no websocket was opened');

const summary = { ok: failures.length === 0, sockets, consoleErrors, failures };
console.log(`SUMMARY ${JSON.stringify(summary)}`);
process.exit(failures.length ? 1 : 0);
