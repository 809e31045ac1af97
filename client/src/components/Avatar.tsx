import type { User } from '../lib/types.js';

/** A user's avatar image, or their initial when none is set. */
export function Avatar({ user, size = 32 }: { user: Pick<User, 'displayName' | 'avatarUrl'> | null; size?: 32 | 48 | 96 }) {
  const name = user?.displayName ?? 'Assistant';
  if (user?.avatarUrl) return <img class={`avatar s${size}`} src={user.avatarUrl} alt="" width={size} height={size} />;
  return (
    <span class={`avatar s${size} ${user ? '' : 'bot'}`} aria-hidden="true">
      {user ? name.slice(0, 1).toUpperCase() : '✦'}
    </span>
  );
}
