/** Passwords never reach logs, artifacts or error messages: every secret read from a profile is registered here and masked on output. */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value);
}

/** Every secret environment variable (TSDBT_ENV_SECRET_*, DBT_ENV_SECRET_*) is masked wherever its value shows up. */
export function registerSecretEnvironment(env: NodeJS.ProcessEnv, isSecret: (name: string) => boolean): void {
  for (const [name, value] of Object.entries(env)) if (isSecret(name)) registerSecret(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('*****');
  return out;
}
