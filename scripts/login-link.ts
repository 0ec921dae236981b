/**
 * Prints one line: a single-use login URL of the web console for the local commander (the
 * console's admin), valid 10 minutes. Its origin is PUBLIC_URL (default http://127.0.0.1:PORT).
 *   npm run --silent login-link
 */
import { createContainer } from '../src/main/container.js';
import { loadConfig, loadDotEnv } from '../src/main/config.js';

await loadDotEnv();
const app = await createContainer(loadConfig());
try {
  process.stdout.write(`${await app.localLoginLink()}\n`);
} finally {
  await app.close();
}
