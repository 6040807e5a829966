/**
 * The CrmConnector contract, run against every connector talking to its provider's fake server,
 * and against the in-memory reference connector. A behaviour belongs here when the sync layer
 * relies on it whatever the provider; provider quirks live in `<provider>.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmConnector } from '../../src/ports/crm-connector.ts';
import { RATE_LIMITED_MODE_WAIT_SECONDS, type FakeMode, type FakeReply } from '../support/crm-fakes/fake-crm-server.ts';
import { MemoryCrmConnector } from '../../src/adapters/crm/memory/connector.ts';
import { MemoryCrm } from '../../src/adapters/crm/memory/memory-crm.ts';
import { memoryOptionsSchema } from '../../src/adapters/crm/memory/options.ts';
import { crmErrorFrom } from './rejection.ts';
import { contractSubjectsOverFakes, type ContractHarness, type ContractSubject } from './contract-subjects.ts';

const GOOD_KEY = 'good-key-0123456789';

const memorySubject: ContractSubject = {
  provider: 'memory',
  givesRetryAfter: true,
  overHttp: false,
  pageSize: 100,
  start: async () => {
    const crm = new MemoryCrm(GOOD_KEY);
    const connectorFor = (apiKey: string) =>
      new MemoryCrmConnector(memoryOptionsSchema.parse({ provider: 'memory', apiKey }), crm);
    return {
      connector: connectorFor(GOOD_KEY),
      connectorWithWrongKey: connectorFor('wrong-key'),
      anotherConnector: () => connectorFor(GOOD_KEY),
      wrongKey: 'wrong-key',
      setMode: (mode: FakeMode) => crm.setMode(mode),
      tagOutsideHandoff: (email, tag) => crm.tagOutsideHandoff(email, tag),
      namesOf: (email) => {
        const contact = crm.findByEmail(email);
        return contact && { firstName: contact.firstName, lastName: contact.lastName };
      },
      holdsContact: (email) => crm.findByEmail(email) !== undefined,
      deleteOutsideHandoff: (email) => {
        const contact = crm.findByEmail(email);
        if (contact) crm.contacts.delete(contact.id);
      },
      answerEverything: () => {
        throw new Error('the memory CRM has no HTTP answers to replace');
      },
      close: async () => undefined,
    };
  },
};

const subjects: ContractSubject[] = [memorySubject, ...contractSubjectsOverFakes(GOOD_KEY)];

const sorted = (names: string[]) => [...names].sort();
const sameIgnoringCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a server that is not the provider's (a proxy's page, a catch-all stub) answers with HTTP 200. */
const unusableAnswers: [string, FakeReply][] = [
  ['{}', { status: 200, json: {} }],
  [
    'an HTML page',
    { status: 200, headers: { 'content-type': 'text/html' }, text: '<!doctype html><html><body>Welcome</body></html>' },
  ],
  ['unrelated JSON', { status: 200, json: { ok: true, data: [], items: [], id: 1 } }],
];

describe.each(subjects)('CrmConnector contract: $provider', (subject) => {
  let harness: ContractHarness;
  let crm: CrmConnector;

  beforeEach(async () => {
    harness = await subject.start();
    crm = harness.connector;
  });
  afterEach(async () => {
    await harness.close();
  });

  it('creates a contact, then updates the same one matched by email whatever its case', async () => {
    const created = await crm.upsertContact({ email: 'Ada@Example.com', firstName: 'Ada', lastName: 'Lovelace' });
    const updated = await crm.upsertContact({ email: 'ada@example.com', firstName: 'Augusta', lastName: 'King' });

    expect(updated).toBe(created);
    expect(harness.namesOf('ada@example.com')).toEqual({ firstName: 'Augusta', lastName: 'King' });
  });

  it('leaves existing names alone when Handoff has none', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });

    expect(await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null })).toBe(id);
    expect(harness.namesOf('ada@example.com')).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });

    await crm.upsertContact({ email: 'ada@example.com', firstName: 'Augusta', lastName: null });
    expect(harness.namesOf('ada@example.com')).toEqual({ firstName: 'Augusta', lastName: 'Lovelace' });
  });

  it('adds tags, creating missing ones, and adding again changes nothing', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });

    await crm.addTags(id, 'ada@example.com', ['Customer', 'VIP']);
    await crm.addTags(id, 'ada@example.com', ['VIP', 'Course / Level 2']);

    expect(sorted(await crm.readTags(id, 'ada@example.com'))).toEqual(['Course / Level 2', 'Customer', 'VIP']);
  });

  it('removes only the named tags, tolerating tags the contact lacks and tags that do not exist', async () => {
    const other = await crm.upsertContact({ email: 'grace@example.com', firstName: null, lastName: null });
    await crm.addTags(other, 'grace@example.com', ['Held by someone else']);
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
    await crm.addTags(id, 'ada@example.com', ['A', 'B', 'C']);

    await crm.removeTags(id, 'ada@example.com', ['B', 'Held by someone else', 'Exists nowhere']);
    await crm.removeTags(id, 'ada@example.com', ['B']);

    expect(sorted(await crm.readTags(id, 'ada@example.com'))).toEqual(['A', 'C']);
    expect(await crm.readTags(other, 'grace@example.com')).toEqual(['Held by someone else']);
  });

  it('reads every tag the contact holds, including tags applied outside Handoff', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
    expect(await crm.readTags(id, 'ada@example.com')).toEqual([]);

    await crm.addTags(id, 'ada@example.com', ['Customer']);
    harness.tagOutsideHandoff('ada@example.com', 'Added by hand');

    expect(sorted(await crm.readTags(id, 'ada@example.com'))).toEqual(['Added by hand', 'Customer']);
  });

  it('deletes a contact, and deleting it again is not an error', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: 'Ada', lastName: null });

    await crm.deleteContact(id, 'ada@example.com');
    expect(harness.holdsContact('ada@example.com')).toBe(false);

    await expect(crm.deleteContact(id, 'ada@example.com')).resolves.toBeUndefined();
  });

  it('passes check() with a good key and reports a wrong key as an auth error without quoting it', async () => {
    await expect(crm.check()).resolves.toBeUndefined();

    const error = await crmErrorFrom(harness.connectorWithWrongKey.check());
    expect(error.kind).toBe('auth');
    expect(error.details.provider).toBe(subject.provider);
    expect(error.message).not.toContain(harness.wrongKey);
  });

  it('reports a rate-limited provider as rate_limited, with the wait when the provider states one', async () => {
    harness.setMode('rate-limited');

    const error = await crmErrorFrom(crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null }));

    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterMs).toBe(
      subject.givesRetryAfter ? RATE_LIMITED_MODE_WAIT_SECONDS * 1000 : undefined,
    );
  });

  it('reports an outage as transient', async () => {
    harness.setMode('outage');

    const error = await crmErrorFrom(crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null }));

    expect(error.kind).toBe('transient');
  });

  it('reports a validation failure (invalid email) as permanent', async () => {
    const error = await crmErrorFrom(crm.upsertContact({ email: 'not-an-email', firstName: null, lastName: null }));

    expect(error.kind).toBe('permanent');
  });

  it.skipIf(!subject.overHttp).each(unusableAnswers)(
    'fails check() against a server that answers %s to everything',
    async (_what, reply) => {
      harness.answerEverything(reply);

      const error = await crmErrorFrom(crm.check());

      expect(error.kind).toBe('permanent');
      expect(error.details).toMatchObject({ provider: subject.provider, status: 200 });
      expect(error.message).toMatch(/unusable answer|no Ontraport envelope/);
    },
  );

  it.skipIf(!subject.overHttp).each(unusableAnswers)(
    'reports %s answered to an upsert or a tag read as permanent, never as done',
    async (_what, reply) => {
      const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
      harness.answerEverything(reply);

      expect(
        (await crmErrorFrom(crm.upsertContact({ email: 'ada@example.com', firstName: 'Ada', lastName: null }))).kind,
      ).toBe('permanent');
      expect((await crmErrorFrom(crm.readTags(id, 'ada@example.com'))).kind).toBe('permanent');
    },
  );

  it('reads every tag of a contact holding more than one page of them', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
    await crm.addTags(id, 'ada@example.com', ['Customer']);
    const byHand = Array.from(
      { length: subject.pageSize + 1 },
      (_, index) => `By hand ${String(index).padStart(4, '0')}`,
    );
    for (const tag of byHand) harness.tagOutsideHandoff('ada@example.com', tag);

    expect(sorted(await crm.readTags(id, 'ada@example.com'))).toEqual(sorted([...byHand, 'Customer']));

    await crm.removeTags(id, 'ada@example.com', ['Customer']);
    expect(await crm.readTags(id, 'ada@example.com')).toHaveLength(byHand.length);
  });

  it('copes with a tag the CRM already holds in other letter case, and removes what it applied', async () => {
    const other = await crm.upsertContact({ email: 'grace@example.com', firstName: null, lastName: null });
    harness.tagOutsideHandoff('grace@example.com', 'vip');
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });

    await crm.addTags(id, 'ada@example.com', ['VIP']);
    expect((await crm.readTags(id, 'ada@example.com')).filter((tag) => sameIgnoringCase(tag, 'VIP'))).toHaveLength(1);

    await crm.removeTags(id, 'ada@example.com', ['VIP']);
    expect((await crm.readTags(id, 'ada@example.com')).filter((tag) => sameIgnoringCase(tag, 'VIP'))).toEqual([]);
    // The other person keeps theirs (the same tag, where the CRM matches names ignoring case).
    expect((await crm.readTags(other, 'grace@example.com')).filter((tag) => sameIgnoringCase(tag, 'vip'))).toHaveLength(
      1,
    );
  });

  it.skipIf(!subject.overHttp)(
    'waits as long as a 429 says in Retry-After, whatever the provider usually sends',
    async () => {
      harness.answerEverything({ status: 429, headers: { 'Retry-After': '3' }, text: 'Too Many Requests' });

      const error = await crmErrorFrom(
        crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null }),
      );

      expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 3000 } });
    },
  );

  it.skipIf(!subject.overHttp)('reports a 429 without Retry-After as rate_limited with no stated wait', async () => {
    harness.answerEverything({ status: 429 });

    const error = await crmErrorFrom(crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null }));

    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429 } });
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it('answers 404 for a person deleted in the CRM (so the sync looks them up again), and deleting them is not an error', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
    await crm.addTags(id, 'ada@example.com', ['Customer']);
    harness.deleteOutsideHandoff('ada@example.com');

    expect(await crmErrorFrom(crm.readTags(id, 'ada@example.com'))).toMatchObject({
      kind: 'permanent',
      details: { status: 404 },
    });
    await expect(crm.deleteContact(id, 'ada@example.com')).resolves.toBeUndefined();
    expect(await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null })).not.toBe(id);
  });

  it('fails with 404 when tagging a person deleted in the CRM, never losing the tag silently', async () => {
    const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
    harness.deleteOutsideHandoff('ada@example.com');
    // As after a restart: a connector that has not just saved the person (Ontraport's selects by id and answers success).
    const later = harness.anotherConnector();

    expect(await crmErrorFrom(later.addTags(id, 'ada@example.com', ['Customer']))).toMatchObject({
      kind: 'permanent',
      details: { status: 404 },
    });
  });

  it.skipIf(!subject.overHttp).each(unusableAnswers)(
    'reports %s answered to a tag write as permanent, never as done',
    async (_what, reply) => {
      const id = await crm.upsertContact({ email: 'ada@example.com', firstName: null, lastName: null });
      await crm.addTags(id, 'ada@example.com', ['Customer', 'Old']);
      harness.answerEverything(reply);

      expect((await crmErrorFrom(crm.addTags(id, 'ada@example.com', ['VIP']))).kind).toBe('permanent');
    },
  );
});
