/**
 * The privilege table: what `anon` and `authenticated` may do to each object in the `public` schema, read from
 * the database's own privilege checks (has_table_privilege & co., which count PUBLIC grants and default
 * privileges), and the same table as README.md's "Security" section prints it.
 */

export interface PrivilegeRow {
  /** `schema public`, `table providers`, `sequence external_busy_id_seq`, `function get_busy`. */
  object: string;
  anon: string;
  authenticated: string;
}

/** Every right either role has, per object in `public` (one row per object, '' for none). */
export const PRIVILEGES_SQL = `
with roles(r) as (values ('anon'), ('authenticated')),
rels as (
  select c.oid, c.relname::text as name, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
),
rights as (
  select 'schema public' as object, r,
         concat_ws(', ', case when has_schema_privilege(r, 'public', 'usage') then 'usage' end,
                         case when has_schema_privilege(r, 'public', 'create') then 'create' end) as what
    from roles
  union all
  select case when relkind = 'S' then 'sequence ' else 'table ' end || name, r,
         case when relkind = 'S' then
           concat_ws(', ', case when has_sequence_privilege(r, oid, 'usage') then 'usage' end,
                           case when has_sequence_privilege(r, oid, 'select') then 'select' end,
                           case when has_sequence_privilege(r, oid, 'update') then 'update' end)
         else
           concat_ws(', ',
             case when has_table_privilege(r, oid, 'select') then 'select'
                  when has_any_column_privilege(r, oid, 'select') then 'select (some columns)' end,
             case when has_table_privilege(r, oid, 'insert') then 'insert'
                  when has_any_column_privilege(r, oid, 'insert') then 'insert (some columns)' end,
             case when has_table_privilege(r, oid, 'update') then 'update'
                  when has_any_column_privilege(r, oid, 'update') then 'update (some columns)' end,
             case when has_table_privilege(r, oid, 'delete') then 'delete' end,
             case when has_table_privilege(r, oid, 'truncate') then 'truncate' end,
             case when has_table_privilege(r, oid, 'references') then 'references' end,
             case when has_table_privilege(r, oid, 'trigger') then 'trigger' end)
         end
    from rels, roles
  union all
  select 'function ' || p.proname, r,
         case when bool_or(has_function_privilege(r, p.oid, 'execute')) then 'execute' else '' end
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace, roles
   where n.nspname = 'public'
   group by p.proname, r
)
select object,
       coalesce(max(what) filter (where r = 'anon'), '') as anon,
       coalesce(max(what) filter (where r = 'authenticated'), '') as authenticated
  from rights group by object order by object`;

/**
 * What the migrations grant: every object in `public` not listed here gives anon and authenticated nothing
 * (no select, insert, update, delete, truncate, references, trigger, usage or execute).
 */
export const EXPECTED_PRIVILEGES: PrivilegeRow[] = [
  { object: 'function get_busy', anon: 'execute', authenticated: 'execute' },
  { object: 'function get_public_provider', anon: 'execute', authenticated: 'execute' },
  { object: 'function owns_provider', anon: '', authenticated: 'execute' },
  { object: 'schema public', anon: 'usage', authenticated: 'usage' },
  { object: 'table bookings', anon: '', authenticated: 'select' },
  { object: 'table calendar_sync_state', anon: '', authenticated: 'select (some columns)' },
  { object: 'table external_busy', anon: '', authenticated: 'select' },
  { object: 'table integrations', anon: '', authenticated: 'select' },
  { object: 'table payments', anon: '', authenticated: 'select' },
  { object: 'table providers', anon: '', authenticated: 'select' },
  { object: 'table services', anon: '', authenticated: 'select' },
];

/** All objects (for "it looked at something") and the ones where either role has any right. */
export function splitPrivileges(rows: PrivilegeRow[]): { all: PrivilegeRow[]; granted: PrivilegeRow[] } {
  const all = rows.map((r) => ({ object: r.object, anon: r.anon, authenticated: r.authenticated }));
  return { all, granted: all.filter((r) => r.anon || r.authenticated) };
}

const cell = (rights: string) => (rights ? rights : '—');

/** The Markdown table README.md prints between `<!-- privileges:start -->` and `<!-- privileges:end -->`. */
export function privilegeMarkdown(rows: PrivilegeRow[] = EXPECTED_PRIVILEGES): string {
  const lines = [
    '| object in `public` | `anon` (API key, no sign-in) | `authenticated` (signed-in user; RLS: own rows only) |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.object.replace(/^(\w+) (.*)$/, '$1 `$2`')} | ${cell(r.anon)} | ${cell(r.authenticated)} |`),
    '| every other table, view, sequence and function | — | — |',
  ];
  return lines.join('\n');
}

/** The table as README.md has it now. */
export function readmePrivilegeTable(readme: string): string | null {
  const match = /<!-- privileges:start -->\n([\s\S]*?)\n<!-- privileges:end -->/.exec(readme);
  return match ? match[1].trim() : null;
}
