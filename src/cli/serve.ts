import type { Server } from 'node:http';
import type { Config } from '../config/env.js';
import { createGateway } from '../gateway.js';

/**
 * Runs the gateway until SIGTERM or SIGINT, then stops taking requests, finishes those in
 * flight, writes pending audit entries and closes the database.
 */
export async function serve(config: Config): Promise<void> {
  const gateway = await createGateway(config);
  const { log } = gateway.ctx;
  let server: Server | undefined;

  // Handlers go in before the gateway says it is listening: until a listener exists, Node
  // leaves SIGTERM's default (die at once), so a supervisor that stops the gateway right
  // after start would skip the graceful shutdown.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    const finish = () => {
      gateway
        .close()
        .then(() => {
          log.info('stopped');
          process.exit(0);
        })
        .catch(() => process.exit(1));
    };
    if (!server) return finish();
    server.close(finish);
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    server = await new Promise<Server>((resolve, reject) => {
      // Express 5 hands a listen error to this callback rather than emitting it.
      const s = gateway.app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
  } catch (err) {
    await gateway.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${config.port} on ${config.host} is already in use; stop what holds it or set PORT`, { cause: err });
    throw err;
  }
  if (stopping) return; // a signal arrived while binding: the shutdown above is under way

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ port, host: config.host, database: gateway.ctx.db.kind, devAuth: config.devAuth }, 'gateway listening');
  const base = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  console.error(
    [
      '',
      `Safeguarding Gateway listening on ${base} (database: ${gateway.ctx.db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL server'})`,
      `  capability statement: curl ${base}/fhir/metadata`,
      ...(config.devAuth
        ? [
            '  get a development token in another terminal, e.g.:',
            '    npx sgw token --agency ods:RR8 --role unscheduled-care --purpose TREAT',
            '    npx sgw token --agency la:383 --role la-social-worker --purpose safeguarding-s47',
            '  (the README walks through recording a plan, querying it and reading the LA notification)',
          ]
        : ['  development tokens are off (SGW_DEV_AUTH=off): present tokens from your agency identity provider']),
      '',
    ].join('\n'),
  );
}
