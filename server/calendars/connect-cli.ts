/**
 * The calendar subcommands of `npm run provider -- …`, as one function the provider CLI delegates to:
 *
 *   connect-caldav <slug> --url <server> --username <name> [--calendar <name|url>]… [--email <address>]
 *       password from CALDAV_PASSWORD or a hidden prompt (never argv). iCloud: https://caldav.icloud.com/ and an
 *       app-specific password (appleid.apple.com → Sign-In and Security → App-Specific Passwords).
 *   connect-ics <slug> [--url <feed>]      feed URL from --url or ICS_URL (it is a secret: prefer the variable)
 *   connect-google <slug> [--calendar <name|id>]…   needs GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET
 *   disconnect <slug> <caldav|google|ics|microsoft>
 *
 * Each connect verifies the credentials, lists the calendars with the ones read marked, stores the secret
 * encrypted with SECRETS_KEY and fetches busy time once. A CLI entry point: it reads its environment (`io.env`,
 * default `process.env`) itself, SECRETS_KEY and the Google client through `readConfig` like the server.
 */
import { createInterface } from 'node:readline';
import type { Db } from '../db/port.js';
import { readConfig } from '../config.ts';
import { requireSecretsKey } from '../secrets/crypto.js';
import { refreshIfStale } from './cache.js';
import { connectCalDav, connectGoogle, connectIcs, disconnectCalendar, type ConnectResult } from './connect.js';
import { describeSourceError, type SourceKind } from './source.js';

export const CALENDAR_COMMANDS = ['connect-caldav', 'connect-ics', 'connect-google', 'disconnect'] as const;

export const calendarUsage = `  connect-caldav <slug> --url <server> --username <name> [--calendar <name|url>]... [--email <address>]
                        connect a CalDAV account (iCloud: --url https://caldav.icloud.com/ and an app-specific
                        password); the password comes from CALDAV_PASSWORD or a prompt
  connect-ics <slug> [--url <feed>]
                        connect a secret iCalendar feed (or set ICS_URL instead of --url)
  connect-google <slug> [--calendar <name|id>]...
                        connect Google Calendar (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET; Desktop-app OAuth client)
  disconnect <slug> <caldav|google|ics|microsoft>
                        remove a connected calendar and its stored secret`;

export interface CalendarCliIo {
  db: Db;
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Asks for a secret without echoing it; defaults to a hidden terminal prompt. */
  promptSecret?: (question: string) => Promise<string>;
}

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string[]> } {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2);
      const value = inline ?? args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else positional.push(a);
  }
  return { positional, flags };
}

/** Reads a line from the terminal without echoing it (or a plain line when stdin is not a terminal). */
export async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  const muted = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write(question);
  if (process.stdin.isTTY) muted._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    if (process.stdin.isTTY) process.stderr.write('\n');
  }
}

function printCalendars(out: (l: string) => void, result: ConnectResult): void {
  for (const c of result.calendars) out(`  [${c.selected ? 'x' : ' '}] ${c.name}  ${c.id}`);
}

/**
 * Runs one calendar subcommand; returns the process exit code (0 ok, 1 failed, 2 usage).
 * Example (in server/cli/provider.ts): `if (isCalendarCommand(cmd)) return runCalendarCommand(cmd, rest, { db })`.
 */
export async function runCalendarCommand(command: string, args: string[], io: CalendarCliIo): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args);
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const { positional, flags } = parsed;
  const flag = (name: string) => flags.get(name)?.at(-1);
  const slug = positional[0];
  if (!slug) {
    err(`Usage:\n${calendarUsage}`);
    return 2;
  }

  try {
    if (command === 'disconnect') {
      const kind = positional[1] as SourceKind;
      if (!['caldav', 'google', 'ics', 'microsoft'].includes(kind)) {
        err('Usage: disconnect <slug> <caldav|google|ics|microsoft>');
        return 2;
      }
      const { removed } = await disconnectCalendar(io.db, { slug, kind });
      out(removed ? `Disconnected ${kind} from "${slug}" and deleted its stored secret.` : `"${slug}" had no ${kind} calendar connected.`);
      return 0;
    }

    const { calendars } = readConfig(env);
    const key = requireSecretsKey(calendars.secretsKey);
    let result: ConnectResult;
    if (command === 'connect-caldav') {
      const url = flag('url');
      const username = flag('username');
      if (!url || !username) {
        err('Usage: connect-caldav <slug> --url <server> --username <name> [--calendar <name|url>]...');
        return 2;
      }
      const password = env.CALDAV_PASSWORD || (await (io.promptSecret ?? promptHidden)('CalDAV password (iCloud: app-specific password): '));
      if (!password) {
        err('No password given (set CALDAV_PASSWORD or type it at the prompt).');
        return 2;
      }
      result = await connectCalDav(io.db, { slug, serverUrl: url, username, password, calendars: flags.get('calendar'), email: flag('email'), key });
      out(`Connected CalDAV account ${username} to "${slug}". Calendars ([x] = busy time is read):`);
      printCalendars(out, result);
    } else if (command === 'connect-ics') {
      const url = flag('url') ?? env.ICS_URL;
      if (!url) {
        err('Usage: connect-ics <slug> --url <feed>   (or set ICS_URL)');
        return 2;
      }
      result = await connectIcs(io.db, { slug, url, email: flag('email'), key });
      out(`Connected an ICS feed to "${slug}".`);
    } else if (command === 'connect-google') {
      const config = calendars.google;
      if (!config) {
        err('Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (an OAuth client of type "Desktop app").');
        return 2;
      }
      result = await connectGoogle(io.db, {
        slug, config, key, calendars: flags.get('calendar'),
        onAuthUrl: (url) => out(`Open this address, sign in and allow access:\n  ${url}\nWaiting for Google…`),
      });
      out(`Connected Google Calendar to "${slug}". Calendars ([x] = busy time is read):`);
      printCalendars(out, result);
    } else {
      err(`Unknown calendar command ${command}.\n${calendarUsage}`);
      return 2;
    }

    const report = await refreshIfStale(io.db, result.providerId, {
      force: true, secretsKey: key, google: calendars.google, microsoft: calendars.microsoft, timeoutMs: 20_000, retryAfterSeconds: 0, log: () => {},
    });
    if (report.failed.length) out(`First sync failed: ${report.failed.map((f) => f.reason).join('; ')}`);
    else out('Busy times synced.');
    return 0;
  } catch (error) {
    err(`${command} failed: ${describeSourceError(error)}`);
    return 1;
  }
}
