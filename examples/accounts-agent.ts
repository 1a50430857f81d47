// An example agent built on @leash/agent: a plain script, no framework. It connects to Leash (the
// person signs in and allows it in their browser), reads the sales data, pays an invoice, which the
// person's policy says needs their approval (the SDK asks them through Leash and waits for the
// decision, then pays with the just-in-time token), disputes another invoice, which needs a second
// factor (a step-up: the person confirms it with their authenticator in Leash, the SDK retries with
// the stronger token), and carries on. The e2e suite runs it against the test server
// (e2e/browser/agent-sdk.spec.ts) and plays the person's part in Chromium.
//
//   LEASH_RESOURCE=http://localhost:3000/api node --import tsx examples/accounts-agent.ts
//
// It prints one line per step ("OPEN <url>", "APPROVAL <message>", "STEP <name> <status> <json>"),
// so a person or a test can follow it.
import { connect, ApprovalDeniedError, SessionEndedError } from '@leash/agent';

const resource = process.env.LEASH_RESOURCE ?? 'http://localhost:3000/api';
const api = `${resource}/v1`;
const invoice = { number: 'INV-2026-0142', creditor: 'ACME Ltd', amount: '1250.00', currency: 'USD' };

function step(name: string, response: Response, body: unknown) {
  console.log(`STEP ${name} ${response.status} ${JSON.stringify(body)}`);
}

async function main() {
  // Discovery from the resource (RFC 9728), registration, PKCE and a DPoP key: all in connect().
  const agent = await connect({
    resource,
    scopes: ['datasets:read', 'reports:read', 'payments:write', 'invoices:read', 'invoices:write'],
    clientName: 'Example accounts agent',
    // A desktop agent opens the system browser here; this one prints the URL.
    openBrowser: (url) => console.log(`OPEN ${url}`),
    approval: { onPending: ({ bindingMessage }) => console.log(`APPROVAL ${bindingMessage}`) },
  });
  console.log(`CONNECTED ${agent.clientId}`);

  const datasets = await agent.fetch(`${api}/datasets`, { intent: 'Find the data for the month-end close' });
  step('datasets', datasets, await datasets.json());

  // The policy puts payments behind the person's approval: this one call waits for it.
  const payment = await agent.fetch(`${api}/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ amount: invoice.amount, currency: invoice.currency, creditor_name: invoice.creditor }),
    intent: `Pay invoice ${invoice.number} before it is due`,
    approval: {
      bindingMessage: `Pay ${invoice.creditor} ${invoice.amount} ${invoice.currency} for invoice ${invoice.number}`,
      // RFC 9396: a payment is approved only as exactly this payment.
      authorizationDetails: [{ type: 'payment_initiation', instructedAmount: { currency: invoice.currency, amount: invoice.amount }, creditorName: invoice.creditor }],
    },
  });
  step('payment', payment, await payment.json());

  // Disputing an invoice needs a second factor (the default policy's step-up tier): the same call
  // is refused with insufficient_user_authentication, the SDK asks the person, waits, and retries.
  const invoices = await agent.fetch(`${api}/invoices`, { intent: 'Check the open invoices' });
  const { invoices: list } = (await invoices.json()) as { invoices: { id: string; number: string; vendor: string; status: string }[] };
  const doubled = list.find((i) => i.vendor === 'Globex Corporation' && i.status === 'open')!;
  const dispute = await agent.fetch(`${api}/invoices/${doubled.id}/dispute`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ reason: 'Billed twice for November.' }),
    intent: `Dispute invoice ${doubled.number}: it bills November twice`,
    approval: { bindingMessage: `Dispute invoice ${doubled.number} from ${doubled.vendor}: billed twice for November` },
  });
  step('dispute', dispute, await dispute.json());

  const reports = await agent.fetch(`${api}/reports`, { intent: 'Check the close reports' });
  step('reports', reports, await reports.json());
}

main().catch((error: unknown) => {
  if (error instanceof ApprovalDeniedError) console.log(`DENIED ${error.bindingMessage}`);
  else if (error instanceof SessionEndedError) console.log(`ENDED ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
