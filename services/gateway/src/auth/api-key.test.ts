import { describe, expect, it } from 'vitest';
import { ApiError } from '@framesmith/core/errors';
import { createApiKeyCheck } from './api-key.js';

const check = createApiKeyCheck(['k1', 'k2']);
const headers = (h: Record<string, string>) => (name: string) => h[name];
const refused = (h: Record<string, string>) => {
  try {
    check(headers(h));
  } catch (err) {
    return (err as ApiError).errorType;
  }
  return 'accepted';
};

describe('the API-key rule', () => {
  it('accepts a configured key in API-KEY or X-Auth-Key', () => {
    expect(check(headers({ 'api-key': 'k1' }))).toBe('k1');
    expect(check(headers({ 'x-auth-key': 'k2' }))).toBe('k2');
  });
  it('reads X-Auth-Key only when API-KEY is missing or empty', () => {
    expect(check(headers({ 'api-key': '', 'x-auth-key': 'k2' }))).toBe('k2');
    expect(refused({ 'api-key': 'nope', 'x-auth-key': 'k2' })).toBe('Unauthorized');
  });
  it('refuses a missing or unknown key as Unauthorized', () => {
    expect(refused({})).toBe('Unauthorized');
    expect(refused({ 'api-key': 'K1' })).toBe('Unauthorized');
    expect(refused({ authorization: 'k1' })).toBe('Unauthorized');
  });
});
