// `npm run seed`: loads the demo data into DATA_DIR / DATABASE_URL (an empty database).
import { loadSettings } from '../../src/config';
import { openServices } from '../../src/services';
import { DEMO_PASSWORD, seedDemo } from './demo';

const services = await openServices(loadSettings());
await seedDemo(services);
await services.close();
console.log(`demo data loaded; sign in as office@example.org, secretary.party@example.org, b01@example.org or panel1@example.org with ${DEMO_PASSWORD}`);
