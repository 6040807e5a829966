import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';

const BASE = 'thrivecart: { account: school, secret: word }\n';
const parse = (yaml: string) => parseConfig(BASE + yaml, 'handoff.config.yaml', {});

describe('crm: and accessally: configuration', () => {
  it('names each CRM after its provider unless told otherwise', () => {
    const config = parse('crm:\n  - { provider: kit, apiKey: k }\n  - { provider: kit, name: kit-old, apiKey: j }\n');
    expect(config.crm.map((entry) => entry.name)).toEqual(['kit', 'kit-old']);
  });

  it.each([
    [
      'an unknown provider',
      'crm:\n  - { provider: hubspot, apiKey: k }\n',
      'handoff.config.yaml:3: crm[0].provider: expected provider: activecampaign, kit, keap, ontraport, drip, memory',
    ],
    [
      'an unknown key',
      'crm:\n  - { provider: kit, apiKey: k, apiSecret: s }\n',
      'handoff.config.yaml:3: crm[0]: unknown key(s) "apiSecret"',
    ],
    [
      'a missing credential',
      'crm:\n  - { provider: activecampaign, baseUrl: "https://x.api-us1.com" }\n',
      'handoff.config.yaml:3: crm[0].apiKey: missing; expected the API Key shown under Settings > Developer',
    ],
    [
      'two CRMs with one name',
      'crm:\n  - { provider: kit, apiKey: k }\n  - { provider: kit, apiKey: j }\n',
      'handoff.config.yaml:4: crm[1].name: duplicate CRM name "kit"',
    ],
    [
      'AccessAlly without a CRM',
      'accessally: { webhookUrl: "https://site.example/hook" }\n',
      'handoff.config.yaml:2: accessally: AccessAlly reads tags from your CRM: add a crm: entry first',
    ],
    [
      'AccessAlly naming an unknown CRM',
      'crm:\n  - { provider: kit, apiKey: k }\naccessally: { webhookUrl: "https://site.example/hook", crm: drip }\n',
      'handoff.config.yaml:4: accessally.crm: unknown CRM "drip"; configured: kit',
    ],
    [
      'AccessAlly reading from Drip, its only CRM',
      'crm:\n  - { provider: drip, apiToken: t, accountId: "1234567" }\naccessally: { webhookUrl: "https://site.example/hook" }\n',
      'handoff.config.yaml:4: accessally: AccessAlly does not work with drip (it supports ActiveCampaign, Kit, Keap and Ontraport)',
    ],
    [
      'AccessAlly told to read from Drip',
      'crm:\n  - { provider: kit, apiKey: k }\n  - { provider: drip, apiToken: t, accountId: "1234567" }\naccessally: { webhookUrl: "https://site.example/hook", crm: drip }\n',
      'handoff.config.yaml:5: accessally.crm: AccessAlly does not work with drip',
    ],
    [
      'a field name for Ontraport, whose call is the contact id alone',
      'crm:\n  - { provider: ontraport, appId: a, apiKey: k }\naccessally: { webhookUrl: "https://site.example/hook", contactIdField: cid }\n',
      "handoff.config.yaml:4: accessally.contactIdField: contactIdField names a form field, and the call for ontraport has none: it carries the contact's id alone",
    ],
    [
      "a field name for Kit, whose call is Kit's JSON",
      'crm:\n  - { provider: kit, apiKey: k }\naccessally: { webhookUrl: "https://site.example/hook", emailField: mail }\n',
      "handoff.config.yaml:4: accessally.emailField: emailField names a form field, and the call for kit has none: it carries Kit's own JSON subscriber payload",
    ],
  ])('rejects %s with file, line and what was expected', (_case, yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });
});
