'use client';

// Registers public/sw.js on the dashboard's pages, so an installed Leash (the web app manifest)
// shows push notifications and opens the approval they name. Renders nothing.
import { useEffect } from 'react';

export function ServiceWorker() {
  useEffect(() => {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }, []);
  return null;
}
