/**
 * `node --import ./without-chdb.mjs …`: the process runs as if the optional `chdb` package were
 * not installed (as in the `server` image). Any import of it fails the way Node fails for a
 * package that is missing, so a server-mode start that reaches for chDB fails visibly.
 */
import { register } from 'node:module';

register('./without-chdb-hooks.mjs', import.meta.url);
