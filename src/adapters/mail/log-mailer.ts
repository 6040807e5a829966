import type { Logger } from 'pino';
import type { Mailer, MailOutcome, OutgoingEmail } from './mailer.ts';

/**
 * Without an SMTP server, e-mails are written to the log instead (recipient, subject and the
 * plain-text body), so a trial run shows exactly what would have gone out.
 */
export function createLogMailer(log: Logger, from: string): Mailer {
  return {
    async send(email: OutgoingEmail): Promise<MailOutcome> {
      log.info(
        { mail: { from, to: email.to, subject: email.subject, text: email.text } },
        'e-mail logged, not sent (no mail.smtp configured)',
      );
      return { delivery: 'logged' };
    },
  };
}
