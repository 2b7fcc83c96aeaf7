import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/port.js';
import { assertSecretsReadable } from '../../server/secrets/check.js';
import { encryptSecret, SecretsKeyError } from '../../server/secrets/crypto.js';
import { createTestDb } from '../support/db.js';
import { readConfig } from '../../server/config.ts';

/** The key `npm start` would hand the check for this environment. */
const configuredKey = (env: Record<string, string>) => readConfig(env).calendars.secretsKey;

const noWarn = (message: string) => {
  throw new Error(`unexpected warning: ${message}`);
};

describe('assertSecretsReadable (start-up)', () => {
  let db: Db & { pg: PGlite };
  const key = randomBytes(32);
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('needs no key while no secret is stored', async () => {
    await expect(assertSecretsReadable(db, configuredKey({}))).resolves.toEqual({ checked: 0, unreadable: [] });
  });

  it('refuses a missing, malformed or wrong key once a secret exists, and accepts the right one', async () => {
    await db.rpc('apply_provider', { p_slug: 'kim', p_name: 'Kim', p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
    await db.rpc('connect_calendar', {
      p_provider_slug: 'kim', p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ url: 'https://example.com/secret.ics' }, key), p_selected_calendar_ids: null,
    });
    await expect(assertSecretsReadable(db, configuredKey({}))).rejects.toThrow(/stored secrets, but SECRETS_KEY is not set/);
    // A malformed key is refused when the configuration is read, before the database is opened.
    expect(() => readConfig({ SECRETS_KEY: 'short' })).toThrow(/malformed/);
    const wrong = assertSecretsReadable(db, configuredKey({ SECRETS_KEY: randomBytes(32).toString('base64') }));
    await expect(wrong).rejects.toBeInstanceOf(SecretsKeyError);
    await expect(assertSecretsReadable(db, configuredKey({ SECRETS_KEY: randomBytes(32).toString('hex') }))).rejects.toThrow(/not the key they were saved with/);
    await expect(assertSecretsReadable(db, configuredKey({ SECRETS_KEY: key.toString('hex') }), noWarn)).resolves.toEqual({ checked: 1, unreadable: [] });
  });

  it('checks the key per integration: an older secret saved with another key is named, not a reason to refuse', async () => {
    // Another provider's secret, saved with a different key and back-dated so it sorts first (the old check
    // tried only the oldest secret, so such a row stopped start-up with the right key).
    await db.rpc('apply_provider', { p_slug: 'lee', p_name: 'Lee', p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
    const planted = await db.rpc('connect_calendar', {
      p_provider_slug: 'lee', p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ url: 'https://example.com/other.ics' }, randomBytes(32)), p_selected_calendar_ids: null,
    });
    await db.pg.query(`update integration_secrets set created_at = '2000-01-01T00:00:00Z' where integration_id = $1`, [planted.integrationId]);
    const warnings: string[] = [];
    const result = await assertSecretsReadable(db, configuredKey({ SECRETS_KEY: key.toString('hex') }), (m) => warnings.push(m));
    expect(result).toEqual({ checked: 2, unreadable: [{ integrationId: planted.integrationId, kind: 'ics', provider: 'lee' }] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 of 2');
    expect(warnings[0]).toContain(`lee ics (integration ${planted.integrationId})`);
    // A key that reads none of the two is still the wrong key.
    await expect(assertSecretsReadable(db, configuredKey({ SECRETS_KEY: randomBytes(32).toString('hex') }), noWarn)).rejects.toThrow(/not the key they were saved with/);
  });
});
