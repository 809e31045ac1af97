import { render } from 'preact';
import './styles.css';
import { App } from './components/App.js';
import { boot } from './lib/session.js';

render(<App />, document.getElementById('app')!);
void boot();
