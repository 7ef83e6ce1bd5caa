/**
 * Preloaded (`node --require`) into each container service's process, which is started with an IPC
 * channel for this alone: when the platform that started it is gone, even killed outright, the
 * channel closes and the process gets the SIGTERM its orchestrator would send, so it drains and
 * exits rather than living on unowned. The server's own code is not touched.
 */
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
// The channel must not keep an otherwise finished process alive.
process.channel?.unref();
