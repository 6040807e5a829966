/**
 * How Handoff spells an e-mail address everywhere it stores or looks one up: trimmed and lower
 * case (ThriveCart sends what the buyer typed). Intake, lookups and erasure all use this one
 * function, so erasing "Ada@Example.com " finds what intake stored for it.
 */
export function normaliseEmail(text: string): string {
  return text.trim().toLowerCase();
}
