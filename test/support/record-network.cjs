// Preloaded into an API process under test: records every outbound TCP connection that is not to
// loopback (and refuses it), so a test can prove the process made no network attempts.
const net = require('node:net');
const fs = require('node:fs');
const log = process.env.RECORD_NETWORK_FILE;
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  // net.connect passes its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  const host = options.host ?? 'localhost';
  if (!options.path && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    fs.appendFileSync(log, `${host}:${options.port}\n`);
    process.nextTick(() => this.destroy(new Error(`network attempt to ${host} refused by the test`)));
    return this;
  }
  return original.apply(this, args);
};
