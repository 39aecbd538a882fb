// `npm run glossary`: writes workflows/README.md from the machines (workflows/ itself does no I/O).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { glossary } from '../../workflows/glossary';

fs.writeFileSync(fileURLToPath(new URL('../../workflows/README.md', import.meta.url)), glossary());
