// For the knex command line; the app itself opens the database through src/store/db.ts.
import { loadSettings } from './src/config';
import { knexConfig } from './src/store/db';

const settings = loadSettings();
export default knexConfig({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl });
