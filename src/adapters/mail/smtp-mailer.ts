import nodemailer from 'nodemailer';
import { MailDeliveryError, type Mailer, type MailOutcome, type OutgoingEmail } from './mailer.ts';

/** Short enough that a hanging server fails the attempt well within a job's lease. */
const TIMEOUT_MS = 30_000;

/** Sends through the SMTP server of an `smtp://` or `smtps://` URL (user and password in the URL). */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  return {
    async send(email: OutgoingEmail): Promise<MailOutcome> {
      try {
        const info = await transport.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
        });
        return { delivery: 'sent', messageId: info.messageId };
      } catch (error) {
        throw new MailDeliveryError(
          `SMTP: ${error instanceof Error ? error.message : String(error)}`,
          recipientRefused(error),
          { cause: error },
        );
      }
    },
  };
}

function recipientRefused(error: unknown): boolean {
  if (!(error instanceof Error) || !('responseCode' in error) || !('command' in error)) return false;
  const code = Number(error.responseCode);
  return error.command === 'RCPT TO' && code >= 500 && code < 600;
}
