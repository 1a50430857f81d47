// End-to-end tests against the production build, started the way operators start it
// (`server/main.ts`), on the database `npm test` prepared. Projects: `api` (HTTP, no browser),
// `browser` (Chromium), and `api-next`: the protocol specs again against a second server with the
// fast path off (LEASH_FAST_PATH=0), so the machine routes are tested on both mounts. Chromium: LEASH_CHROMIUM_PATH, else Debian's /usr/bin/chromium when
// present, else Playwright's own browser.
import fs from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import { SERVER_COMMAND } from './server/launch';

const port = Number(process.env.PORT ?? 3100);
const baseURL = process.env.LEASH_ISSUER ?? `http://localhost:${port}`;
// The second server (fast path off) on the port `npm test` picked for it.
const nextMountPort = Number(process.env.LEASH_TEST_NEXT_MOUNT_PORT ?? port + 2);
const nextMountURL = `http://localhost:${nextMountPort}`;
const PROTOCOL_SPECS =
  /api\/(oauth-token|oauth-introspect-revoke|oauth-par|oauth-private-key-jwt|dpop|resource-server|mcp|workspace-api|workspace-writes|token-exchange|token-exchange-narrowing|fast-path|authzen)\.spec\.ts/;
const serverEnv = {
  HOST: '127.0.0.1',
  // One trusted proxy hop lets each test act from its own client address (X-Forwarded-For).
  LEASH_TRUSTED_PROXIES: '1',
  LEASH_SIGNIN_ACCOUNT_LIMIT: '5',
  LEASH_SIGNIN_IP_LIMIT: '8',
  LEASH_SIGNUP_IP_LIMIT: '3',
  LEASH_TOKEN_IP_LIMIT: '300',
  LEASH_TOKEN_CLIENT_LIMIT: '10',
  LEASH_REGISTER_IP_LIMIT: '40',
  // The tests' own metadata-document servers on loopback (e2e/api/oauth-cimd.spec.ts, e2e/interop/).
  LEASH_CIMD_ALLOWLIST: `127.0.0.1:${process.env.LEASH_TEST_CIMD_PORT ?? 3101},127.0.0.1:${process.env.LEASH_TEST_INTEROP_CIMD_PORT ?? 3104}`,
  // The test's own webhook receiver (e2e/api/alerts.spec.ts) on loopback.
  LEASH_WEBHOOK_ALLOWLIST: `127.0.0.1:${process.env.LEASH_TEST_WEBHOOK_PORT ?? 3103}`,
  // Shared Signals pushes on loopback: the test's receiver (e2e/api/ssf.spec.ts) and the example
  // Fastify API (examples/fastify-api, e2e/browser/fastify-api.spec.ts).
  LEASH_SSF_ALLOWLIST: `127.0.0.1:${process.env.LEASH_TEST_SSF_PORT ?? 3105},127.0.0.1:${process.env.LEASH_TEST_FASTIFY_API_PORT ?? 3106}`,
  // Every answer of the agents' API any test provokes (HTTP or MCP) is checked against the output
  // schema the OpenAPI document publishes; a mismatch answers 500 naming the field
  // (lib/resource/check-response.ts). Off by default in production builds, on here.
  LEASH_CHECK_RESPONSES: '1',
};
const chromiumLaunch = (path: string | undefined) => ({
  executablePath: path,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const chromium = process.env.LEASH_CHROMIUM_PATH || (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [['list'], ['json'], ['./e2e/interop/matrix-reporter.ts']],
  outputDir: '.leash-test/playwright-output',
  // A failing test keeps its trace (actions, DOM snapshots, network); without the screencast, which
  // cost Chromium a quarter of the browser project's time on two CPUs.
  use: { baseURL, trace: { mode: 'retain-on-failure', screenshots: false } },
  projects: [
    { name: 'api', testMatch: /api\/.*\.spec\.ts/ },
    { name: 'api-next', testMatch: PROTOCOL_SPECS, use: { baseURL: nextMountURL } },
    // Pages share two CPUs with two servers, PostgreSQL and Chromium: a flow of a dozen page loads
    // and password hashes gets a budget that holds on a loaded CI machine. Budgets, not speed
    // checks (speed is `npm run bench`).
    {
      name: 'browser',
      testMatch: /browser\/.*\.spec\.ts/,
      timeout: 120_000,
      expect: { timeout: 15_000 },
      // A click or a page load that hangs fails at its own step (named in the report), not as the
      // test's timeout with no step named.
      use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunch(chromium), actionTimeout: 20_000, navigationTimeout: 30_000 },
    },
    // Third-party agents as shipped (e2e/interop/): each test names its client package and flow;
    // the matrix reporter writes docs/interop.md from them.
    { name: 'interop', testMatch: /interop\/.*\.spec\.ts/, timeout: 60_000, expect: { timeout: 15_000 }, use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunch(chromium) } },
  ],
  webServer: [
    {
      command: SERVER_COMMAND,
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...serverEnv, PORT: String(port) },
    },
    {
      command: SERVER_COMMAND,
      url: `${nextMountURL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...serverEnv, PORT: String(nextMountPort), LEASH_ISSUER: nextMountURL, LEASH_FAST_PATH: '0' },
    },
  ],
});
