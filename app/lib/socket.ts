// One socket.io connection per browser tab, shared by every live view.
import { io, type Socket } from 'socket.io-client';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../../lib/contracts/events';

let socket: Socket<ServerToBrowserEvents, BrowserToServerEvents> | null = null;

export function getSocket(): Socket<ServerToBrowserEvents, BrowserToServerEvents> {
  socket ??= io({ transports: ['websocket'] });
  return socket;
}
