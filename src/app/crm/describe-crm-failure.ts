import { CrmError } from '../../ports/crm-connector.ts';
import type { CrmConnection } from './crm-connections.ts';

/**
 * A failed CRM call in words the person running Handoff can act on: what is wrong and where to
 * look, followed by the provider's own answer.
 */
export function describeCrmFailure(
  connection: Pick<CrmConnection, 'name' | 'provider' | 'baseUrl'>,
  error: unknown,
): string {
  if (!(error instanceof CrmError))
    return `${connection.name}: ${error instanceof Error ? error.message : String(error)}`;
  const status = error.details.status;
  switch (error.kind) {
    case 'auth':
      return `${connection.name}: the API key was refused (HTTP ${status ?? '?'}); check the key and, where the provider has one, the account id in the ${connection.provider} entry of the config: ${error.message}`;
    case 'transient':
      return status === undefined
        ? `${connection.name}: cannot reach ${connection.baseUrl}: ${error.message}`
        : `${connection.name}: ${connection.baseUrl} is failing (HTTP ${status}); Handoff retries by itself: ${error.message}`;
    case 'rate_limited':
      return `${connection.name}: ${connection.provider} is rate limiting this key right now; Handoff waits and retries: ${error.message}`;
    case 'permanent':
      return status === 404
        ? `${connection.name}: ${connection.baseUrl} answered 404 (not found); check the base URL in the config: ${error.message}`
        : `${connection.name}: ${connection.provider} rejected the request (HTTP ${status ?? '?'}): ${error.message}`;
  }
}
