// GET /api/live: the signed-in user's live updates as Server-Sent Events (DECISIONS 8). Each change
// to their tokens or grants, from any instance, arrives as an event naming what changed; the
// browser refreshes that part of its react-query cache. A comment every 15 s keeps proxies from
// closing the stream; `retry` tells the browser to reconnect after 1 s if it drops, and a
// `resync` event follows any gap on the server's side.
import 'server-only';
import { getCurrentUser } from '@/lib/auth/session';
import { ApiError, apiErrorResponse } from '@/lib/http/api-error';
import { subscribeLive, type LiveEvent } from '@/lib/live/live-channel';

const HEARTBEAT_MS = 15_000;

export async function handleLiveEvents(request: Request): Promise<Response> {
  try {
    const user = await getCurrentUser();
    if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in to receive live updates.');
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            cleanup();
          }
        };
        const unsubscribe = await subscribeLive(user.id, (event: LiveEvent) => {
          // The server is shutting down: end the stream, the browser reconnects (`retry`).
          if (event.topic === 'closing') return close();
          const data = event.topic === 'resync' ? {} : { id: event.id, agent_id: event.agent_id, op: event.op };
          send(`event: ${event.topic}\ndata: ${JSON.stringify(data)}\n\n`);
        });
        const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
        cleanup = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        const close = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed
          }
        };
        request.signal.addEventListener('abort', close);
        send('retry: 1000\nevent: ready\ndata: {}\n\n');
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        // no-transform: no compression or buffering between here and the browser.
        'Cache-Control': 'no-cache, no-store, no-transform',
        'X-Accel-Buffering': 'no',
        Connection: 'keep-alive',
      },
    });
  } catch (error) {
    return apiErrorResponse(error, { 'Cache-Control': 'no-store' });
  }
}
