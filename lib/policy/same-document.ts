// Whether two policy documents say the same thing, whatever order their keys are in: the editor's
// draft keeps the order fields were edited in, while a saved version comes back in the schema's
// order (and PostgreSQL's jsonb reorders keys too). Comparing JSON text made "You have unsaved
// changes" show after every save (issue 18). Absent and `undefined` fields are the same.
export function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}
