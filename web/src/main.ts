/**
 * The app's entry: routes by path (/plan/:id, /wall, /me, /grid/:code, else the overview map), mounts the
 * view and unmounts it on leave (each view creates its map once and removes it). Links inside the app use
 * history.pushState; the language switch remounts the current view in the other language.
 */
import './style.css';
import { matchRoute } from './router.ts';
import { getLang, initialLang, setLang, storedLang } from './i18n.ts';
import { bootOverview } from './overview-view.ts';
import { mountPlanView } from './views/plan-view.ts';
import { mountWallView } from './views/wall-view.ts';
import { mountMeView } from './views/me-view.ts';
import { mountGridView } from './views/grid-view.ts';
import { mountEventsView } from './views/events-view.ts';
import { mountEventsWallView } from './views/events-wall-view.ts';
import { mountRosterView } from './views/roster-view.ts';
import { mountRosterWallView } from './views/roster-wall-view.ts';
import type { Unmount, ViewContext } from './views/view.ts';
import { installLoginDialog } from './login-dialog.ts';

let unmount: Unmount | null = null;

function setState(state: 'loading' | 'ready' | 'empty' | 'error'): void {
  document.body.dataset.state = state;
}

function mount(): void {
  unmount?.();
  unmount = null;
  const route = matchRoute(location.pathname);
  const app = document.getElementById('app')!;
  app.replaceChildren();
  app.className = '';
  document.body.dataset.view = route.view;
  if (route.view === 'overview') {
    void bootOverview();
    return;
  }
  const root = document.createElement('div');
  app.append(root);
  const ctx: ViewContext = {
    root,
    params: route.params,
    query: new URLSearchParams(location.search),
    navigate(path) {
      history.pushState(null, '', path);
      mount();
    },
    switchLang() {
      setLang(getLang() === 'zh-CN' ? 'en' : 'zh-CN');
      mount();
    },
    setState,
  };
  const views = { plan: mountPlanView, wall: mountWallView, me: mountMeView, grid: mountGridView, events: mountEventsView, eventsWall: mountEventsWallView,
    roster: mountRosterView, rosterWall: mountRosterWallView };
  unmount = views[route.view](ctx);
}

setLang(initialLang(location.search, storedLang()), false);
installLoginDialog();
window.addEventListener('popstate', mount);
window.addEventListener('pagehide', () => unmount?.(), { once: true });
mount();
