/** One e-mail, ready to go: rendered, addressed (the sender comes from the mail configuration). */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** `sent`: an SMTP server accepted it. `logged`: no SMTP is configured, so it went to the log instead. */
export type MailOutcome = { delivery: 'sent'; messageId: string } | { delivery: 'logged' };

/** Sends e-mail. Throws MailDeliveryError when the mail server did not accept the message. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<MailOutcome>;
}

/**
 * The mail server did not take the message. `permanent` when it refused the recipient for good
 * (5xx to RCPT TO): sending again cannot help. Anything else (unreachable, 4xx, authentication,
 * timeouts) may pass later.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';

  constructor(
    message: string,
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
