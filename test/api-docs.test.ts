// The API reference page (/api/docs) in a real headless Chromium (Debian's chromium, provisioned
// by scripts/provision-chromium.mjs): what a reader sees must list the API's routes, and the page
// must work offline, so any request that does not go to the gateway fails the test.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack } from './support/api.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Kept after the run (gitignored); CI can collect the folder.
const ARTIFACTS = process.env.TEST_ARTIFACTS_DIR ?? path.join(ROOT, 'test-artifacts');

// The asset routes a client integrates with: the page must show each, whatever else it shows.
const ASSET_ROUTES = [
  'POST /api/asset/image',
  'POST /api/asset/gif',
  'POST /api/asset/video',
  'GET /api/asset',
  'GET /api/asset/{id}',
  'PUT /api/asset/{id}',
  'DELETE /api/asset',
  'DELETE /api/asset/{id}',
  'PUT /api/asset/sync/{eventId}',
];

function chromiumPath(): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/provision-chromium.mjs'), '--find'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr.trim() || 'headless Chromium was not found');
  return r.stdout.trim();
}

describe('API reference page /api/docs', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({
      executablePath: chromiumPath(),
      headless: true,
      // --no-sandbox: CI and these machines run as root, where Chromium's sandbox cannot start.
      // The rest keeps Chromium's own background traffic (updates, sync) out of the picture.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is served by the gateway without an API key, offline-safe, and refuses anything else', async () => {
    const { restUrl } = stack();
    const page = await fetch(`${restUrl}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${restUrl}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(100_000);
    const other = await fetch(`${restUrl}/api/docs/package.json`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { errorType: string }).errorType).toBe('RouteNotFound');
    const post = await fetch(`${restUrl}/api/docs`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { errorType: string }).errorType).toBe('MethodNotAllowed');
  });

  it('renders every documented route in headless Chromium, asset routes included, with no request off the gateway', async () => {
    const { restUrl } = stack();
    const origin = new URL(restUrl).origin;
    const started = Date.now();
    const page = await browser.newPage();
    const offGateway: string[] = [];
    const fromGateway: string[] = [];
    const pageErrors: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      // data: and blob: URLs are made inside the page; they reach no server.
      if (url.startsWith(origin + '/') || url.startsWith('data:') || url.startsWith('blob:')) {
        if (url.startsWith(origin)) fromGateway.push(new URL(url).pathname);
        void req.continue();
      } else {
        offGateway.push(url);
        void req.abort('blockedbyclient');
      }
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    // What the page's Content-Security-Policy refuses never becomes a request: collect those too.
    // (The callbacks below run in the page; the project compiles without DOM types, hence `any`.)
    await page.evaluateOnNewDocument(() => {
      const w = globalThis as any;
      const seen: string[] = (w.__cspViolations = []);
      w.document.addEventListener('securitypolicyviolation', (e: any) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.setViewport({ width: 1280, height: 900 });
    const res = await page.goto(`${restUrl}/api/docs`, { waitUntil: 'networkidle0', timeout: 60_000 });
    expect(res?.status()).toBe(200);
    // The operations, or Swagger UI's error panel (a document it cannot load or read).
    await page.waitForSelector('.opblock .opblock-summary-path, .errors-wrapper', { timeout: 30_000 });

    // Read from the rendered DOM: what a reader sees, not what the document says.
    // (No named functions inside: a transpiler's name helpers do not exist in the page.)
    const rendered = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) =>
        ['.opblock-summary-method', '.opblock-summary-path']
          .map((sel) => String((b.querySelector(sel) as any)?.innerText ?? '').replace(/\u200b/g, '').trim())
          .join(' '),
      ),
    );
    const title = await page.$$eval('.info .title', (e) => e.map((x) => (x as any).innerText as string).join(' '));
    const errors = await page.$$eval('.errors-wrapper', (e) => e.map((x) => (x as any).innerText as string));
    const csp = await page.evaluate(() => (globalThis as any).__cspViolations as string[]);

    await mkdir(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'api-docs.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`[api-docs] screenshot: ${shot} (${rendered.length} operations rendered in ${Date.now() - started} ms)`);
    await page.close();

    expect(offGateway, 'requests that did not go to the gateway').toEqual([]);
    expect(csp, 'loads refused by the Content-Security-Policy').toEqual([]);
    expect(pageErrors, 'script errors on the page').toEqual([]);
    expect(errors, 'Swagger UI error panel').toEqual([]);
    expect(fromGateway).toContain('/api/openapi.json');
    expect(fromGateway).toContain('/api/docs/swagger-ui-bundle.js');
    expect(title).toContain('Framesmith');

    expect(rendered).toEqual(expect.arrayContaining(ASSET_ROUTES));
    // Everything the document lists is on the page (and nothing the document does not list).
    const doc = (await (await fetch(`${restUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect([...rendered].sort()).toEqual([...documented].sort());
  });
});
