// The check that keeps /api/openapi.json honest (test/support/openapi-check.ts) must itself be
// able to fail: against the document the gateway serves, it accepts what the API really answers
// and refuses what the document does not allow.
import { describe, expect, it } from 'vitest';
import { api, stack } from './support/api.js';
import { createOpenApiChecker, OpenApiMismatch, openApiChecker } from './support/openapi-check.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const errorBody = (errorType: string) => ({ exceptionType: 'x', exceptionMessage: 'Unable to x because y', errorType, data: {} });

describe('OpenAPI response check', () => {
  it('serves a valid OpenAPI 3.1 document without an API key', async () => {
    const res = await fetch(`${stack().restUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    const checker = await openApiChecker(stack().restUrl, stack().dataDir);
    expect(checker.document.openapi).toMatch(/^3\.1\./);
    for (const p of ['/api/asset/image', '/api/asset/gif', '/api/asset/video', '/api/asset/{id}', '/api/asset', '/api/event', '/api/vuflow']) {
      expect(Object.keys(checker.document.paths)).toContain(p);
    }
  });

  it('refuses an invalid document', async () => {
    const { document } = await openApiChecker(stack().restUrl, stack().dataDir);
    const broken = structuredClone(document);
    broken.paths['/api/asset/{id}'].get.responses = 'none';
    await expect(createOpenApiChecker(broken)).rejects.toThrow(OpenApiMismatch);
    await expect(createOpenApiChecker({ ...document, openapi: '3.0.3' })).rejects.toThrow(OpenApiMismatch);
  });

  it('accepts the real answers and refuses bodies, statuses and routes the document does not list', async () => {
    const checker = await openApiChecker(stack().restUrl, stack().dataDir);
    // A real answer, through the helper every contract test uses (it checks too).
    const list = await api('GET', '/api/vuflow/');
    expect(list.status).toBe(200);
    expect(() => checker.check('GET', '/api/vuflow/', 200, JSON_TYPE, list.body)).not.toThrow();
    const missing = await api('GET', '/api/asset/00000000-0000-4000-8000-00000000abcd');
    expect(missing.status).toBe(404);

    // A body of the wrong shape.
    expect(() => checker.check('GET', '/api/vuflow/', 200, JSON_TYPE, [{ id: 7 }])).toThrow(OpenApiMismatch);
    expect(() => checker.check('GET', '/api/asset/x/', 200, JSON_TYPE, { ...missing.body })).toThrow(/does not match/);
    // A status the operation does not list.
    expect(() => checker.check('POST', '/api/asset/image/', 418, JSON_TYPE, errorBody('Teapot'))).toThrow(/lists no 418/);
    // JSON promised, something else answered.
    expect(() => checker.check('GET', '/api/vuflow', 200, 'text/html', '<html>')).toThrow(/text\/html/);
    // Outside the document: only a refusal in the error shape.
    expect(() => checker.check('GET', '/api/nothing', 404, JSON_TYPE, errorBody('RouteNotFound'))).not.toThrow();
    expect(() => checker.check('GET', '/api/nothing', 200, JSON_TYPE, {})).toThrow(/not in the document/);
    expect(() => checker.check('GET', '/api/nothing', 404, 'text/plain', 'not found')).toThrow(OpenApiMismatch);
    expect(() => checker.check('PATCH', '/api/asset/', 405, JSON_TYPE, errorBody('MethodNotAllowed'))).not.toThrow();
    expect(() => checker.check('PATCH', '/api/asset/', 200, JSON_TYPE, [])).toThrow(OpenApiMismatch);
    expect(() => checker.check('GET', '/elsewhere', 200, 'text/plain', 'x')).toThrow(/outside \/api\//);
  });
});
