/**
 * How the contract suite drives each HTTP connector: start the provider's fake, build the
 * connector through the registry (so config schemas are exercised too) and expose the fake's
 * state in provider-neutral terms.
 */
import type { CrmConnector } from '../../src/ports/crm-connector.ts';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import { startDripFake } from '../support/crm-fakes/drip.ts';
import type { FakeCrmServer, FakeMode, FakeReply } from '../support/crm-fakes/fake-crm-server.ts';
import type { FakeContact } from '../support/crm-fakes/fake-crm-state.ts';
import { startKeapFake } from '../support/crm-fakes/keap.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import { startOntraportFake } from '../support/crm-fakes/ontraport.ts';
import { createCrmConnector, crmConfigSchema } from '../../src/adapters/crm/registry.ts';

export interface ContractHarness {
  connector: CrmConnector;
  connectorWithWrongKey: CrmConnector;
  /** Another connector with the good key, knowing nothing yet (another process, or after a restart). */
  anotherConnector(): CrmConnector;
  wrongKey: string;
  setMode(mode: FakeMode): void;
  tagOutsideHandoff(email: string, tag: string): void;
  namesOf(email: string): { firstName: string | null; lastName: string | null } | undefined;
  /** Whether the CRM still holds the person (Kit: still subscribed, as its API cannot delete). */
  holdsContact(email: string): boolean;
  /** A CRM user deleting the person in the CRM's own UI (Kit's UI can, its API cannot). */
  deleteOutsideHandoff(email: string): void;
  /** Makes the server answer every call with `reply` (HTTP subjects only; see ContractSubject.overHttp). */
  answerEverything(reply: FakeReply | undefined): void;
  close(): Promise<void>;
}

export interface ContractSubject {
  provider: string;
  /** Whether the provider's 429 says how long to wait. */
  givesRetryAfter: boolean;
  /** Whether the connector talks HTTP (so it can meet answers that are not the provider's). */
  overHttp: boolean;
  /** The most rows one page of a contact's tags (or of the tag list the names come from) holds. */
  pageSize: number;
  start(): Promise<ContractHarness>;
}

interface FakeBackedProvider {
  provider: string;
  givesRetryAfter: boolean;
  pageSize: number;
  startFake(key: string): Promise<FakeCrmServer>;
  /** The `crm:` config entry pointing at the fake. */
  config(url: string, key: string): unknown;
  lastNameOf?(contact: FakeContact): string | null;
  isHeld?(contact: FakeContact): boolean;
}

const WRONG_KEY = 'wrong-key-9876543210';
const DRIP_ACCOUNT_ID = '9999999';
const ONTRAPORT_APP_ID = '2_12345_AbCdEf';

export const fakeBackedProviders: FakeBackedProvider[] = [
  {
    provider: 'activecampaign',
    givesRetryAfter: true,
    pageSize: 100,
    startFake: (key) => startActiveCampaignFake(key, { enforceBudget: false }),
    config: (url, key) => ({ provider: 'activecampaign', baseUrl: url, apiToken: key }),
  },
  {
    provider: 'drip',
    givesRetryAfter: false,
    // A subscriber's tags come whole in the subscriber record; 100 is Drip's usual page.
    pageSize: 100,
    startFake: (key) => startDripFake(DRIP_ACCOUNT_ID, key, { enforceBudget: false }),
    config: (url, key) => ({ provider: 'drip', baseUrl: url, accountId: DRIP_ACCOUNT_ID, apiToken: key }),
  },
  {
    provider: 'keap',
    givesRetryAfter: false,
    pageSize: 1000,
    startFake: (key) => startKeapFake(key, 'pat', { enforceBudget: false }),
    config: (url, key) => ({ provider: 'keap', baseUrl: url, keyType: 'pat', apiKey: key }),
  },
  {
    provider: 'kit',
    givesRetryAfter: false,
    pageSize: 1000,
    startFake: (key) => startKitFake(key, { enforceBudget: false }),
    config: (url, key) => ({ provider: 'kit', baseUrl: url, apiKey: key }),
    lastNameOf: (contact) => contact.fields.last_name ?? null,
    isHeld: (contact) => !contact.unsubscribed,
  },
  {
    provider: 'ontraport',
    givesRetryAfter: true,
    // contact_cat holds every tag id; the names come from the tag list, 50 a page.
    pageSize: 50,
    startFake: (key) => startOntraportFake(ONTRAPORT_APP_ID, key, { enforceBudget: false }),
    config: (url, key) => ({ provider: 'ontraport', baseUrl: url, appId: ONTRAPORT_APP_ID, apiKey: key }),
  },
];

export function contractSubjectsOverFakes(goodKey: string): ContractSubject[] {
  return fakeBackedProviders.map((spec) => ({
    provider: spec.provider,
    givesRetryAfter: spec.givesRetryAfter,
    overHttp: true,
    pageSize: spec.pageSize,
    start: async () => {
      const fake = await spec.startFake(goodKey);
      const connectorFor = (key: string) => createCrmConnector(crmConfigSchema.parse(spec.config(fake.url, key)));
      return {
        connector: connectorFor(goodKey),
        connectorWithWrongKey: connectorFor(WRONG_KEY),
        anotherConnector: () => connectorFor(goodKey),
        wrongKey: WRONG_KEY,
        setMode: (mode) => fake.setMode(mode),
        tagOutsideHandoff: (email, tag) => fake.state.tagOutsideHandoff(email, tag),
        namesOf: (email) => {
          const contact = fake.state.findContactByEmail(email);
          return contact && { firstName: contact.firstName, lastName: spec.lastNameOf?.(contact) ?? contact.lastName };
        },
        holdsContact: (email) => {
          const contact = fake.state.findContactByEmail(email);
          return contact !== undefined && (spec.isHeld?.(contact) ?? true);
        },
        deleteOutsideHandoff: (email) => {
          const contact = fake.state.findContactByEmail(email);
          if (contact) fake.state.deleteContact(contact.id);
        },
        answerEverything: (reply) => fake.answerEverything(reply),
        close: () => fake.close(),
      };
    },
  }));
}
