/** Loose email check shared by the memory CRM and the test fakes: enough to reject the obviously invalid, like providers do. */
export function isPlausibleEmail(email: unknown): email is string {
  return typeof email === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}
