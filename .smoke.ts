import { classifySql, loadSqlParser } from './src/sql/classify-sql.ts';
await loadSqlParser();
for (const q of process.argv.slice(2)) console.log(q, '=>', JSON.stringify(classifySql(q)));
