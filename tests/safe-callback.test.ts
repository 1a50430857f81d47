import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from '@/components/auth/safe-callback';

describe('safeCallbackPath (open-redirect guard after sign-in)', () => {
  it('keeps paths on this site', () => {
    expect(safeCallbackPath('/tokens')).toBe('/tokens');
    expect(safeCallbackPath('/audit?agent=a#x')).toBe('/audit?agent=a#x');
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'tokens', '/sign-in?callbackUrl=/x', '', null, undefined])('falls back to /agents for %s', (raw) => {
    expect(safeCallbackPath(raw)).toBe('/agents');
  });
});
