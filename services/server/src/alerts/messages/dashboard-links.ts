import type { AlertRuleId } from './notification-types.js';

export const DEFAULT_DASHBOARD_URL = 'http://localhost:3000';

/**
 * Where messages link to: `COSTSCOPE_DASHBOARD_URL` (the address people open, which the server
 * cannot guess behind a proxy), else the dashboard's default local port.
 */
export function dashboardBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['COSTSCOPE_DASHBOARD_URL']?.trim();
  return (configured || DEFAULT_DASHBOARD_URL).replace(/\/+$/, '');
}

/** The dashboard pages a message links to; one place, so a route change is one edit. */
export const dashboardLinks = {
  alert(baseUrl: string, projectId: string, episodeId: string): string {
    return `${baseUrl}/alerts/${encodeURIComponent(episodeId)}?project=${encodeURIComponent(projectId)}`;
  },
  alerts(baseUrl: string, projectId: string, rule?: AlertRuleId): string {
    const ruleQuery = rule ? `&rule=${encodeURIComponent(rule)}` : '';
    return `${baseUrl}/alerts?project=${encodeURIComponent(projectId)}${ruleQuery}`;
  },
  weeklyReview(baseUrl: string, projectId: string, week: string): string {
    return `${baseUrl}/weekly?week=${encodeURIComponent(week)}&project=${encodeURIComponent(projectId)}`;
  },
  settingsChannels(baseUrl: string, projectId: string): string {
    return `${baseUrl}/settings?project=${encodeURIComponent(projectId)}#channels`;
  },
};
