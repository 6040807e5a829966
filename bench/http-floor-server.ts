/**
 * The HTTP floor's server (ingest.ts): reads each POSTed form body, stores it as JSON with the
 * baseline's transaction and answers 200 with JSON; nothing else. Run as
 * `node --import tsx bench/http-floor-server.ts <connection string> <port> <connections>`; prints
 * one line once it listens.
 */
import { createServer } from 'node:http';
import { parse } from 'node:querystring';
import pg from 'pg';
import {
  baselineSql,
  HTTP_FLOOR_APPLICATION_NAME,
  HTTP_FLOOR_SCHEMA,
  storeAsBaseline,
} from './baseline-transaction.ts';

const [connectionString, port, connections] = process.argv.slice(2);
const sql = baselineSql(HTTP_FLOOR_SCHEMA);
const pool = new pg.Pool({ connectionString, max: Number(connections), application_name: HTTP_FLOOR_APPLICATION_NAME });
let sequence = 0;

await pool.query(sql.create);
createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.stringify(parse(Buffer.concat(chunks).toString('utf8')));
    storeAsBaseline(pool, sql, `floor-${(sequence += 1)}`, body).then(
      () => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        response.end('{"status":"applied"}');
      },
      (error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      },
    );
  });
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
