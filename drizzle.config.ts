import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './drizzle/schema.ts',
  out: './drizzle/migrations',
  // generate needs no connection; migrate runs through scripts/migrate.ts
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/steady' },
});
