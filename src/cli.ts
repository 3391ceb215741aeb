/** The command line: commands, flags, help texts and exit codes. The work itself is in run.ts and check.ts. */
import { chalkStderr } from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { runCheck } from './check.js';
import { checkOk, formatCheckText, formatGithubAnnotations, toCheckJson, type Verbosity } from './check-output.js';
import { honourNoColor } from './colour.js';
import { UserError } from './errors.js';
import { pathFilter } from './path-filter.js';
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

Output:
  --dry prints a git-style diff (--dry --stat: only the per-file summary). Colour only on a terminal; NO_COLOR=1
  turns it off, FORCE_COLOR=1 turns it on (e.g. for "| less -R"). Written files are formatted with the app's own
  Prettier when the app has the prettier package and a Prettier config; otherwise they keep the source's style.

Examples:
  npx migrate run --dry                          preview the changes in the current folder
  npx migrate run --dry --stat                   only which files would change, and by how many lines
  npx migrate run apps/web --yes                 migrate the app in apps/web without asking
  npx migrate run --only 'pages/api/admin/**'    migrate one area (one pull request per area)
  npx migrate run --report migrate.json --report migrate.md
${EXIT_HELP}`;

const CHECK_HELP = `
Lists what is left: source files in pages/api or src/pages/api that still define a route (a default export,
module.exports or exports.default), and route files under app/ or src/app/ that still carry a TODO(migrate)
marker, with file:line. Writes nothing; meant for CI.

Output:
  a one-line summary, then one "file:line  what" line per item (--quiet: the summary only)
  under GitHub Actions (GITHUB_ACTIONS=true): one ::error annotation per item, shown on the pull request
  --json: a JSON document on stdout, for other CI systems

Examples:
  npx migrate check
  npx migrate check --only 'pages/api/admin/**'   only the area this pull request migrates
  npx migrate check --json > migrate-check.json

Exit codes:
  0  nothing left: "No pages/api handlers remain"
  1  handlers or markers remain (each is listed), or the folder is not a Next.js app
  2  usage error`;

function parseVersion(value: string): string {
  const version = /^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/.test(value) ? versionFromRange(value) : undefined;
  if (!version) throw new InvalidArgumentError('expected a version such as 15.5.0.');
  return version;
}

/** Repeatable options (`--only a --only b`) collect into an array. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function collectGlob(value: string, previous: string[] | undefined): string[] {
  try {
    pathFilter([value]);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
  return collect(value, previous);
}

const ONLY_HELP = 'only the files whose path from the app root matches this glob, e.g. "pages/api/admin/**" (repeatable)';

function verbosityOptions(verbose: string): Option[] {
  return [
    new Option('-q, --quiet', 'print only the one-line summary (errors still go to stderr)').conflicts('verbose'),
    new Option('-v, --verbose', verbose),
  ];
}

function verbosity(opts: { quiet?: boolean; verbose?: boolean }): Verbosity {
  return opts.quiet ? 'quiet' : opts.verbose ? 'verbose' : 'normal';
}

interface RunFlags {
  dry?: boolean;
  stat?: boolean;
  yes?: boolean;
  force?: boolean;
  next?: string;
  report?: string[];
  only?: string[];
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
}

interface CheckFlags {
  only?: string[];
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

/** Builds the program; each action stores its exit code through `setExit`. */
function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('migrate')
    .description('Migrate Next.js pages/api handlers to App Router route handlers (app/**/route.ts).')
    .version(toolVersion(), '-V, --version')
    // Commander exits 1 on its own errors by default; throwing instead lets runCli map usage errors to exit 2.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const run = program
    .command('run')
    .description('Migrate the pages/api handlers of the Next.js app in [dir] to App Router route handlers.')
    .argument('[dir]', DIR_HELP)
    .option('--dry', 'print a git-style diff of every file it would create, change or delete, and write nothing (no clean git tree needed)')
    .option('--stat', 'with --dry: print only the per-file summary of the diff, as git diff --stat does')
    .option('-y, --yes', 'do not ask for confirmation (it is only asked when stdin and stdout are a terminal)')
    .option('--force', 'run even if the git tree has uncommitted changes or the folder is not in git')
    .option('--next <version>', 'target Next.js version, e.g. 15.5.0 (default: the installed next, else the version in package.json)', parseVersion)
    .option('--report <file>', 'also write a report to <file>: Markdown for .md (for a pull request), JSON otherwise; repeatable, written with --dry too', collect)
    .option('--only <glob>', ONLY_HELP, collectGlob);
  for (const option of verbosityOptions('print more: what each reason means and its docs link, versions, files written')) run.addOption(option);
  run
    .option('--debug', 'print stack traces of internal errors')
    .addHelpText('after', RUN_HELP)
    .action(async (dir: string | undefined, opts: RunFlags) => {
      if (opts.stat && !opts.dry) run.error('error: --stat goes with --dry (it replaces the diff)', { exitCode: EXIT.usage, code: 'migrate.statWithoutDry' });
      // Loaded here: the transform pulls in the parser, which --help, --version and check do not need.
      const { runMigration } = await import('./run.js');
      setExit(
        await runMigration(dir ?? process.cwd(), {
          dry: Boolean(opts.dry),
          stat: Boolean(opts.stat),
          yes: Boolean(opts.yes),
          force: Boolean(opts.force),
          next: opts.next,
          report: opts.report ?? [],
          only: opts.only,
          quiet: Boolean(opts.quiet),
          verbose: Boolean(opts.verbose),
          debug: Boolean(opts.debug),
        }),
      );
    });

  const check = program
    .command('check')
    .description('List the pages/api handlers and TODO(migrate) markers that remain; exit 1 if there are any.')
    .argument('[dir]', DIR_HELP)
    .option('--only <glob>', `${ONLY_HELP}; a route counts when its pages/api path would match`, collectGlob)
    .option('--json', 'print the result as JSON (schema in the README), for CI systems other than GitHub Actions');
  for (const option of verbosityOptions('also say how many files were looked at')) check.addOption(option);
  check
    .option('--debug', 'print stack traces of internal errors')
    .addHelpText('after', CHECK_HELP)
    .action(async (dir: string | undefined, opts: CheckFlags) => {
      const project = await loadProject(dir ?? process.cwd());
      const result = await runCheck(project, { only: opts.only ? pathFilter(opts.only) : undefined });
      const shown = { verbosity: verbosity(opts), only: opts.only };
      if (opts.json) process.stdout.write(`${JSON.stringify(toCheckJson(result, opts.only), null, 2)}\n`);
      else if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(formatGithubAnnotations(result, project.root, shown));
      else process.stdout.write(formatCheckText(result, project.root, shown));
      setExit(checkOk(result) ? EXIT.done : EXIT.failure);
    });

  return program;
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`${chalkStderr.red('Error:')} ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${chalkStderr.red('Internal error:')} ${message}${debug ? '' : ' (run again with --debug for the stack trace)'}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT.failure;
}

/**
 * `migrate run --dry | head`: the reader may close the pipe before the output ends. Like git, stop printing quietly
 * instead of crashing with a stack trace; the run itself goes on, so that a run that writes never stops halfway.
 */
function ignoreClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

/** Runs the CLI on `argv` (as in process.argv) and resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  honourNoColor();
  ignoreClosedStdout();
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
