/** Client routes (history API; the server answers index.html for all of them). */
export type Route =
  | { name: 'home' }
  | { name: 'room'; roomId: string }
  | { name: 'invite'; token: string }
  | { name: 'profile' };

/** Parses a location pathname into a route; unknown paths go home. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] === 'rooms' && parts[1]) return { name: 'room', roomId: parts[1] };
  if (parts[0] === 'invite' && parts[1]) return { name: 'invite', token: parts[1] };
  if (parts[0] === 'profile') return { name: 'profile' };
  return { name: 'home' };
}

/** The path of a route. */
export function routePath(r: Route): string {
  switch (r.name) {
    case 'room':
      return `/rooms/${encodeURIComponent(r.roomId)}`;
    case 'invite':
      return `/invite/${encodeURIComponent(r.token)}`;
    case 'profile':
      return '/profile';
    default:
      return '/';
  }
}
