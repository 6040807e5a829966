import type { Logger } from 'pino';
import type { HandoffConfig } from '../../config/schema.ts';
import { createLogMailer } from './log-mailer.ts';
import type { Mailer } from './mailer.ts';
import { createSmtpMailer } from './smtp-mailer.ts';

/** Used only in the log when no `mail` section names a sender. */
const LOGGED_MAIL_SENDER = 'Handoff <handoff@localhost>';

/** SMTP when `mail.smtp` is set; otherwise e-mails go to the log, never silently nowhere. */
export function createMailer(config: HandoffConfig, log: Logger): Mailer {
  const mail = config.mail;
  if (mail?.smtp) return createSmtpMailer(mail.smtp, mail.from);
  return createLogMailer(log, mail?.from ?? LOGGED_MAIL_SENDER);
}
