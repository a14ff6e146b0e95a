// Keeps the OpenAPI document honest: every response the REST helper (test/support/api.ts)
// receives is checked against the document the running gateway serves at /api/openapi.json.
// The document itself is validated once per test file against the OpenAPI 3.1 schema
// (@seriousme/openapi-schema-validator); each response body against its response's schema
// with Ajv's JSON Schema 2020-12 validator, which is the dialect of OpenAPI 3.1 schemas.
// A response whose route, method or status the document does not list fails the test, with
// one exception that is itself part of the contract: outside the document the gateway may only
// refuse (401 before routing, 404 unknown route, 405 known route with another method), and
// that refusal must carry the documented error body.
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const DOC_ID = 'framesmith-openapi.json';
// ajv-formats is CommonJS with a default export; under NodeNext the default is the module.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export class OpenApiMismatch extends Error {
  override name = 'OpenApiMismatch';
}

interface PathEntry {
  template: string;
  pattern: RegExp;
  params: number;
  item: Json;
}

export interface OpenApiChecker {
  readonly document: Json;
  /** Throws OpenApiMismatch when the response is not what the document says. */
  check(method: string, route: string, status: number, contentType: string | null, body: unknown): void;
}

/** JSON Pointer token, then URI-fragment-encoded (path templates hold braces). */
const pointerToken = (s: string) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'));

/**
 * Validates the document (OpenAPI 3.1 schema) and prepares a checker for its responses.
 * `validatedDir`: where a document already found valid leaves a marker (by content hash), so
 * the other test files of a run skip the ~0.7 s meta-validation of the same document.
 */
export async function createOpenApiChecker(document: Json, validatedDir?: string): Promise<OpenApiChecker> {
  if (!String(document.openapi).startsWith('3.1.')) throw new OpenApiMismatch(`the served document is OpenAPI ${document.openapi}, not 3.1`);
  const marker = validatedDir && path.join(validatedDir, `openapi-valid-${createHash('sha256').update(JSON.stringify(document)).digest('hex')}`);
  if (!marker || !existsSync(marker)) {
    const result = await new Validator().validate(document);
    if (!result.valid) {
      throw new OpenApiMismatch(`the served OpenAPI document is not a valid OpenAPI document: ${JSON.stringify(result.errors, null, 1).slice(0, 3000)}`);
    }
    if (marker) writeFileSync(marker, '');
  }

  // strict: false because the document is also an OpenAPI object (openapi, info, paths...), which
  // Ajv would otherwise report as unknown keywords; the meta-validation above checks its shape.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // OpenAPI's numeric formats are annotations: the type already says integer or number.
  for (const f of ['int32', 'int64', 'float', 'double']) ajv.addFormat(f, true);
  // Not checked as a JSON Schema itself (it is not one; the meta-validation above covers it).
  ajv.addSchema(document, DOC_ID, undefined, false);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string) => {
    let v = validators.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      validators.set(pointer, v);
    }
    return v;
  };

  // Literal paths before templated ones, so /api/asset/image is not read as /api/asset/{id}.
  const paths: PathEntry[] = Object.entries((document.paths ?? {}) as Record<string, Json>)
    .map(([template, item]) => ({
      template,
      item,
      params: (template.match(/\{[^}]+\}/g) ?? []).length,
      // The gateway answers every route with or without a trailing slash (the document says so).
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    }))
    .sort((a, b) => a.params - b.params);
  const errorPointer = document.components?.schemas?.Error ? '/components/schemas/Error' : null;

  const validateAt = (pointer: string, body: unknown, what: string) => {
    const v = validatorAt(pointer);
    if (!v(body)) {
      throw new OpenApiMismatch(`${what}: the body does not match the document (${pointer}): ${ajv.errorsText(v.errors, { separator: '; ' })}; body: ${JSON.stringify(body)?.slice(0, 600)}`);
    }
  };

  /** A refusal outside the document: allowed only as the documented error body. */
  const refusal = (what: string, allowed: number[], status: number, body: unknown) => {
    if (!allowed.includes(status)) throw new OpenApiMismatch(`${what} is not in the document, yet it answered ${status} (only ${allowed.join('/')} may answer an undocumented route)`);
    if (!errorPointer) throw new OpenApiMismatch(`${what} answered ${status}, and the document has no components.schemas.Error to check its body against`);
    validateAt(errorPointer, body, what);
  };

  return {
    document,
    check(method, route, status, contentType, body) {
      const m = method.toLowerCase();
      const pathname = new URL(route, 'http://gateway').pathname;
      const what = `${method.toUpperCase()} ${route} -> ${status}`;
      // Only /api is the REST API; anything else on this port must simply not exist for it.
      if (!pathname.startsWith('/api/')) {
        if (status !== 404) throw new OpenApiMismatch(`${what}: outside /api/ the REST client must get 404`);
        return;
      }
      const entry = paths.find((p) => p.pattern.test(pathname));
      if (!entry) return refusal(`${what}: route`, [401, 404], status, body);
      const op = entry.item[m] as Json | undefined;
      if (!METHODS.includes(m) || !op) return refusal(`${what}: method on ${entry.template}`, [401, 405], status, body);
      const responses = (op.responses ?? {}) as Record<string, Json>;
      const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => responses[k]);
      if (!key) throw new OpenApiMismatch(`${what}: the document lists no ${status} for ${method.toUpperCase()} ${entry.template} (it lists ${Object.keys(responses).join(', ')})`);
      const content = responses[key]!.content as Record<string, Json> | undefined;
      if (!content || m === 'head') return;
      const json = Object.keys(content).find((t) => /^application\/(.+\+)?json$/.test(t));
      if (!json) throw new OpenApiMismatch(`${what}: the document's ${key} response has no JSON content (${Object.keys(content).join(', ')})`);
      if (!contentType || !/^application\/(.+\+)?json\b/i.test(contentType)) throw new OpenApiMismatch(`${what}: answered ${contentType ?? 'no content type'}, the document says ${json}`);
      if (!content[json]!.schema) return;
      const pointer = ['', 'paths', entry.template, m, 'responses', key, 'content', json, 'schema'].map(pointerToken).join('/');
      validateAt(pointer, body, what);
    },
  };
}

const loaded = new Map<string, Promise<OpenApiChecker>>();

/** The checker for the gateway at `baseUrl`: its document fetched (without an API key) and validated once. */
export function openApiChecker(baseUrl: string, validatedDir?: string): Promise<OpenApiChecker> {
  let c = loaded.get(baseUrl);
  if (!c) {
    c = (async () => {
      const res = await fetch(`${baseUrl}/api/openapi.json`);
      if (res.status !== 200) throw new OpenApiMismatch(`GET /api/openapi.json answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      return createOpenApiChecker((await res.json()) as Json, validatedDir);
    })();
    // A failed load is not cached: the next call reports it again instead of a stale rejection.
    c.catch(() => loaded.delete(baseUrl));
    loaded.set(baseUrl, c);
  }
  return c;
}
