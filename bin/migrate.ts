#!/usr/bin/env node
import { runCli } from '../src/cli.js';

// exitCode rather than process.exit(): pending output is flushed before Node exits.
process.exitCode = await runCli(process.argv);
