import { openDb } from '../db/index.ts';
import { applyProviderFile, readProviderFile } from '../providers/file.ts';
import { hashToken, newManageToken } from '../bookings/tokens.ts';
import { readConfig } from '../config.ts';
import { CALENDAR_COMMANDS, calendarUsage, runCalendarCommand } from '../calendars/connect-cli.ts';

const usage = `Usage: npm run provider -- <command>

  apply <file.json>     create or update a provider from a provider file (idempotent by slug)
  check <file.json>     validate a provider file without writing anything
  rotate-feed <slug>    make a new private calendar feed URL (the old one stops working)

${calendarUsage}
The database is the one the environment selects (DATABASE_URL, SUPABASE_URL, or the embedded one in DATA_DIR).
While a server holds the embedded database, these commands send their changes through that server.`;

/** `npm run provider -- …`: set providers up from JSON files until a settings page exists. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'apply' || command === 'check') {
    const path = rest[0];
    if (!path) {
      console.error(usage);
      return 2;
    }
    const parsed = await readProviderFile(path);
    if (!parsed.ok) {
      console.error(`${path} is not a valid provider file:`);
      for (const e of parsed.errors) console.error(`  - ${e.field}: ${e.message}`);
      console.error('Nothing was written.');
      return 1;
    }
    if (command === 'check') {
      console.log(`${path} is valid (provider "${parsed.file.slug}", ${parsed.file.services.length} service(s)).`);
      return 0;
    }
    const { db, description } = await openDb(readConfig(process.env).database, { role: 'cli' });
    try {
      const result = await applyProviderFile(db, parsed.file);
      console.log(`Applied provider "${result.slug}" (${parsed.file.services.length} service(s)) to ${description}.`);
      return 0;
    } finally {
      await db.close();
    }
  }
  if ((CALENDAR_COMMANDS as readonly string[]).includes(command)) {
    const { db } = await openDb(readConfig(process.env).database, { role: 'cli' });
    try {
      return await runCalendarCommand(command, rest, { db, env: process.env });
    } finally {
      await db.close();
    }
  }
  if (command === 'rotate-feed') {
    const slug = rest[0];
    if (!slug) {
      console.error(usage);
      return 2;
    }
    const config = readConfig(process.env);
    const { db } = await openDb(config.database, { role: 'cli' });
    try {
      const token = newManageToken();
      const updated = await db.rpc('set_ics_feed_token', { p_slug: slug, p_token_hash: hashToken(token) });
      if (!updated) {
        console.error(`No provider "${slug}".`);
        return 1;
      }
      console.log(`Private calendar feed for "${slug}" (keep it secret; rotate again to revoke):`);
      console.log(`  ${config.publicUrl}/ics/${token}.ics`);
      return 0;
    } finally {
      await db.close();
    }
  }
  console.error(usage);
  return command ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`provider: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
