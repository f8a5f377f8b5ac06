import 'server-only';
import { projectApiKey } from './credentials';

/**
 * The first characters of the key this dashboard reads with, as the API lists keys (`cs_AbCd`):
 * enough to mark that key in the list and refuse to revoke it, never the key itself.
 */
export async function dashboardKeyPrefix(): Promise<string> {
  return (await projectApiKey()).slice(0, 7);
}
