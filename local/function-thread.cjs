// Bootstrap of one function thread (local/function-threads.ts): registers tsx, so the thread runs
// the handler sources as the main process does, whatever loaded the parent (tsx, jest's
// transform), then hands over to the TypeScript body.
'use strict';
require('tsx/cjs/api').register();
require('./function-thread-main.ts');
