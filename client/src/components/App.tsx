import { store } from '../lib/state.js';
import { useStore } from '../lib/store.js';
import { AuthScreen } from './AuthScreen.js';
import { InviteScreen } from './InviteScreen.js';
import { Profile } from './Profile.js';
import { RoomView } from './RoomView.js';
import { Sidebar } from './Sidebar.js';
import { StatusBar } from './StatusBar.js';

/** The top-level screen switch: auth, invite preview, or the chat layout. */
export function App() {
  const ready = useStore(store, (s) => s.ready);
  const user = useStore(store, (s) => s.user);
  const route = useStore(store, (s) => s.route);

  if (!ready) return <p class="centered">Loading…</p>;
  if (route.name === 'invite') {
    return (
      <>
        <StatusBar />
        <InviteScreen token={route.token} />
      </>
    );
  }
  if (!user) {
    return (
      <>
        <StatusBar />
        <AuthScreen />
      </>
    );
  }
  return (
    <div class="layout">
      <Sidebar />
      <main class="main" id="main">
        <StatusBar />
        {route.name === 'room' ? (
          <RoomView key={route.roomId} roomId={route.roomId} />
        ) : route.name === 'profile' ? (
          <Profile />
        ) : (
          <section class="welcome">
            <h1>Welcome, {user.displayName}</h1>
            <p>Pick a room on the left, create one, or join a public room.</p>
          </section>
        )}
      </main>
    </div>
  );
}
