/**
 * Servers that misbehave on the wire, built on `rawServer` (servers.ts): responses written by hand
 * to the socket, so a test can send what no HTTP server library would — interim responses, broken
 * framing, bodies cut by a close or a reset, bytes that drip in.
 */
import type { Socket } from "node:net";
import { page, type RawTestServer, rawServer } from "./servers.js";

/** Writes a response (or a fault) to a raw socket. */
export type RawResponder = (socket: Socket) => void;

/**
 * A raw server answering each request of a connection (keep-alive included) by its path; unknown
 * paths get an empty 404. Requests are taken to be GETs without bodies: one ends at its blank line.
 */
export function rawRoutes(table: Record<string, RawResponder>): Promise<RawTestServer> {
  return rawServer((socket) => {
    socket.setNoDelay(true);
    let buffered = "";
    socket.on("data", (data: Buffer) => {
      buffered += data.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const path = buffered.slice(0, end).split(" ")[1] ?? "/";
        buffered = buffered.slice(end + 4);
        const respond = table[path];
        if (respond) respond(socket);
        else socket.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      }
    });
  });
}

/** An HTTP/1.1 status line and headers, ready for a body: `responseHead("200 OK", { "Content-Length": 5 })`. */
export function responseHead(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;
}

/** A whole 200 response: an HTML page titled `title`, with its Content-Length. */
export function htmlResponse(title: string): string {
  const html = page(title);
  return responseHead("200 OK", { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) }) + html;
}

/** `body` in the chunked transfer coding, in pieces of `size` bytes, with the last chunk. */
export function chunkedBody(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n\r\n"));
  return Buffer.concat(parts);
}

/** Writes `text`, then closes cleanly (FIN) after `afterMs`: a response cut short by a close. */
export function writeThenClose(socket: Socket, text: string, afterMs = 50): void {
  socket.write(text);
  setTimeout(() => socket.end(), afterMs);
}

/** Writes `text`, then resets the connection (RST) after `afterMs`: a response cut short by a reset. */
export function writeThenReset(socket: Socket, text: string, afterMs = 50): void {
  socket.write(text);
  setTimeout(() => socket.resetAndDestroy(), afterMs);
}

/** Writes `bytes` in pieces of `size` bytes, one every `everyMs` ms, until done or the socket goes away. */
export function trickle(socket: Socket, bytes: Buffer, size: number, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= bytes.length) return clearInterval(timer);
    socket.write(bytes.subarray(at, at + size));
    at += size;
  }, everyMs);
  socket.on("close", () => clearInterval(timer));
}

/** Writes one character of `text` every `everyMs` ms, then filler bytes ("x") forever: never idle, never done. */
export function drip(socket: Socket, text: string, everyMs = 100): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write(i < text.length ? text[i]! : "x");
    i++;
  }, everyMs);
  socket.on("close", () => clearInterval(timer));
}
