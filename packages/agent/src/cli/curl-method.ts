// The HTTP method a curl command line will use, for the DPoP proof's `htm` (RFC 9449 §4.2): `leash curl`
// signs the request before curl sends it, so it must know the method curl will choose.
/** The HTTP method curl will use, for the proof's `htm` (RFC 9449 §4.2). */
export function curlMethod(args: string[]): string {
  let method = 'GET';
  let explicit: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-X' || arg === '--request') explicit = args[++i];
    else if (arg.startsWith('-X') && arg.length > 2) explicit = arg.slice(2);
    else if (/^(-d|--data(-raw|-binary|-urlencode|-ascii)?|--json|-F|--form)$/.test(arg) || (arg.startsWith('-d') && arg.length > 2)) method = 'POST';
    else if (arg === '-I' || arg === '--head') method = 'HEAD';
    else if (arg === '-G' || arg === '--get') method = 'GET';
  }
  return (explicit ?? method).toUpperCase();
}
