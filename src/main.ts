import { mount } from 'svelte';
import { startWorker } from './state/client';
import App from './App.svelte';
import './ui/app.css';

startWorker();
mount(App, { target: document.getElementById('app')! });
