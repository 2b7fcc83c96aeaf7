import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * One process per embedded data folder. PGlite keeps the whole database in one process's memory and
 * writes it back to the folder; a second process opening the same folder loses its writes or damages
 * the folder. So whoever opens the folder first holds `<dataDir>.lock` until it closes or exits:
 *
 * - the lock file is created atomically (written to a private temp file, then hard-linked into place,
 *   which fails if the lock exists), readable only by its owner (mode 0600);
 * - it says who holds the folder (pid, role, since when) and, for a running server, the loopback port
 *   and random secret of its admin listener (`admin.ts`), so the provider CLI can send its changes
 *   through the server instead of opening the folder itself;
 * - a lock whose pid is no longer alive (a crash, `kill -9`) is stale and taken over.
 */

export type LockRole = 'server' | 'cli';

export interface LockHolder {
  pid: number;
  role: LockRole;
  since: string;
  /** Random per lock: tells our lock file from a later one at the same path. */
  nonce: string;
  /** The running server's admin listener (absent until it listens, and for the CLI). */
  admin?: { port: number; secret: string };
}

export interface DataFolderLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Adds the admin listener's address and secret to the lock file (atomically replaced). */
  publish(admin: { port: number; secret: string }): Promise<void>;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/** The data folder is held by another live process. `holder` says which (null when unreadable). */
export class DataFolderBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly holder: LockHolder | null,
    message?: string,
  ) {
    super(message ?? busyMessage(dataDir, lockPath, holder));
    this.name = 'DataFolderBusyError';
  }
}

function busyMessage(dataDir: string, lockPath: string, holder: LockHolder | null): string {
  const who = holder
    ? `another Slotline process (pid ${holder.pid}, ${holder.role === 'server' ? 'a running server' : 'a provider command'}, since ${holder.since})`
    : `another process (its lock file ${lockPath} cannot be read: is it another user's?)`;
  return (
    `The embedded database in ${dataDir} is already open in ${who}. PGlite allows one process per data folder. ` +
    `Stop that process first, or give this one its own DATA_DIR. While a server runs, ` +
    `\`npm run provider -- …\` sends its changes through that server. ` +
    `If no such process exists, delete ${lockPath}.`
  );
}

/** Where the lock of a data folder lives: beside it, so PGlite's own folder holds only its files. */
export function lockPathOf(dataDir: string): string {
  return `${resolve(dataDir)}.lock`;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's content, or null when there is none; throws EACCES when it is someone else's. */
export async function readLock(lockPath: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const value = JSON.parse(text) as LockHolder;
    if (typeof value?.pid === 'number' && typeof value.nonce === 'string') return value;
  } catch {
    // fall through: not a lock we wrote
  }
  return { pid: 0, role: 'server', since: '?', nonce: `unparsable:${text.slice(0, 64)}` };
}

async function writePrivate(path: string, holder: LockHolder): Promise<void> {
  await writeFile(path, JSON.stringify(holder, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
}

/**
 * Takes the lock of `dataDir` for this process, or throws DataFolderBusyError naming the live holder.
 *
 * @example
 * const lock = await acquireDataFolderLock('.data/pglite', 'server');
 * try { … } finally { await lock.release(); }
 */
export async function acquireDataFolderLock(dataDir: string, role: LockRole): Promise<DataFolderLock> {
  const lockPath = lockPathOf(dataDir);
  let holder: LockHolder = { pid: process.pid, role, since: new Date().toISOString(), nonce: randomBytes(16).toString('hex') };

  for (let attempt = 0; ; attempt++) {
    const temp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writePrivate(temp, holder);
    try {
      await link(temp, lockPath); // atomic: fails with EEXIST when a lock is there
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    let current: LockHolder | null;
    try {
      current = await readLock(lockPath);
    } catch {
      throw new DataFolderBusyError(resolve(dataDir), lockPath, null);
    }
    if (!current) continue; // released meanwhile
    if (isAlive(current.pid)) throw new DataFolderBusyError(resolve(dataDir), lockPath, current);
    if (current.pid === 0) {
      // Not a lock we wrote (or cut short by a full disk): stale once it is a few seconds old.
      const age = Date.now() - ((await stat(lockPath).catch(() => null))?.mtimeMs ?? 0);
      if (age < 5_000 && attempt < 50) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
    }
    if (attempt >= 5) throw new DataFolderBusyError(resolve(dataDir), lockPath, current);
    // Stale: its process is gone. Remove it only if it is still the same stale lock.
    const again = await readLock(lockPath).catch(() => null);
    if (again?.nonce === current.nonce) await unlink(lockPath).catch(() => {});
  }

  let released = false;
  const onExit = () => {
    // A process that exits without closing the database (process.exit) still frees the folder.
    if (!released) {
      try {
        unlinkSync(lockPath);
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', onExit);

  return {
    path: lockPath,
    get holder() {
      return holder;
    },
    async publish(admin) {
      holder = { ...holder, admin };
      const temp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writePrivate(temp, holder);
      await rename(temp, lockPath); // atomic replace: a reader sees the old or the new lock, never half
    },
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const current = await readLock(lockPath).catch(() => null);
      if (current?.nonce === holder.nonce) await unlink(lockPath).catch(() => {});
    },
  };
}
