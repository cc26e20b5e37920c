/** Passwords never reach logs, artifacts or error messages: every secret read from a profile is registered here and masked on output. */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('*****');
  return out;
}
