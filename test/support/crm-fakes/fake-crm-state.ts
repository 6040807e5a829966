/**
 * What a fake CRM remembers: contacts, tags and which contact holds which tag. Every provider's
 * fake shares this model and renders it in its own shapes, so tests can inspect any of them (and
 * tag a contact "outside Handoff", as a CRM user would) the same way.
 *
 * Ids come from separate ranges (contacts 101+, tags 1+, associations 9001+) so a connector that
 * sends one kind of id where another belongs hits nothing instead of hitting by luck.
 */

export interface FakeContact {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** Provider custom fields by key (Kit keeps the last name here as `last_name`). */
  fields: Record<string, string>;
  /** Kit cannot delete subscribers through its API, only unsubscribe them. */
  unsubscribed: boolean;
}

export interface FakeTag {
  id: number;
  name: string;
}

export interface FakeAssociation {
  id: number;
  contactId: number;
  tagId: number;
}

export class FakeCrmState {
  readonly contacts = new Map<number, FakeContact>();
  readonly tags = new Map<number, FakeTag>();
  readonly associations = new Map<number, FakeAssociation>();
  private nextContactId = 101;
  private nextTagId = 1;
  private nextAssociationId = 9001;

  findContactByEmail(email: string): FakeContact | undefined {
    const wanted = email.toLowerCase();
    return [...this.contacts.values()].find((contact) => contact.email.toLowerCase() === wanted);
  }

  createContact(email: string): FakeContact {
    const contact: FakeContact = {
      id: this.nextContactId++,
      email,
      firstName: null,
      lastName: null,
      fields: {},
      unsubscribed: false,
    };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /**
   * Create-or-update by email, as every provider's upsert does: a name given as a string is
   * written, anything else (absent, null) leaves the stored name alone.
   */
  upsertContact(email: string, firstName: unknown, lastName: unknown): { contact: FakeContact; created: boolean } {
    const existing = this.findContactByEmail(email);
    const contact = existing ?? this.createContact(email);
    if (typeof firstName === 'string') contact.firstName = firstName;
    if (typeof lastName === 'string') contact.lastName = lastName;
    return { contact, created: existing === undefined };
  }

  deleteContact(contactId: number): boolean {
    for (const association of this.associationsOf(contactId)) this.associations.delete(association.id);
    return this.contacts.delete(contactId);
  }

  findTagByName(name: string, match: 'exact' | 'case-insensitive' = 'exact'): FakeTag | undefined {
    const same =
      match === 'exact'
        ? (tag: FakeTag) => tag.name === name
        : (tag: FakeTag) => tag.name.toLowerCase() === name.toLowerCase();
    return [...this.tags.values()].find(same);
  }

  createTag(name: string): FakeTag {
    const tag: FakeTag = { id: this.nextTagId++, name };
    this.tags.set(tag.id, tag);
    return tag;
  }

  ensureTag(name: string): FakeTag {
    return this.findTagByName(name) ?? this.createTag(name);
  }

  findAssociation(contactId: number, tagId: number): FakeAssociation | undefined {
    return this.associationsOf(contactId).find((association) => association.tagId === tagId);
  }

  /** Applies a tag; returns the association and whether it is new. */
  applyTag(contactId: number, tagId: number): { association: FakeAssociation; created: boolean } {
    const existing = this.findAssociation(contactId, tagId);
    if (existing) return { association: existing, created: false };
    const association: FakeAssociation = { id: this.nextAssociationId++, contactId, tagId };
    this.associations.set(association.id, association);
    return { association, created: true };
  }

  removeTag(contactId: number, tagId: number): boolean {
    const existing = this.findAssociation(contactId, tagId);
    return existing ? this.associations.delete(existing.id) : false;
  }

  associationsOf(contactId: number): FakeAssociation[] {
    return [...this.associations.values()].filter((association) => association.contactId === contactId);
  }

  tagNamesOf(contactId: number): string[] {
    return this.associationsOf(contactId).map((association) => this.tags.get(association.tagId)?.name ?? '?');
  }

  /** A CRM user tagging the contact in the CRM's own UI: Handoff is not involved. */
  tagOutsideHandoff(email: string, tagName: string): void {
    const contact = this.findContactByEmail(email);
    if (!contact) throw new Error(`fake CRM has no contact ${email}`);
    this.applyTag(contact.id, this.ensureTag(tagName).id);
  }
}
