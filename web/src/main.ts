import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { initLocale } from './i18n/locale.svelte';
import { registerServiceWorker } from './lib/pwa.svelte';

void initLocale().finally(() => {
  mount(App, { target: document.getElementById('app')! });
  registerServiceWorker();
});
