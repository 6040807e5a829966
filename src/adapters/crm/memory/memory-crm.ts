/**
 * The "remote side" of the memory connector: the data a CRM would hold, plus the same failure
 * modes the HTTP fakes offer, so sync-layer tests can drive rate limits, outages and bad keys
 * without a server.
 */
import type { FakeMode } from '../fake-mode.ts';

export interface MemoryContact {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  tags: Set<string>;
}

export class MemoryCrm {
  readonly contacts = new Map<string, MemoryContact>();
  mode: FakeMode = 'normal';
  private nextId = 1;

  constructor(readonly validApiKey: string) {}

  findByEmail(email: string): MemoryContact | undefined {
    const wanted = email.toLowerCase();
    return [...this.contacts.values()].find((contact) => contact.email.toLowerCase() === wanted);
  }

  create(email: string): MemoryContact {
    const contact: MemoryContact = {
      id: `mem-${this.nextId++}`,
      email,
      firstName: null,
      lastName: null,
      tags: new Set(),
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  setMode(mode: FakeMode): void {
    this.mode = mode;
  }

  /** A CRM user tagging the contact by hand: Handoff is not involved. */
  tagOutsideHandoff(email: string, tag: string): void {
    const contact = this.findByEmail(email);
    if (!contact) throw new Error(`memory CRM has no contact ${email}`);
    contact.tags.add(tag);
  }
}
