/**
 * Remembers, in this process, the last delivery refused for a wrong secret word or account, so
 * the setup page can say "ThriveCart is calling, but with the wrong secret". Deliberately not
 * stored: a refused request must leave no trace in the database.
 */
export class IntakeMonitor {
  private lastRefusal: { at: number; reason: string } | null = null;

  refused(at: number, reason: string): void {
    this.lastRefusal = { at, reason };
  }

  lastRefused(): { at: number; reason: string } | null {
    return this.lastRefusal;
  }
}
