#!/usr/bin/env node
// The `cognito-migrate` command: runs the TypeScript entry point through tsx, so there is no
// build step and the `#shared/*` / `#local/*` import aliases resolve as in the tests. tsx is a
// dependency (not a devDependency): with `npm ci --omit=dev` every command but `local` and `demo`
// (and `sync start --local`) runs. Only tsx's CommonJS hook is on; see cli/context.ts.
'use strict';
require('tsx/cjs');
require('../cli/main.ts');
