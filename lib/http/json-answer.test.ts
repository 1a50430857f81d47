import { describe, expect, it } from 'vitest';
import { answerText, jsonAnswer } from '@/lib/http/json-answer';

describe('a JSON answer', () => {
  it('is the Response that Response.json makes, and keeps its text for the server', async () => {
    const body = { error: 'invalid_token', error_description: 'The token is "revoked" — ünïcode', n: [1, null] };
    const init = { status: 401, headers: { 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Bearer error="invalid_token"' } };
    const ours = jsonAnswer(body, init);
    const reference = Response.json(body, init);
    expect(ours.status).toBe(reference.status);
    expect([...ours.headers]).toEqual([...reference.headers]);
    const text = await reference.text();
    expect(answerText(ours)).toBe(text);
    expect(await ours.text()).toBe(text);
  });

  it('keeps a content type it is given, and nothing is remembered for other responses', () => {
    const problem = jsonAnswer({ title: 'x' }, { headers: { 'content-type': 'application/problem+json' } });
    expect(problem.headers.get('content-type')).toBe('application/problem+json');
    expect(answerText(Response.json({ a: 1 }))).toBeUndefined();
    expect(answerText(new Response(problem.body, problem))).toBeUndefined();
  });
});
