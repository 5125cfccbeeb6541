import { Command, InvalidArgumentError } from 'commander';
import { verifyAuditChain } from '../audit/verify.js';
import { loadOrCreateDevKeys } from '../auth/dev-keys.js';
import { mintDevToken } from '../auth/mint-token.js';
import { loadAgencies } from '../config/agencies.js';
import { ConfigError, loadConfig } from '../config/env.js';
import { packageVersion } from '../gateway.js';
import { openDatabase } from '../store/open-db.js';
import { serve } from './serve.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number of seconds');
  return n;
}

/** The `sgw` command. Output for people goes to the console; the gateway itself logs JSON. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('sgw').description('Safeguarding Gateway').version(packageVersion());

  program
    .command('serve')
    .description('run the gateway (embedded PGlite under ./data unless DATABASE_URL is set)')
    .action(async () => serve(loadConfig()));

  program
    .command('token')
    .description('print a development token signed with the local key in the data directory')
    .requiredOption('--agency <id>', 'agency id, e.g. ods:RR8, la:383')
    .requiredOption('--role <role>', 'e.g. unscheduled-care, scheduled-care, la-social-worker')
    .option('--purpose <code>', 'purpose of use, e.g. TREAT, safeguarding-s47')
    .option('--sub <user>', 'user id (sub claim)', 'dev-user-1')
    .option('--expires-in <seconds>', 'lifetime in seconds', positiveInt, 3600)
    .action(async (opts: { agency: string; role: string; purpose?: string; sub: string; expiresIn: number }) => {
      const config = loadConfig();
      if (!config.devAuth) throw new ConfigError('SGW_DEV_AUTH=off: the gateway does not trust development tokens, so none is minted');
      const token = await mintDevToken(await loadOrCreateDevKeys(config.dataDir), loadAgencies(config.configDir), {
        agency: opts.agency,
        role: opts.role,
        purpose: opts.purpose,
        sub: opts.sub,
        audience: config.tokenAudience,
        expiresInSeconds: opts.expiresIn,
      });
      console.log(token);
    });

  const audit = program.command('audit').description('audit trail tools');
  audit
    .command('verify')
    .description('recompute the audit hash chain; exits 1 naming the first bad entry')
    .action(async () => {
      const db = await openDatabase(loadConfig());
      try {
        const result = await verifyAuditChain(db);
        if (result.ok) {
          console.log(`audit log verified: ${result.entries} entries, head ${result.headHash}`);
        } else {
          console.error(`audit log FAILED verification at entry ${result.firstBadSeq}: ${result.problem}`);
          process.exitCode = 1;
        }
      } finally {
        await db.close();
      }
    });

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const db = await openDatabase(loadConfig());
      await db.close();
      console.log('database schema is up to date');
    });

  await program.parseAsync(argv);
}
