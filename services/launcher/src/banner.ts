/** What a person needs once Costscope is up: where it is, and the secrets this start created. */
export type StartBanner = {
  serverUrl: string;
  dashboardUrl: string;
  credentialsFile: string;
  dataDir: string;
  /** Set only on the start that generated it: it is never printed again. */
  newApiKey?: string | undefined;
  /** Set only on the start that generated it. */
  newAdminPassword?: string | undefined;
};

export function startBanner(banner: StartBanner): string {
  const rows: Array<[string, string]> = [
    ['Dashboard', banner.dashboardUrl],
    ['Server (OTLP, API)', `${banner.serverUrl}  (spans: ${banner.serverUrl}/v1/traces)`],
  ];
  if (banner.newApiKey) rows.push(['Project key', `${banner.newApiKey}  (default project, admin)`]);
  if (banner.newAdminPassword) rows.push(['Admin password', banner.newAdminPassword]);
  rows.push(['Data', `${banner.dataDir}  (storage, spool and keys: back it up as one)`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const secretsNote =
    banner.newApiKey || banner.newAdminPassword
      ? `Shown this once; also in ${banner.credentialsFile}.`
      : `Key and admin password: ${banner.credentialsFile}`;
  return [
    '',
    'Costscope is running',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    `  ${secretsNote}`,
    '  Ctrl-C stops it; data stays in the data directory for the next start.',
    '',
  ].join('\n');
}
