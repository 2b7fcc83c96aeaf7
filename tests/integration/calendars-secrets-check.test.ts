import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/port.js';
import { assertSecretsReadable } from '../../server/secrets/check.js';
import { encryptSecret, SecretsKeyError } from '../../server/secrets/crypto.js';
import { createTestDb } from '../support/db.js';

describe('assertSecretsReadable (start-up)', () => {
  let db: Db;
  const key = randomBytes(32);
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('needs no key while no secret is stored', async () => {
    await expect(assertSecretsReadable(db, {})).resolves.toBeUndefined();
  });

  it('refuses a missing, malformed or wrong key once a secret exists, and accepts the right one', async () => {
    await db.rpc('apply_provider', { p_slug: 'kim', p_name: 'Kim', p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
    await db.rpc('connect_calendar', {
      p_provider_slug: 'kim', p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ url: 'https://example.com/secret.ics' }, key), p_selected_calendar_ids: null,
    });
    await expect(assertSecretsReadable(db, {})).rejects.toThrow(/stored secrets, but SECRETS_KEY is not set/);
    await expect(assertSecretsReadable(db, { SECRETS_KEY: 'short' })).rejects.toThrow(/malformed/);
    const wrong = assertSecretsReadable(db, { SECRETS_KEY: randomBytes(32).toString('base64') });
    await expect(wrong).rejects.toBeInstanceOf(SecretsKeyError);
    await expect(assertSecretsReadable(db, { SECRETS_KEY: randomBytes(32).toString('hex') })).rejects.toThrow(/not the key they were saved with/);
    await expect(assertSecretsReadable(db, { SECRETS_KEY: key.toString('hex') })).resolves.toBeUndefined();
  });
});
