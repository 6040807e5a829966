/** One line of `handoff doctor` and of the console's go-live checklist. */
export interface HealthCheck {
  /** What was checked: "ThriveCart", "CRM activecampaign", "SMTP", ... */
  part: string;
  /** `warn` is worth reading but does not make `doctor` fail. */
  status: 'ok' | 'warn' | 'fail';
  /** What was found, in plain words (never a secret). */
  message: string;
  /** What to do, when something is to be done. */
  fix?: string;
}

export const ok = (part: string, message: string): HealthCheck => ({ part, status: 'ok', message });
export const warn = (part: string, message: string, fix?: string): HealthCheck => ({
  part,
  status: 'warn',
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (part: string, message: string, fix: string): HealthCheck => ({
  part,
  status: 'fail',
  message,
  fix,
});
