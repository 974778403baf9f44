import postgres from 'postgres';

export const SCHEMA_FILE = 'drizzle/schema.sql';

/**
 * The schema of the database at `url` as SQL, read from the catalogs rather than by pg_dump: the
 * embedded server ships no pg_dump, and a system one of an older major refuses a newer server. Every
 * object is printed through the server's own pg_get_*def functions, sorted by name, with nothing that
 * varies between runs (OIDs, version banners, owners, drizzle's bookkeeping schema), so two dumps of
 * the same migrations are byte-equal.
 */
export async function dumpSchema(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const out: string[] = [
      '-- The schema the committed migrations produce. Written by `npm run db:schema`; do not edit.',
    ];
    const section = (title: string, body: string[]) => {
      if (body.length) out.push('', `-- ${title}`, '', body.join('\n\n'));
    };
    section(
      'Extensions',
      (
        await sql<{ name: string }[]>`
      select extname as name from pg_extension where extname <> 'plpgsql' order by 1`
      ).map((r) => `CREATE EXTENSION IF NOT EXISTS ${r.name};`),
    );
    section('Types', await types(sql));
    section(
      'Sequences',
      (
        await sql<{ name: string; def: string }[]>`
      select c.relname as name,
             format('CREATE SEQUENCE %I AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s%s;', c.relname,
                    format_type(s.seqtypid, null), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
                    case when s.seqcycle then ' CYCLE' else '' end) as def
      from pg_sequence s join pg_class c on c.oid = s.seqrelid
      where c.relnamespace = 'public'::regnamespace
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i'))
      order by 1`
      ).map((r) => r.def),
    );
    section('Tables', await tables(sql));
    section(
      'Indexes',
      (
        await sql<{ def: string }[]>`
      select pg_get_indexdef(i.indexrelid) || ';' as def
      from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relnamespace = 'public'::regnamespace
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
      order by i.indrelid::regclass::text, c.relname`
      ).map((r) => r.def),
    );
    section(
      'Views',
      (
        await sql<{ def: string }[]>`
      select format('CREATE %sVIEW %I AS%s', case when relkind = 'm' then 'MATERIALIZED ' else '' end,
                    relname, rtrim(pg_get_viewdef(oid), ';') || ';') as def
      from pg_class where relnamespace = 'public'::regnamespace and relkind in ('v', 'm') order by relname`
      ).map((r) => r.def),
    );
    section(
      'Functions',
      (
        await sql<{ def: string }[]>`
      select rtrim(pg_get_functiondef(p.oid), E'\n') || ';' as def
      from pg_proc p
      where p.pronamespace = 'public'::regnamespace and p.prokind in ('f', 'p')
        and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
      order by p.proname, pg_get_function_identity_arguments(p.oid)`
      ).map((r) => r.def),
    );
    section(
      'Triggers',
      (
        await sql<{ def: string }[]>`
      select pg_get_triggerdef(t.oid) || ';' as def
      from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where c.relnamespace = 'public'::regnamespace and not t.tgisinternal
      order by c.relname, t.tgname`
      ).map((r) => r.def),
    );
    section(
      'Comments',
      (
        await sql<{ def: string }[]>`
      select format('COMMENT ON %s %s IS %L;', case when c.relkind = 'i' then 'INDEX' else 'TABLE' end,
                    c.oid::regclass, d.description) as def
      from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass
      where c.relnamespace = 'public'::regnamespace and d.objsubid = 0
      order by 1`
      ).map((r) => r.def),
    );
    return out.join('\n') + '\n';
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function types(sql: postgres.Sql): Promise<string[]> {
  const enums = await sql<{ def: string }[]>`
    select format('CREATE TYPE %I AS ENUM (%s);', t.typname,
                  string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder)) as def
    from pg_type t join pg_enum e on e.enumtypid = t.oid
    where t.typnamespace = 'public'::regnamespace
    group by t.typname order by t.typname`;
  const domains = await sql<{ def: string }[]>`
    select format('CREATE DOMAIN %I AS %s%s%s;', t.typname, format_type(t.typbasetype, t.typtypmod),
                  case when t.typnotnull then ' NOT NULL' else '' end,
                  coalesce((select string_agg(' ' || pg_get_constraintdef(k.oid), '' order by k.conname)
                            from pg_constraint k where k.contypid = t.oid), '')) as def
    from pg_type t where t.typnamespace = 'public'::regnamespace and t.typtype = 'd' order by t.typname`;
  return [...enums, ...domains].map((r) => r.def);
}

async function tables(sql: postgres.Sql): Promise<string[]> {
  const cols = await sql<{ table: string; line: string }[]>`
    select c.relname as table,
           format('  %I %s%s%s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                  case when a.attcollation <> t.typcollation then ' COLLATE ' || quote_ident(co.collname) else '' end,
                  case a.attidentity when 'a' then ' GENERATED ALWAYS AS IDENTITY'
                                     when 'd' then ' GENERATED BY DEFAULT AS IDENTITY' else '' end,
                  case when a.attgenerated = 's' then ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                       when ad.adbin is not null then ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) else '' end,
                  case when a.attnotnull then ' NOT NULL' else '' end) as line
    from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    join pg_type t on t.oid = a.atttypid
    left join pg_collation co on co.oid = a.attcollation
    left join pg_attrdef ad on ad.adrelid = c.oid and ad.adnum = a.attnum
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    order by c.relname, a.attnum`;
  // Constraints by name: their OIDs (and so pg_dump's order) depend on the order migrations added them.
  const cons = await sql<{ table: string; line: string }[]>`
    select c.relname as table, format('  CONSTRAINT %I %s', k.conname, pg_get_constraintdef(k.oid)) as line
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and k.contype <> 'n'
    order by c.relname, k.contype, k.conname`;
  const opts = await sql<{ table: string; tail: string; unlogged: boolean }[]>`
    select c.relname as table,
           coalesce(' PARTITION BY ' || pg_get_partkeydef(c.oid), '') ||
           coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') as tail,
           c.relpersistence = 'u' as unlogged
    from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')`;
  const byTable = new Map<string, string[]>();
  for (const r of [...cols, ...cons]) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.line]);
  const opt = new Map(opts.map((o) => [o.table, o]));
  return [...byTable.keys()]
    .sort()
    .map(
      (t) =>
        `CREATE ${opt.get(t)?.unlogged ? 'UNLOGGED ' : ''}TABLE ${quoteIdent(t)} (\n${byTable.get(t)!.join(',\n')}\n)${opt.get(t)?.tail ?? ''};`,
    );
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
