import { loadServerConfig } from './config/server-config.js';
import { createApp } from './create-app.js';

const config = loadServerConfig();
const app = await createApp(config);
await app.listen(config.port, config.host);
if (!config.launched) console.log(`Costscope server listening on http://localhost:${config.port} (roles: ${config.roles.join(', ')}; storage: ${config.storage.kind})`);
