// Leash's service worker (issue 17): shows the Web Push messages the server sends (RFC 8030; the
// browser has already decrypted them, RFC 8291) with a "Review" action, and opens the page the
// message names when it is clicked. It never decides anything: the page it opens asks for the
// user's session and second factor like any other visit. Only paths of this origin are opened.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function pathOf(url) {
  try {
    const parsed = new URL(url, self.location.origin);
    return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return '/approvals';
  }
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const approval = typeof data.tag === 'string' && data.tag.startsWith('approval-');
  event.waitUntil(
    self.registration.showNotification(data.title || 'Leash', {
      body: data.body || '',
      tag: data.tag,
      renotify: Boolean(data.tag),
      requireInteraction: approval,
      icon: '/icon.svg',
      badge: '/icon.svg',
      data: { url: pathOf(data.url || '/approvals') },
      actions: approval ? [{ action: 'review', title: 'Review' }] : [],
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/approvals';
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if ('navigate' in client) {
          await client.navigate(url).catch(() => {});
          return client.focus();
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});
