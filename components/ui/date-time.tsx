// A timestamp rendered on the server in the user's own time zone (Settings), with the exact
// instant in `dateTime` for machines and the title for people.
export function DateTime({ value, timeZone }: { value: Date; timeZone: string }) {
  const text = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(value);
  return (
    <time dateTime={value.toISOString()} title={value.toISOString()}>
      {text}
    </time>
  );
}
