'use strict';
// One Lambda execution environment: loads a bundled handler with the function's environment
// (the Worker's own process.env) and runs one invocation at a time, as Lambda's Node.js runtime
// does. Plain CommonJS: it loads the bundle exactly as /var/runtime would, with no transform.
const { parentPort, workerData } = require('node:worker_threads');
const { join } = require('node:path');

const { codeDir, handler: handlerSpec, functionName, functionArn, memorySize } = workerData;
const dot = handlerSpec.lastIndexOf('.');
const modulePath = join(codeDir, handlerSpec.slice(0, dot));
const exportName = handlerSpec.slice(dot + 1);

// As the runtime's Errors.toRapidResponse: the error's own name and message, nothing else.
const toLambdaError = (error) =>
  error instanceof Error
    ? { errorType: error.name, errorMessage: error.message, trace: String(error.stack ?? '').split('\n') }
    : { errorType: typeof error, errorMessage: String(error), trace: [] };

let handler;
let initError;
try {
  handler = require(modulePath)[exportName];
  if (typeof handler !== 'function') {
    initError = {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${handlerSpec} is undefined or not exported`,
      trace: [],
    };
  }
} catch (error) {
  initError = toLambdaError(error);
}

// Init is its own phase in Lambda (not part of the invocation's timeout): say when it is over.
parentPort.postMessage({ ready: true });

parentPort.on('message', async ({ requestId, event, deadline }) => {
  if (initError) {
    parentPort.postMessage({ requestId, error: initError });
    return;
  }
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await new Promise((resolve, reject) => {
      const returned = handler(event, context, (error, value) => (error ? reject(error) : resolve(value)));
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    });
    parentPort.postMessage({ requestId, result: result === undefined ? null : JSON.stringify(result) });
  } catch (error) {
    parentPort.postMessage({ requestId, error: toLambdaError(error) });
  }
});
