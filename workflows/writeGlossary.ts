import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { glossary } from './glossary';

fs.writeFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), glossary());
