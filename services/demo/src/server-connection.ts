/**
 * The one way Costscope's command-line tools find the server and key (flag → environment →
 * `<data dir>/credentials.json`), shared with the `costscope` CLI so users learn it once. It is
 * a plain module of the server's source with no server dependencies; the demo imports it by path
 * (the server is an app, not a library, so it has no package export for it).
 */
// eslint-disable-next-line @nx/enforce-module-boundaries
export { ConnectionError, resolveServerConnection, type ServerConnection } from '../../server/src/cli/server-connection.js';
