/** The command line: commands, flags, help texts and exit codes. The work itself is in run.ts and check.ts. */
import chalk from 'chalk';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { formatCheck, runCheck } from './check.js';
import { UserError } from './errors.js';
import { loadProject, versionFromRange } from './project.js';
import { toolVersion } from './version.js';

export const EXIT = { done: 0, failure: 1, usage: 2 } as const;

const DIR_HELP =
  'root folder of the Next.js app, the one holding package.json and pages/ or src/pages/ (default: the current folder)';

const EXIT_HELP = `
Exit codes:
  0  done (files that cannot be migrated are left in place and reported; that is not a failure)
  1  failure: no such folder, not a Next.js app, no pages/api, uncommitted changes, unknown Next.js version, internal error
  2  usage error: unknown command or option, bad option value
  130, 143  stopped by Ctrl-C or SIGTERM: each handler is migrated or untouched; run again to finish`;

const RUN_HELP = `
What it does:
  Looks at every handler in pages/api (and src/pages/api), computes the whole plan, prints it, then writes
  app/**/route.ts (src/app/... for src/pages; route.js for .js/.jsx sources) and removes each migrated source.
  Nothing is written before the plan is complete, and sources are removed only after every route is written.
  Files it cannot migrate stay where they are, listed with the reason. Routes that need a human look carry a
  "TODO(migrate)" comment; run "migrate check" to list them.

Safety:
  Without --dry the app folder must be inside a git work tree with no uncommitted changes, so that "git diff"
  shows every change and "git checkout ." / "git clean" undoes them. --force skips that check. --dry writes
  nothing and needs no clean tree. On a terminal the tool asks before writing (--yes skips the question).

Examples:
  npx migrate run --dry            preview the changes in the current folder
  npx migrate run apps/web --yes   migrate the app in apps/web without asking
  npx migrate run --report migrate-report.json
${EXIT_HELP}`;

const CHECK_HELP = `
Lists what is left: source files in pages/api or src/pages/api that still define a route (a default export,
module.exports or exports.default), and route files under app/ or src/app/ that still carry a TODO(migrate)
marker, with file:line. Writes nothing; meant for CI.

Exit codes:
  0  nothing left: "No pages/api handlers remain"
  1  handlers or markers remain (each is listed), or the folder is not a Next.js app
  2  usage error`;

function parseVersion(value: string): string {
  const version = /^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/.test(value) ? versionFromRange(value) : undefined;
  if (!version) throw new InvalidArgumentError('expected a version such as 15.5.0.');
  return version;
}

/** Builds the program; each action stores its exit code through `setExit`. */
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('migrate')
    .description('Migrate Next.js pages/api handlers to App Router route handlers (app/**/route.ts).')
    .version(toolVersion(), '-V, --version')
    // Commander exits 1 on its own errors by default; throwing instead lets runCli map usage errors to exit 2.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description('Migrate the pages/api handlers of the Next.js app in [dir] to App Router route handlers.')
    .argument('[dir]', DIR_HELP)
    .option('--dry', 'print a diff of every file it would create or delete, and write nothing (no clean git tree needed)')
    .option('-y, --yes', 'do not ask for confirmation (it is only asked when stdin and stdout are a terminal)')
    .option('--force', 'run even if the git tree has uncommitted changes or the folder is not in git')
    .option('--next <version>', 'target Next.js version, e.g. 15.5.0 (default: the installed next, else the version in package.json)', parseVersion)
    .option('--report <file>', 'also write a JSON report of every file to <file> (written with --dry too)')
    .option('--debug', 'print stack traces of internal errors')
    .addHelpText('after', RUN_HELP)
    .action(async (dir: string | undefined, opts: { dry?: boolean; yes?: boolean; force?: boolean; next?: string; report?: string; debug?: boolean }) => {
      // Loaded here: the transform pulls in the parser, which --help, --version and check do not need.
      const { runMigration } = await import('./run.js');
      setExit(
        await runMigration(dir ?? process.cwd(), {
          dry: Boolean(opts.dry),
          yes: Boolean(opts.yes),
          force: Boolean(opts.force),
          next: opts.next,
          report: opts.report,
          debug: Boolean(opts.debug),
        }),
      );
    });

  program
    .command('check')
    .description('List the pages/api handlers and TODO(migrate) markers that remain; exit 1 if there are any.')
    .argument('[dir]', DIR_HELP)
    .option('--debug', 'print stack traces of internal errors')
    .addHelpText('after', CHECK_HELP)
    .action(async (dir: string | undefined) => {
      const { ok, text } = formatCheck(await runCheck(await loadProject(dir ?? process.cwd())));
      process.stdout.write(text);
      setExit(ok ? EXIT.done : EXIT.failure);
    });

  return program;
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`${chalk.red('Error:')} ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${chalk.red('Internal error:')} ${message}${debug ? '' : ' (run again with --debug for the stack trace)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT.failure;
}

/** Runs the CLI on `argv` (as in process.argv) and resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.done;
  try {
    await buildProgram((code) => (exitCode = code)).parseAsync(argv);
    return exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help) when it throws.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.done : EXIT.usage;
    return reportError(error, argv.includes('--debug'));
  }
}
