import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { locale } from './i18n/locale.svelte';
import { registerServiceWorker } from './lib/pwa.svelte';

document.documentElement.lang = locale();
mount(App, { target: document.getElementById('app')! });
registerServiceWorker();
