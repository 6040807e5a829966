import { createHash } from 'node:crypto';
import type { CrmEntryConfig } from '../../config/schema.ts';
import type { CrmConnector } from '../../ports/crm-connector.ts';
import { createCrmConnector } from '../../adapters/crm/registry.ts';
import { rateBudgetedFetch } from './rate-budget-scope.ts';

/** One configured CRM: the connector, and the names it goes by in jobs and state. */
export interface CrmConnection {
  /** The `name:` of the config entry (default: the provider). */
  name: string;
  provider: string;
  connector: CrmConnector;
  /** Where the connector talks to, for messages (never holds a secret). */
  baseUrl: string;
  /** Hash of the whole entry: a different key, URL or account changes it. */
  credentialsFingerprint: string;
  /** The job that pushes one contact to this CRM (key: contact id). */
  syncJobKind: string;
}

export function crmSyncJobKind(name: string): string {
  return `crm.sync:${name}`;
}

/** The job that deletes an erased person from this CRM (GDPR; key: `erase:<contact id>`). */
export function crmErasureJobKind(name: string): string {
  return `crm.erase:${name}`;
}

/**
 * Builds one long-lived connector per `crm:` entry. Long-lived on purpose: connectors cache tag
 * ids for the life of the process, which saves a lookup per tag per push.
 */
export function openCrmConnections(entries: readonly CrmEntryConfig[], fetchImpl?: typeof fetch): CrmConnection[] {
  return entries.map((entry) => {
    const { name, ...options } = entry;
    return {
      name,
      provider: entry.provider,
      connector: createCrmConnector(options, { fetch: rateBudgetedFetch(fetchImpl) }),
      baseUrl: 'baseUrl' in entry ? entry.baseUrl : `${entry.provider}:`,
      credentialsFingerprint: fingerprint(options),
      syncJobKind: crmSyncJobKind(name),
    };
  });
}

function fingerprint(options: object): string {
  const canonical = JSON.stringify(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('hex');
}
