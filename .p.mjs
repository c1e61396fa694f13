import { loadModule, parseSync } from 'libpg-query';
await loadModule();
const q = process.argv[2];
try { console.log(JSON.stringify(parseSync(q), null, 1)); } catch (e) { console.log('ERR', e, Object.keys(e), e.sqlDetails); }
