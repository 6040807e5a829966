import type { ContactRow } from '../../adapters/store/contacts.ts';

/** Who an event is about, as every webhook's data starts. */
export function personOf(contact: Pick<ContactRow, 'id' | 'email' | 'firstName' | 'lastName'>): {
  contactId: number;
  email: string;
  name: string | null;
} {
  return {
    contactId: contact.id,
    email: contact.email,
    name: [contact.firstName, contact.lastName].filter((part) => part).join(' ') || null,
  };
}
