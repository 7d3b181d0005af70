// Preloaded into a node under benchmark (with --expose-gc): SIGUSR2 collects garbage, so a
// memory reading after it counts what is still held, not what is merely not yet collected.
process.on('SIGUSR2', () => globalThis.gc?.());
