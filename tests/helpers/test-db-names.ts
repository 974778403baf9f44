export const TEMPLATE_DB = 'steady_test_template';

/** The server's maintenance database, from any URL on that server. */
export function adminUrlFrom(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}
