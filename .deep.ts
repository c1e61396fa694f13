import { classifySql, loadSqlParser } from './src/sql/classify-sql.ts';
await loadSqlParser();
for (const n of [100, 1000, 5000, 20000]) {
  const q = 'SELECT ' + '('.repeat(n) + '1' + ')'.repeat(n);
  const r = classifySql(q);
  console.log(n, r.ok ? r.statements[0]?.class : r.error.slice(0, 100));
  const q2 = 'SELECT * FROM t WHERE a IN ' + '(SELECT a FROM t WHERE a IN '.repeat(n) + '(1)' + ')'.repeat(n);
  const r2 = classifySql(q2);
  console.log('sub', n, r2.ok ? r2.statements[0]?.class : r2.error.slice(0, 100));
}
console.log(JSON.stringify(classifySql('select 1')));
// timing
const qs = ['SELECT a, b FROM t JOIN u ON t.id = u.id WHERE t.x > 10 ORDER BY a LIMIT 5', 'INSERT INTO t (a, b) VALUES (1, 2)', "UPDATE t SET a = a + 1 WHERE id = 42", 'SELECT 1'];
for (const q of qs) {
  for (let i = 0; i < 2000; i++) classifySql(q);
  const n = 20000; const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) classifySql(q);
  console.log(q.slice(0, 30), Number(process.hrtime.bigint() - t0) / n / 1000, 'us');
}
