// dynalite in a worker thread: the demo's table work runs on the machine's second core while the
// emulator, the functions and the SDK clients keep the main thread. Plain CommonJS so the thread
// needs no TypeScript loader. The parent passes dynalite's options; we answer with the port.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require('dynalite');

const server = dynalite(workerData);
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'close') server.close(() => parentPort.close());
});
