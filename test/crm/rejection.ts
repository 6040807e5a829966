import { expect } from 'vitest';
import { CrmError } from '../../src/ports/crm-connector.ts';

/** Awaits a call that must fail with a CrmError, and returns that error for inspection. */
export async function crmErrorFrom(promise: Promise<unknown>): Promise<CrmError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CrmError);
  return error as CrmError;
}
