// One socket.io connection per browser tab, shared by every live view. The server admits it with
// the session cookie and closes it when the session ends: then the page goes to /sign-in.
import { io, type Socket } from 'socket.io-client';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../../lib/contracts/events';

let socket: Socket<ServerToBrowserEvents, BrowserToServerEvents> | null = null;

export function getSocket(): Socket<ServerToBrowserEvents, BrowserToServerEvents> {
  if (!socket) {
    socket = io({ transports: ['websocket'] });
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
    });
  }
  return socket;
}
