import { openDbFromEnv } from '../db/index.ts';
import { applyProviderFile, readProviderFile } from '../providers/file.ts';

const usage = `Usage: npm run provider -- <command>

  apply <file.json>     create or update a provider from a provider file (idempotent by slug)
  check <file.json>     validate a provider file without writing anything

The database is the one the environment selects (DATABASE_URL, SUPABASE_URL, or the embedded one in DATA_DIR).`;

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
    const { db, description } = await openDbFromEnv();
    try {
      const result = await applyProviderFile(db, parsed.file);
      console.log(`Applied provider "${result.slug}" (${parsed.file.services.length} service(s)) to ${description}.`);
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
