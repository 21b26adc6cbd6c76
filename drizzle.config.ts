// drizzle-kit: `npm run db:generate` writes SQL migrations for db/schema.ts and db/team-schema.ts into db/migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./db/schema.ts', './db/team-schema.ts'],
  out: './db/migrations',
});
