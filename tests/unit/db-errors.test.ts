import { describe, expect, it } from 'vitest';
import { DbError, DbTimeoutError, DbUnavailableError, mapDriverError, retryTransient } from '../../server/db/port.ts';

// Error bodies as PostgREST 12 sends them ({ code, message, details, hint }); the HTTP status is not looked at.
const postgrest = (code: string, message = 'x') => ({ code, message, details: null, hint: null });

describe('mapDriverError classifies by code alone', () => {
  it('statement_timeout (57014) and lock_timeout (55P03) are a retryable timeout', () => {
    for (const code of ['57014', '55P03']) {
      const error = mapDriverError(postgrest(code, 'canceling statement due to statement timeout'));
      expect(error).toBeInstanceOf(DbTimeoutError);
      expect(error).toBeInstanceOf(DbUnavailableError);
      expect((error as DbTimeoutError).code).toBe(code);
    }
  });

  it("PostgREST's own connection errors and PostgreSQL's connection failures are unavailable", () => {
    for (const code of ['PGRST000', 'PGRST001', 'PGRST002', 'PGRST003', '57P01', '08006', '53300', 'ECONNREFUSED']) {
      const error = mapDriverError(postgrest(code));
      expect(error, code).toBeInstanceOf(DbUnavailableError);
      expect(error, code).not.toBeInstanceOf(DbTimeoutError);
    }
  });

  it('permission, JWT and application errors stay DbError with their code', () => {
    for (const code of ['42501', 'PGRST301', 'PGRST202', 'SL409', '23505']) {
      const error = mapDriverError(postgrest(code));
      expect(error, code).toBeInstanceOf(DbError);
      expect((error as DbError).code).toBe(code);
    }
  });

  it('a timeout is not retried automatically (the caller already waited; the client decides)', async () => {
    let calls = 0;
    const error = await retryTransient(async () => {
      calls++;
      throw mapDriverError(postgrest('57014'));
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DbTimeoutError);
    expect(calls).toBe(1);
  });
});
