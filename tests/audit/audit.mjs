// Runs the graphql-http server audits (GraphQL over HTTP spec conformance)
// against a live endpoint.
//
//   node tests/audit/audit.mjs http://127.0.0.1:8000/graphql [--strict]
//
// Prints one line per audit and a final `SUMMARY {json}` line. Exits 1 when any
// audit is an error (failed MUST) or a warning (failed SHOULD); with --strict
// also on notices (failed MAY). Exit 2 on usage errors or a fatal audit crash.
import { serverAudits } from 'graphql-http';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const url = args.find((a) => !a.startsWith('--'));
if (!url) {
  console.error('usage: node audit.mjs <graphql-url> [--strict]');
  process.exit(2);
}

const counts = { total: 0, ok: 0, notice: 0, warn: 0, error: 0 };
const audits = serverAudits({ url, fetchFn: fetch });
// Sequential: keeps the output in suite order and the server load trivial.
for (const { fn } of audits) {
  const result = await fn();
  counts.total += 1;
  counts[result.status] += 1;
  const mark = { ok: 'ok    ', notice: 'NOTICE', warn: 'WARN  ', error: 'ERROR ' }[
    result.status
  ];
  console.log(`${mark} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 500);
    } catch {
      body = '<body already read>';
    }
    console.log(`       reason: ${result.reason}`);
    console.log(`       status: ${result.response.status}; body: ${body}`);
  }
}

console.log(`SUMMARY ${JSON.stringify(counts)}`);
const failed = counts.error + counts.warn + (strict ? counts.notice : 0);
process.exit(failed > 0 ? 1 : 0);
