import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';

/**
 * What the proxy does with traffic:
 * - `forward`: passes bytes both ways (the database is there);
 * - `refuse`: every open connection is cut and a new one is reset at once (a stopped server);
 * - `blackhole`: every open connection is cut and a new one is accepted but never answered
 *   (a host that has gone silent: packets dropped, no reset);
 * - `freeze`: open connections stay open but carry nothing more, ever, even after the proxy
 *   forwards again (a firewall or NAT that forgot them), and new ones are never answered.
 */
export type ProxyMode = 'forward' | 'refuse' | 'blackhole' | 'freeze';

export interface TcpProxy {
  port: number;
  /** Connections opened through the proxy since it started (each one a connection to the target). */
  readonly opened: number;
  mode(): ProxyMode;
  /** Changes the mode; `refuse` and `blackhole` destroy every connection open now, on both sides; `freeze` silences them. */
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, which a test cuts and restores to simulate
 * a database outage without touching the server that other tests use.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let opened = 0;
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'blackhole' || mode === 'freeze') return; // held open, never a byte back
    opened++;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const cut = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut);
    upstream.on('close', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const destroyAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    pairs.clear();
  };
  /** Bytes stop both ways; the sockets stay open, and whatever arrives is read and dropped. */
  const freezeAll = () => {
    for (const [client, upstream] of pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.on('data', () => undefined);
      upstream.on('data', () => undefined);
    }
    pairs.clear();
  };
  return {
    port,
    get opened() {
      return opened;
    },
    mode: () => mode,
    set(next) {
      mode = next;
      if (next === 'refuse' || next === 'blackhole') destroyAll();
      if (next === 'freeze') freezeAll();
    },
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
