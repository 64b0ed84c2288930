// GraphiQL and a state diagram in a real headless Chromium (Debian's, driven by playwright-core).
//   node browser.mjs HTTP_URL TOKEN QUERY_FILE DIAGRAM_MD OUT_DIR
// Opens GraphiQL on HTTP_URL, enters the token in the Headers pane, runs the query, and prints
// {"result": <the response pane's JSON>} as one line; saves OUT_DIR/graphiql.png, and renders
// the mermaid block of DIAGRAM_MD with the locally installed mermaid into OUT_DIR/pro-pay-states.png.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, token, queryFile, diagramMd, outDir] = process.argv.slice(2);
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Focus a CodeMirror editor and replace its text the way a paste would (no auto-closing). */
async function paste(page, editor, text) {
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

async function runQueryInGraphiQL(page) {
  const failures = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText}`));
  await page.goto(url);
  const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
  await queryEditor.waitFor({ timeout: 45000 });
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  const headersEditor = page.locator('section.graphiql-editor-tool .CodeMirror').last();
  await paste(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` }));
  await paste(page, queryEditor, readFileSync(queryFile, 'utf8').trim());
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('section.result-window .CodeMirror');
  await page.waitForFunction(
    () => document.querySelector('section.result-window .CodeMirror')?.CodeMirror.getValue().includes('"data"'),
    null,
    { timeout: 45000 },
  );
  await page.waitForTimeout(300); // let the editors settle before the picture
  await page.screenshot({ path: join(outDir, 'graphiql.png') });
  const text = await response.evaluate((node) => node.CodeMirror.getValue());
  return { result: JSON.parse(text), failures };
}

async function renderDiagram(page) {
  const markdown = readFileSync(diagramMd, 'utf8');
  const source = markdown.match(/```mermaid\n([\s\S]*?)```/)[1];
  await page.setContent(`<!doctype html><html><body style="margin:0;background:white">
    <pre class="mermaid" id="diagram"></pre></body></html>`);
  await page.locator('#diagram').evaluate((node, text) => (node.textContent = text), source);
  await page.addScriptTag({ path: new URL('./node_modules/mermaid/dist/mermaid.min.js', import.meta.url).pathname });
  await page.evaluate(async () => {
    window.mermaid.initialize({ startOnLoad: false, theme: 'default' });
    await window.mermaid.run({ querySelector: '#diagram' });
  });
  const svg = page.locator('#diagram svg');
  await svg.waitFor();
  await svg.screenshot({ path: join(outDir, 'pro-pay-states.png') });
  return { states: await svg.locator('.node').count() };
}

const profile = mkdtempSync(join(tmpdir(), 'protiv-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  viewport: { width: 1400, height: 900 },
});
try {
  const graphiql = await runQueryInGraphiQL(await browser.newPage());
  const diagram = await renderDiagram(await browser.newPage());
  console.log(JSON.stringify({ ...graphiql, diagram }));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
