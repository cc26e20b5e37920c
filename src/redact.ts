/** Passwords never reach logs, artifacts or error messages: every secret read from a profile is registered here and masked on output. */
const secrets = new Set<string>();
/** Longest first: a secret inside a longer one must not leave the rest of the longer one behind. */
let longestFirst: string[] = [];

/**
 * Values tsdbt prints by design (the target's user, host, database and schema). A password may equal one of them
 * (user = password = postgres): its occurrences stay whole, or the banner would read `user *****`, and the secret is
 * masked everywhere else. The password itself is printed nowhere: no message, artifact or frame holds that field.
 */
const shownValues = new Set<string>();
/** The shown values that contain a secret, as one pattern (longest first); undefined when none does. */
let shownAroundSecrets: RegExp | undefined;

export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 3 || secrets.has(value)) return;
  secrets.add(value);
  longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  updateShownPattern();
}

/** Every secret environment variable (TSDBT_ENV_SECRET_*, DBT_ENV_SECRET_*) is masked wherever its value shows up. */
export function registerSecretEnvironment(env: NodeJS.ProcessEnv, isSecret: (name: string) => boolean): void {
  for (const [name, value] of Object.entries(env)) if (isSecret(name)) registerSecret(value);
}

export function registerShownValues(values: Array<string | undefined>): void {
  for (const value of values) if (value) shownValues.add(value);
  updateShownPattern();
}

function updateShownPattern(): void {
  const shown = [...shownValues].filter((value) => [...secrets].some((secret) => value.includes(secret)));
  shownAroundSecrets = shown.length === 0 ? undefined : new RegExp(shown.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
}

/**
 * Forgets every secret and shown value: for a process that runs independent invocations one after another, where one
 * invocation's secrets must not mask another's output (the test workers, which run test file after test file).
 */
export function forgetSecrets(): void {
  secrets.clear();
  longestFirst = [];
  shownValues.clear();
  shownAroundSecrets = undefined;
}

export function redact(text: string): string {
  if (!shownAroundSecrets) return maskSecrets(text);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(shownAroundSecrets)) {
    out += maskSecrets(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + maskSecrets(text.slice(last));
}

function maskSecrets(text: string): string {
  let out = text;
  for (const secret of longestFirst) out = out.split(secret).join('*****');
  return out;
}

/** Keys whose values are credentials, by their name: `password`, `pass`, `token`, `private_key`, `client_secret`... */
const SECRET_KEY = /pass|pwd|secret|token|key|credential|auth/i;

export function isSecretKey(key: unknown): boolean {
  return typeof key === 'string' && SECRET_KEY.test(key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
