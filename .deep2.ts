import { classifySql, loadSqlParser } from './src/sql/classify-sql.ts';
await loadSqlParser();
for (const n of [1000, 2000, 3000, 4000, 6000, 8000, 12000]) {
  const q = 'SELECT ' + Array(n).fill('1').join('+');
  const r = classifySql(q);
  console.log('sum', n, r.ok ? r.statements[0]?.class : r.error.slice(0, 80));
}
for (const n of [300, 500, 700, 900, 1100]) {
  const q2 = 'SELECT * FROM t WHERE a IN ' + '(SELECT a FROM t WHERE a IN '.repeat(n) + '(1)' + ')'.repeat(n);
  const r2 = classifySql(q2);
  console.log('sub', n, r2.ok ? r2.statements[0]?.class : r2.error.slice(0, 80));
}
