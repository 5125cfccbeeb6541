// Bench target: a bare express 5 handler returning a JSON body of a given size — the
// ceiling of this stack on this machine.
import express from 'express';

const body = JSON.stringify({ resourceType: 'Bundle', type: 'searchset', padding: 'x'.repeat(Number(process.env.BENCH_BODY_BYTES ?? 2000)) });
const app = express();
app.get('/fhir/CareTeam', (_req, res) => {
  res.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
  res.send(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
