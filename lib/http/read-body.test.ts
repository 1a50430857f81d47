import { describe, expect, it } from 'vitest';
import { attachBody, BodyNotUtf8Error, BodyTooLargeError, readBodyBytes, readBodyText } from '@/lib/http/read-body';

describe('readBodyBytes', () => {
  it('reads a streamed body (Next’s mount), bounded', async () => {
    const request = new Request('http://leash.test/oauth/token', { method: 'POST', body: 'grant_type=client_credentials' });
    expect((await readBodyBytes(request, 1000)).toString()).toBe('grant_type=client_credentials');
    await expect(readBodyBytes(new Request('http://leash.test/', { method: 'POST', body: 'x'.repeat(11) }), 10)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it('returns the body the fast path attached, under the same bound and the same strict decoding', async () => {
    const request = new Request('http://leash.test/oauth/token', { method: 'POST' });
    attachBody(request, Buffer.from('token=lsh_at_x'));
    expect(await readBodyText(request, 1000)).toBe('token=lsh_at_x');
    const large = new Request('http://leash.test/oauth/token', { method: 'POST' });
    attachBody(large, Buffer.alloc(11));
    await expect(readBodyBytes(large, 10)).rejects.toBeInstanceOf(BodyTooLargeError);
    const notUtf8 = new Request('http://leash.test/oauth/token', { method: 'POST' });
    attachBody(notUtf8, Buffer.from([0x61, 0xff, 0x62]));
    await expect(readBodyText(notUtf8, 10)).rejects.toBeInstanceOf(BodyNotUtf8Error);
  });

  it('a request without a body reads as empty', async () => {
    expect((await readBodyBytes(new Request('http://leash.test/', { method: 'POST' }), 10)).length).toBe(0);
  });
});
