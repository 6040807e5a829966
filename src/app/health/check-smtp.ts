import { smtpAddress, verifySmtp } from '../../adapters/mail/verify-smtp.ts';
import type { HandoffConfig } from '../../config/schema.ts';
import { fail, ok, warn, type HealthCheck } from './health-check.ts';

const PART = 'SMTP';

/** Connects and logs in to the configured SMTP server without sending anything. */
export async function checkSmtp(config: HandoffConfig): Promise<HealthCheck> {
  const url = config.mail?.smtp;
  if (!url)
    return warn(
      PART,
      'mail.smtp is not set, so dunning e-mails are written to the log, not sent',
      'Set mail.smtp (SMTP_URL) to smtp://user:password@host:587 or smtps://user:password@host:465 before going live.',
    );
  const where = smtpAddress(url);
  const verified = await verifySmtp(url);
  if (verified.ok) return ok(PART, `${where} accepted the connection and the login (no e-mail sent)`);
  switch (verified.kind) {
    case 'auth':
      return fail(
        PART,
        `${where} refused the login: ${verified.message}`,
        'Check the user name and password in mail.smtp (many providers want an app password or an API key as the password).',
      );
    case 'connection':
      return fail(
        PART,
        `cannot connect to ${where}: ${verified.message}`,
        'Check the host and port; use smtps:// for port 465 and smtp:// for 587 or 25, and check that this server may connect out on that port.',
      );
    case 'other':
      return fail(
        PART,
        `${where}: ${verified.message}`,
        'Check mail.smtp against what your mail provider gives for SMTP.',
      );
  }
}
