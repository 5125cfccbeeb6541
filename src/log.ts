import type { Logger } from 'pino';
import { pino } from 'pino';

/**
 * The structured JSON logger. Log lines carry request ids, record ids, codes and timings,
 * never names, dates of birth, NHS numbers or narratives; the redaction list is a second
 * line of defence for fields that must never appear even by mistake.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'safeguarding-gateway' },
      redact: { paths: ['authorization', '*.authorization', 'nhsNumber', '*.nhsNumber', 'name', '*.name', 'birthDate', '*.birthDate', 'query', '*.query'], censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
