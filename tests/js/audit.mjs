// The GraphQL-over-HTTP spec audit (graphql-http's serverAudits) against a served protiv.
//   node audit.mjs URL TOKEN  -> one JSON line: {"MUST": {"ok": n, "total": n}, "SHOULD": ..., "failures": [...]}
// Exit 0 when every MUST and every SHOULD passes, 1 otherwise.
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs URL TOKEN');
  process.exit(2);
}

/** fetch with the admin token on every request: the audits probe an authenticated API. */
function authenticatedFetch(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const summary = { MUST: { ok: 0, total: 0 }, SHOULD: { ok: 0, total: 0 }, MAY: { ok: 0, total: 0 }, failures: [] };
for (const audit of serverAudits({ url, fetchFn: authenticatedFetch })) {
  const level = audit.name.split(' ')[0];
  const result = await audit.fn();
  summary[level].total += 1;
  if (result.status === 'ok') {
    summary[level].ok += 1;
  } else {
    summary.failures.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason });
  }
}
console.log(JSON.stringify(summary));
const blocking = summary.failures.filter((f) => !f.name.startsWith('MAY'));
process.exit(blocking.length ? 1 : 0);
