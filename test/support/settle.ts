/** Lets pending promise callbacks and I/O callbacks run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
