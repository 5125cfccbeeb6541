import { expect } from 'vitest';
import { GatewayError } from '../../src/errors/gateway-error.js';

/** Runs a reader that must refuse its input, and returns its 400 GW_ERR_MALFORMED_BODY error. */
export function malformedFrom(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('GW_ERR_MALFORMED_BODY');
    expect((err as GatewayError).status).toBe(400);
    return err as GatewayError;
  }
  throw new Error('expected GW_ERR_MALFORMED_BODY, but the input was accepted');
}

/** Every path the error's issues name. */
export const expressions = (e: GatewayError): string[] => e.issues.flatMap((i) => i.expression ?? []);
