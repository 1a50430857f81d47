// POSTs to one of the dashboard's JSON routes; a failure becomes an Error carrying the server's
// sentence for people (`message`), or a plain one when the server could not be reached.
export async function postJson(path: string, body?: unknown) {
  const response = await fetch(path, {
    method: 'POST',
    headers: body ? { 'Content-Type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => null);
  if (!response?.ok) {
    const problem = (await response?.json().catch(() => null)) as { message?: string } | null;
    throw new Error(problem?.message ?? 'The server could not be reached. Please try again.');
  }
  return response.json();
}
