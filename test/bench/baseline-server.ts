import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/** The limit: a bare node:http server sending the same bytes from memory, nothing else. */
const [file] = process.argv.slice(2);
const port = process.env.PORT;
const body = readFileSync(file!);
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}).listen(Number(port), '127.0.0.1', () => console.log('ready'));
