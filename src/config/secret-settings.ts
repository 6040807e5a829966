/**
 * The settings that hold secrets, by key path (`crm[0].apiKey`), so `handoff check-config` can say
 * where each one comes from. Any value may be encrypted; these are the ones that should be.
 */
const SECRET_SETTINGS: readonly RegExp[] = [
  /^thrivecart\.secret$/,
  /^crm\[\d+\]\.(apiKey|apiToken)$/,
  /^console\.password$/,
  /^webhooks\.endpoints\[\d+\]\.secret$/,
];

export function holdsSecret(path: string, value: string): boolean {
  if (SECRET_SETTINGS.some((pattern) => pattern.test(path))) return true;
  // An SMTP URL is a secret only when it carries a password (smtp://user:password@host).
  return path === 'mail.smtp' && URL.canParse(value) && new URL(value).password !== '';
}
