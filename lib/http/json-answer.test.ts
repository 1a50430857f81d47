import { describe, expect, it, vi } from 'vitest';
import { answerBody, answerText, jsonAnswer } from '@/lib/http/json-answer';

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

  it("on the fast path's module instance, carries its text and no body stream; answerBody reads either kind", async () => {
    vi.resetModules();
    const fastPath = await import('@/lib/http/json-answer');
    fastPath.answersWrittenAsText();
    const body = { datasets: [{ id: 'd1', name: 'Sales' }] };
    const init = { status: 201, headers: { 'Cache-Control': 'no-store' } };
    const ours = fastPath.jsonAnswer(body, init);
    const reference = Response.json(body, init);
    expect(ours.body).toBeNull();
    expect(ours.status).toBe(201);
    expect([...ours.headers]).toEqual([...reference.headers]);
    const text = await reference.text();
    expect(fastPath.answerText(ours)).toBe(text);
    expect(await fastPath.answerBody(ours)).toBe(text);
    // This (the other) instance still builds bodies; answerBody reads any Response.
    expect(await jsonAnswer(body).text()).toBe(text);
    expect(await answerBody(new Response('plain'))).toBe('plain');
  });
});
