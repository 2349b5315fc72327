#!/usr/bin/env node
// The `cognito-migrate` command: runs the TypeScript entry point through tsx, so there is no
// build step and the `#shared/*` / `#local/*` import aliases resolve as in the tests.
'use strict';
require('tsx/cjs');
require('../cli/main.ts');
