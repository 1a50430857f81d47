// The web app manifest (/manifest.webmanifest): Leash can be added to a phone's home screen and
// opens on the Approvals inbox, standalone, where push notifications (public/sw.js) lead.
import type { MetadataRoute } from 'next';

export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Leash approvals',
    short_name: 'Leash',
    description: 'Approve or deny what your AI agents ask for.',
    id: '/approvals',
    start_url: '/approvals',
    scope: '/',
    display: 'standalone',
    background_color: '#f6f7f9',
    theme_color: '#0b0e14',
    icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
  };
}
